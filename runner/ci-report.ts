// What a CI job writes for people and for CI servers: JUnit XML (one testcase per checked metric, a
// failure carrying the numbers) and a Markdown summary for a pull-request comment or
// $GITHUB_STEP_SUMMARY that also says what the job could not have seen (its minimum detectable drops).
import { XMLBuilder } from 'fast-xml-parser';
import type { CiCheck } from './ci-checks.ts';
import type { CiResult } from './ci.ts';
import { healthCell, type BaselineHealth, type ChainsHealth } from './health.ts';

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));

function caseName(c: CiCheck): string {
  return c.kind === 'floor' ? `${c.metric} >= ${c.floor}` : `${c.metric} not below reference`;
}

/** The warning a result contaminated by simulator artefacts carries (null when it is not). */
export function healthWarning(where: string, h: ChainsHealth | BaselineHealth): string | null {
  return h.contaminated ? `physics health: ${where}: ${h.note}` : null;
}

/**
 * JUnit XML: a testsuite per suite and setting, a testcase per check; `error` makes one erroring testcase.
 * A suite/setting whose result is contaminated by simulator artefacts gets a warning in its `system-err`.
 */
export function ciJunit(o: { name: string; checks: readonly CiCheck[]; wallSeconds: number; error?: string; physicsHealth?: Record<string, ChainsHealth | BaselineHealth> }): string {
  const groups = new Map<string, CiCheck[]>();
  for (const c of o.checks) groups.set(`${c.suite}/${c.setting}`, [...(groups.get(`${c.suite}/${c.setting}`) ?? []), c]);
  const warnings = new Map<string, string>();
  for (const [g, h] of Object.entries(o.physicsHealth ?? {})) {
    const w = healthWarning(g, h);
    if (w) {
      warnings.set(g, w);
      if (!groups.has(g)) groups.set(g, []);
    }
  }
  const count = (cs: readonly CiCheck[], s: CiCheck['status']) => cs.filter((c) => c.status === s).length;
  const suites: Record<string, unknown>[] = [...groups.entries()].map(([g, cs]) => ({
    '@name': `${o.name}: ${g}`, '@tests': cs.length, '@failures': count(cs, 'fail'), '@errors': 0, '@skipped': count(cs, 'skipped'),
    ...(warnings.has(g) ? { 'system-err': `WARNING: ${warnings.get(g)}` } : {}),
    testcase: cs.map((c) => ({
      '@classname': `chaingap.${c.suite}.${c.setting}`, '@name': caseName(c), '@time': 0,
      ...(c.status === 'fail' ? { failure: { '@message': c.message, '@type': c.kind === 'floor' ? 'floor' : 'regression', '#text': detail(c) } } : {}),
      ...(c.status === 'skipped' ? { skipped: { '@message': c.message } } : {}),
      ...(c.status === 'pass' ? { 'system-out': c.message } : {}),
    })),
  }));
  if (o.error) {
    suites.push({ '@name': `${o.name}: job`, '@tests': 1, '@failures': 0, '@errors': 1, '@skipped': 0, testcase: [{ '@classname': 'chaingap.job', '@name': 'the job ran to the end', '@time': o.wallSeconds, error: { '@message': o.error, '@type': 'error', '#text': o.error } }] });
  }
  const doc = {
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    testsuites: {
      '@name': o.name, '@tests': o.checks.length + (o.error ? 1 : 0), '@failures': count(o.checks, 'fail'), '@errors': o.error ? 1 : 0,
      '@skipped': count(o.checks, 'skipped'), '@time': o.wallSeconds.toFixed(1), testsuite: suites,
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, suppressEmptyNode: true }).build(doc);
}

function detail(c: CiCheck): string {
  const lines = [c.message, `current: ${c.successes}/${c.trials} = ${f3(c.value)}, 95% CI [${f3(c.ci[0])}, ${f3(c.ci[1])}]`];
  if (c.floor !== undefined) lines.push(`floor: ${c.floor}`);
  if (c.reference) lines.push(`reference: ${c.reference.successes}/${c.reference.trials} = ${f3(c.reference.value)}`);
  if (c.p !== undefined) lines.push(`test: one-sided ${c.test}, p = ${c.p.toPrecision(3)}, adjusted p = ${c.pAdjusted!.toPrecision(3)}`);
  if (c.mde !== undefined) lines.push(`minimum detectable drop: ${c.mde === null ? 'none at this n' : f3(c.mde)}`);
  return lines.join('\n');
}

const mark = (s: CiCheck['status']) => (s === 'pass' ? '✅ pass' : s === 'fail' ? '❌ fail' : '⏭️ skipped');
const where = (c: CiCheck) => `${c.suite} / ${c.setting}`;
const interval = (c: CiCheck) => (c.value === null ? 'n/a' : `${f3(c.value)} [${f3(c.ci[0])}, ${f3(c.ci[1])}] (${c.successes}/${c.trials})`);

