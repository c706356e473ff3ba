// Physics health: per control step, whether the simulator (not the policy) produced what happened.
// A real robot can knock a can off the table; it cannot push a block through the table top, throw it
// faster than its own hand moves, or send it out of the room. Every step reports its deepest arm
// penetration, the fastest object speed that free fall does not explain, objects that left the table
// volume, and the reasons (if any) the step is `sim_unstable`, so that a result contaminated by
// simulator artefacts says so instead of being read as a policy failure.
import { FLOOR_Z, TABLE_THICKNESS, type SimWorld } from './world.ts';

export const HEALTH_LIMITS = {
  /**
   * Fastest object speed (m/s) that free fall does not explain and a Panda could still cause: the
   * Panda's end effector moves at most 1.7 m/s (Franka datasheet: Cartesian velocity limit 1.7 m/s),
   * and delta actions here cap it at 1 m/s. Anything faster was thrown by the solver.
   */
  speed: 2.0,
  /** Below this speed (m/s) an object counts as at rest: its free-fall reference height restarts. */
  restSpeed: 0.05,
  /** An object whose frame origin (bottom centre) is this far below the table top within the table's
   *  footprint went through the surface (m). Contacts are soft to about 1-2 mm. */
  throughSurface: 0.01,
  /** Margin around the table's footprint that still counts as on the table (m). */
  tableMargin: 0.05,
  /** Half extent of the world (the floor's size, m): beyond it an object is out of the world. */
  worldHalf: 5,
};

export interface StepHealth {
  /** Deepest arm penetration into anything that is not the robot during this control step (m). */
  maxPenetration: number;
  /** Fastest object speed not explained by free fall (m/s), and which object (null if none moved). */
  maxExcessSpeed: number;
  fastestObject: string | null;
  /** Objects that left the table volume during this control step (fell off the table: ejected). */
  ejected: string[];
  /** Reasons the simulator, not the policy, produced this step's state (empty when healthy): a body faster
   *  than HEALTH_LIMITS.speed, an object that went into the table slab or out of the world (on the step it
   *  happened). Checked at the end of each control step: a penetration resolved within one is not seen. */
  unstable: string[];
}

/** What the monitor carries between control steps (part of an env snapshot). */
export interface HealthState {
  /** Per object: highest frame-origin z since it was last at rest (free-fall reference). */
  peakZ: Record<string, number>;
  /** Objects already reported as having left the table volume. */
  ejected: string[];
  /** Objects now inside the table slab, and objects that left the world (reported once). */
  through?: string[];
  outside?: string[];
}

const G = 9.81;

/** Watches one world's objects control step by control step. */
export class PhysicsHealthMonitor {
  private peakZ = new Map<string, number>();
  private ejected = new Set<string>();
  private through = new Set<string>();
  private outside = new Set<string>();

  constructor(private readonly world: SimWorld) {
    for (const id of world.objects.keys()) this.peakZ.set(id, world.objectPose(id).pos[2]);
  }

  /**
   * Health of the control step that just ended. `maxPenetration` is the deepest arm penetration seen
   * during the step's physics substeps (the world tracks it).
   */
  check(maxPenetration: number): StepHealth {
    const w = this.world;
    const t = w.scene.spec.table;
    const hx = t.size[0] / 2, hy = t.size[1] / 2;
    const out: StepHealth = { maxPenetration, maxExcessSpeed: 0, fastestObject: null, ejected: [], unstable: [] };
    for (const id of w.objects.keys()) {
      const b = w.body(id);
      const p = b.translation();
      const v = b.linvel();
      if (![p.x, p.y, p.z, v.x, v.y, v.z].every(Number.isFinite)) {
        out.unstable.push(`${id}: position or velocity is not finite`);
        continue;
      }
      const speed = Math.hypot(v.x, v.y, v.z);
      let peak = this.peakZ.get(id) ?? p.z;
      peak = speed < HEALTH_LIMITS.restSpeed ? p.z : Math.max(peak, p.z);
      this.peakZ.set(id, peak);
      // Free fall from the highest point since rest explains sqrt(2 g h) of speed; the rest was given.
      const excess = Math.max(0, speed - Math.sqrt(2 * G * Math.max(0, peak - p.z)));
      if (excess > out.maxExcessSpeed) {
        out.maxExcessSpeed = excess;
        out.fastestObject = id;
      }
      if (excess > HEALTH_LIMITS.speed) {
        out.unstable.push(`${id} moves at ${speed.toFixed(2)} m/s, ${excess.toFixed(2)} m/s more than free fall explains (limit ${HEALTH_LIMITS.speed} m/s)`);
      }
      const dx = Math.abs(p.x - t.center[0]), dy = Math.abs(p.y - t.center[1]);
      const overTable = dx <= hx && dy <= hy;
      // States that persist (an object stuck in the slab, out of the world) are reported on the step
      // that produced them, not again on every step after.
      const through = overTable && p.z < -HEALTH_LIMITS.throughSurface && p.z > -TABLE_THICKNESS - 0.2;
      if (through && !this.through.has(id)) {
        out.unstable.push(`${id} is ${(-p.z * 1000).toFixed(0)} mm below the table top inside the table's footprint (through the surface)`);
      }
      if (through) this.through.add(id);
      else this.through.delete(id);
      const outside = p.z < FLOOR_Z - HEALTH_LIMITS.throughSurface || Math.abs(p.x) > HEALTH_LIMITS.worldHalf || Math.abs(p.y) > HEALTH_LIMITS.worldHalf;
      if (outside && !this.outside.has(id)) {
        out.unstable.push(`${id} left the world at (${p.x.toFixed(2)}, ${p.y.toFixed(2)}, ${p.z.toFixed(2)}) m`);
        this.outside.add(id);
      }
      const onTable = dx <= hx + HEALTH_LIMITS.tableMargin && dy <= hy + HEALTH_LIMITS.tableMargin && p.z > -TABLE_THICKNESS;
      if (!onTable && !this.ejected.has(id)) {
        this.ejected.add(id);
        out.ejected.push(id);
      }
    }
    return out;
  }

  saveState(): HealthState {
    return { peakZ: Object.fromEntries(this.peakZ), ejected: [...this.ejected], through: [...this.through], outside: [...this.outside] };
  }

  loadState(s: HealthState): void {
    this.peakZ = new Map(Object.entries(s.peakZ));
    this.ejected = new Set(s.ejected);
    this.through = new Set(s.through ?? []);
    this.outside = new Set(s.outside ?? []);
  }
}
