// How atoms name fixtures: a bare fixture id ("cabinet", "flat_stove_1") names its default part and
// region; `${fixtureId}_${region}` names one of its regions (LIBERO's "wooden_cabinet_1_top_region",
// "flat_stove_1_cook_region", "desk_caddy_1_left_contain_region") and, for Open/Closed, the part that
// gives access to it (that drawer); `${fixtureId}_${part}` names a part ("wooden_cabinet_1_top_drawer").
// Every articulated part has one state key: the fixture id when the fixture has one part, else
// `${fixtureId}_${part}`. The symbolic chain model keys fixture states by it and the simulator's
// init values (ResolvedScene.fixtureInit) too.
import { FIXTURE_DEFS, type FixtureDef, type FixtureRegionDef, type PartDef } from './fixture-defs.ts';
import type { FixtureSpec } from './types.ts';

export interface FixtureRef {
  fixture: Pick<FixtureSpec, 'id' | 'kind' | 'pos' | 'yaw'>;
  def: FixtureDef;
  /** The region the reference names (or the fixture's default region for a bare id). */
  regionName?: string;
  region?: FixtureRegionDef;
  /** The part Open/Closed/TurnedOn act on: the named part, the region's access part, or the default part. */
  part?: PartDef;
}

/** State key of a fixture's part. */
export function partKey(fixtureId: string, def: FixtureDef, part: string): string {
  return def.parts.length === 1 ? fixtureId : `${fixtureId}_${part}`;
}

/** Resolve an atom argument against a scene's fixtures; undefined when it names no fixture. */
export function resolveFixtureRef(fixtures: readonly Pick<FixtureSpec, 'id' | 'kind' | 'pos' | 'yaw'>[], ref: string): FixtureRef | undefined {
  let best: FixtureRef | undefined;
  let bestLen = -1;
  for (const f of fixtures) {
    const def = FIXTURE_DEFS[f.kind];
    if (!def) continue;
    if (ref === f.id) {
      const region = def.defaultRegion ? def.regions[def.defaultRegion] : undefined;
      const part = def.parts.find((p) => p.name === def.defaultPart);
      return { fixture: f, def, regionName: def.defaultRegion, region, part };
    }
    if (!ref.startsWith(`${f.id}_`) || f.id.length <= bestLen) continue;
    const rest = ref.slice(f.id.length + 1);
    if (def.regions[rest]) {
      const region = def.regions[rest];
      const partName = region.access ?? region.part;
      const part = def.parts.find((p) => p.name === partName);
      best = { fixture: f, def, regionName: rest, region, part };
      bestLen = f.id.length;
    } else {
      const part = def.parts.find((p) => p.name === rest);
      if (part) {
        best = { fixture: f, def, part };
        bestLen = f.id.length;
      }
    }
  }
  return best;
}

/** The state key of the part a reference acts on, or undefined when it names no part. */
export function refPartKey(r: FixtureRef): string | undefined {
  return r.part ? partKey(r.fixture.id, r.def, r.part.name) : undefined;
}

/** Every name an atom may use for the fixtures of a scene (ids, regions, parts), for error hints. */
export function fixtureRefNames(fixtures: readonly Pick<FixtureSpec, 'id' | 'kind'>[]): string[] {
  const out: string[] = [];
  for (const f of fixtures) {
    const def = FIXTURE_DEFS[f.kind];
    if (!def) continue;
    out.push(f.id);
    for (const r of Object.keys(def.regions)) out.push(`${f.id}_${r}`);
    if (def.parts.length > 1) for (const p of def.parts) out.push(`${f.id}_${p.name}`);
  }
  return out;
}

/** Every articulated part of the scene's fixtures with its state key. */
export function sceneParts(fixtures: readonly Pick<FixtureSpec, 'id' | 'kind'>[]): { key: string; fixtureId: string; def: FixtureDef; part: PartDef }[] {
  const out: { key: string; fixtureId: string; def: FixtureDef; part: PartDef }[] = [];
  for (const f of fixtures) {
    const def = FIXTURE_DEFS[f.kind];
    for (const part of def.parts) out.push({ key: partKey(f.id, def, part.name), fixtureId: f.id, def, part });
  }
  return out;
}

/** State key of a fixture region: the fixture id for its default region, else `${fixtureId}_${region}`. */
export function regionKey(fixtureId: string, def: FixtureDef, region: string): string {
  return def.defaultRegion === region ? fixtureId : `${fixtureId}_${region}`;
}

/** The region key a reference names, or undefined when it names no region. */
export function refRegionKey(r: FixtureRef): string | undefined {
  return r.regionName ? regionKey(r.fixture.id, r.def, r.regionName) : undefined;
}

/** Every region of the scene's fixtures with its key and the state key of its access part. */
export function sceneRegions(fixtures: readonly Pick<FixtureSpec, 'id' | 'kind'>[]): { key: string; fixtureId: string; name: string; def: FixtureDef; region: FixtureRegionDef; accessKey?: string }[] {
  const out: { key: string; fixtureId: string; name: string; def: FixtureDef; region: FixtureRegionDef; accessKey?: string }[] = [];
  for (const f of fixtures) {
    const def = FIXTURE_DEFS[f.kind];
    for (const [name, region] of Object.entries(def.regions)) {
      out.push({ key: regionKey(f.id, def, name), fixtureId: f.id, name, def, region, accessKey: region.access ? partKey(f.id, def, region.access) : undefined });
    }
  }
  return out;
}