/** The Markdown summary of a finished job. */
export function ciMarkdown(r: CiResult): string {
  const floors = r.checks.filter((c) => c.kind === 'floor');
  const cmp = r.checks.filter((c) => c.kind === 'compare');
  const failed = r.checks.filter((c) => c.status === 'fail');
  const L: string[] = [];
  L.push(`## chaingap CI: ${r.name}: ${r.status === 'pass' ? '✅ pass' : '❌ fail'}`);
  L.push('');
  const ref = r.reference
    ? `compared with \`${r.reference.file.split('/').slice(-2).join('/')}\` (policy \`${r.reference.policy}\`, recorded ${r.reference.recorded.slice(0, 10)}${r.reference.sameJob ? '' : '; **recorded for a different job definition**: chains, settings or sample sizes differ'})`
    : r.baselineWritten ? `reference written to \`${r.baselineWritten.split('/').slice(-2).join('/')}\`` : 'no reference: floors only';
  const health = Object.entries(r.physicsHealth ?? {});
  const contaminated = health.filter(([, h]) => h.contaminated);
  for (const [g, h] of contaminated) L.push(`> ⚠️ **${healthWarning(g.replace('/', ' / '), h)}**`, '');
  L.push(`Policy \`${r.policy}\`; ${ref}. Regression = one-sided drop significant at alpha ${r.rules.alpha} (${r.rules.correction === 'holm' ? `Holm over ${r.checks.filter((c) => c.p !== undefined).length} tests` : 'uncorrected'}) **and** at least ${r.rules.minEffect}. ${r.units.ran} units run, ${r.units.resumed} resumed, ${r.wallSeconds.toFixed(0)} s.`);
  L.push('');
  if (failed.length) {
    L.push('**Failed:**');
    L.push('');
    for (const c of failed) L.push(`- \`${where(c)} ${c.metric}\`: ${c.message}`);
    L.push('');
  }
  if (floors.length) {
    L.push('### Floors');
    L.push('');
    L.push(r.rules.floorRule === 'significant'
      ? '_A floor is broken when the rate is significantly below it (one-sided exact binomial test, in the same Holm family)._'
      : '_A floor is broken whenever the observed rate is below it._');
    L.push('');
    L.push('| suite / setting | metric | value [95% CI] | floor | p (adjusted) | result |');
    L.push('| --- | --- | --- | --- | --- | --- |');
    for (const c of floors) L.push(`| ${where(c)} | ${c.metric} | ${interval(c)} | ${c.floor} | ${c.p === undefined ? 'n/a' : `${c.p.toPrecision(2)} (${c.pAdjusted!.toPrecision(2)})`} | ${mark(c.status)} |`);
    L.push('');
  }
  if (cmp.length) {
    L.push('### Compared with the reference');
    L.push('');
    L.push(`| suite / setting | metric | now [95% CI] | reference | change | p (adjusted) | detects drops >= (${Math.round(r.rules.power * 100)}% power) | result |`);
    L.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const c of cmp) {
      const refTxt = c.reference ? `${f3(c.reference.value)} (${c.reference.successes}/${c.reference.trials})` : 'n/a';
      const change = c.drop === undefined ? 'n/a' : `${c.drop > 0 ? '−' : '+'}${f3(Math.abs(c.drop))}`;
      const p = c.p === undefined ? 'n/a' : `${c.p.toPrecision(2)} (${c.pAdjusted!.toPrecision(2)}, ${c.test})`;
      const mde = c.mde === undefined ? 'n/a' : c.mde === null ? 'none' : f3(c.mde);
      L.push(`| ${where(c)} | ${c.metric} | ${interval(c)} | ${refTxt} | ${change} | ${p} | ${mde} | ${mark(c.status)} |`);
    }
    L.push('');
    const blind = cmp.filter((c) => c.mde === null || (c.mde !== undefined && c.mde > 0.2));
    const names = blind.slice(0, 4).map((c) => `\`${where(c)} ${c.metric}\``).join(', ') + (blind.length > 4 ? ` and ${blind.length - 4} more` : '');
    L.push(`_What this job cannot see:_ a true drop smaller than the "detects drops" column is likely to pass unnoticed.${blind.length ? ` ${blind.length} of ${cmp.length} comparisons catch only drops above 0.2, or none (${names}); more chains, repeats or baseline episodes shrink these.` : ''}`);
    L.push('');
  }
  if (health.length) {
    L.push('### Physics health');
    L.push('');
    L.push('_sim_unstable control steps were produced by the simulator, not the policy; a result with any is contaminated by simulator artefacts (reported, not checked)._');
    L.push('');
    L.push('| suite / setting | verdict | sim_unstable control steps | chains / episodes with them | objects off the table | control steps with penetration > 5 mm | deepest penetration |');
    L.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [g, h] of health) {
      const runs = 'chains' in h ? `${h.chainsWithUnstable}/${h.chains}` : `${h.episodesWithUnstable}/${h.episodes}`;
      L.push(`| ${g.replace('/', ' / ')} | ${healthCell(h)} | ${h.unstableSteps} | ${runs} | ${h.ejectedObjects} | ${h.penetrationSteps} | ${h.maxPenetrationMm === null ? 'n/a' : `${h.maxPenetrationMm.toFixed(2)} mm`} |`);
    }
    L.push('');
  }
  return L.join('\n');
}
