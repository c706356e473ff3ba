// Actors and lanes: an opened policy acts in B envs side by side in one process (a vectorised env). Each
// lane takes the next unit of work (a chain run or a baseline episode) from one shared queue; learned
// policies' lanes share one batch gate, so the model is called once per control tick with batch B.
// A unit interrupted because the policy could not be reached (a dropped server) is redone, not scored.
import { Env, type EnvOptions, type ObservationRenderer } from '../../sim/env.ts';
import { PolicyUnavailableError, type CameraImage, type Policy } from '../../sim/policy.ts';
import type { SimWorld } from '../../sim/world.ts';
import { RayRenderer } from '../../sim/render/renderer.ts';
import type { CameraNeed } from '../../policies/chunk-model.ts';
import type { PolicyHost } from '../../policies/registry.ts';
import { UserError } from '../../scenes/errors.ts';

export interface Actor {
  env: Env;
  policy: Policy;
}

/** Size cameras are rendered at when no policy asks for a size (contact sheets). */
const DEFAULT_SIZE = 128;

/** Renders each camera at the size the policy needs it (one ray renderer per size). */
export class CameraSet implements ObservationRenderer {
  private readonly bySize = new Map<string, RayRenderer>();

  constructor(private readonly needs: readonly CameraNeed[]) {}

  render(world: SimWorld, cameras: readonly string[]): Record<string, CameraImage> {
    const out: Record<string, CameraImage> = {};
    for (const name of cameras) {
      const need = this.needs.find((n) => n.camera === name);
      const [w, h] = need ? [need.width, need.height] : [DEFAULT_SIZE, DEFAULT_SIZE];
      let r = this.bySize.get(`${w}x${h}`);
      if (!r) this.bySize.set(`${w}x${h}`, (r = new RayRenderer({ width: w, height: h })));
      Object.assign(out, r.render(world, [name]));
    }
    return out;
  }

  free(): void {
    for (const r of this.bySize.values()) r.free();
    this.bySize.clear();
  }
}

/** Env options for a policy host: its cameras in every observation; a renderer too when frames are wanted. */
export function envOptionsFor(host: PolicyHost, base: EnvOptions = {}, frames = false): EnvOptions {
  if (base.renderer || (!host.cameras.length && !frames)) return base;
  return { ...base, renderer: new CameraSet(host.cameras), ...(host.cameras.length ? { cameras: host.cameras.map((c) => c.camera) } : {}) };
}

/** `lanes` actors for an opened policy (each with its own env and renderer). */
export function makeActors(host: PolicyHost, lanes: number, base: EnvOptions = {}, frames = false): Actor[] {
  if (!Number.isInteger(lanes) || lanes < 1) throw new UserError(`batch must be a whole number >= 1, got ${lanes}`);
  return Array.from({ length: lanes }, () => {
    const env = new Env(envOptionsFor(host, base, frames));
    return { env, policy: host.make(env.privileged) };
  });
}

export interface LaneOptions {
  /** Times a unit is redone after PolicyUnavailableError before the run stops (default 3). */
  redo?: number;
  log?: (line: string) => void;
}

/**
 * Run every unit on the first free lane. Each lane's policy is closed when the queue is empty (so a batch
 * gate stops waiting for it). The first error other than a redone PolicyUnavailableError stops the lanes
 * after their current unit and is rethrown.
 */
export async function runOnLanes<U>(actors: readonly Actor[], units: readonly U[], run: (a: Actor, u: U) => Promise<void>, o: LaneOptions = {}): Promise<void> {
  const redo = o.redo ?? 3;
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let next = 0;
  let failure: { e: unknown } | null = null;
  await Promise.all(actors.map(async (a) => {
    try {
      while (!failure && next < units.length) {
        const u = units[next++];
        for (let attempt = 0; ; attempt++) {
          try {
            await run(a, u);
            break;
          } catch (e) {
            if (!(e instanceof PolicyUnavailableError) || attempt >= redo) throw e;
            log(`chaingap: ${e.message}; redoing the interrupted unit (attempt ${attempt + 2} of ${redo + 1})`);
          }
        }
      }
    } catch (e) {
      failure ??= { e };
    } finally {
      await a.policy.close?.();
    }
  }));
  if (failure) throw (failure as { e: unknown }).e;
}

export function closeActors(actors: readonly Actor[]): void {
  for (const a of actors) a.env.close();
}
