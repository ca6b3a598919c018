/**
 * The arithmetic of `run --repeat` (median, sample σ, spread, the combined result of a real run's repeats) and of
 * `suite` (estimates from a plan's shape, the budget's decisions, the worst exit code, the summary and one JUnit
 * file). Pure logic on real-run fixtures; the real runs are in test/integration/cli-repeat-suite.test.ts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { judgeRegression } from '../../src/report/regression.js';
import { regressionChecks } from '../../src/report/regression-checks.js';
import { renderTemplate } from '../../src/report/markdown-report.js';
import type { RunResult } from '../../src/report/result.js';
import { suiteJunitXml, suiteSummary, type SuiteReport } from '../../src/report/suite-report.js';
import { combineRepeats, spreadFigures } from '../../src/run/combine-repeats.js';
import { parseRepeat } from '../../src/run/repeat-runs.js';
import { median, sampleStdev, spreadOf } from '../../src/run/repeat-math.js';
import { budgetDecision, estimateMs, parseBudget, STARTUP_ALLOWANCE_MS } from '../../src/run/suite-budget.js';
import { type SuiteEntry, worstExitCode } from '../../src/run/suite.js';
import { tempDir } from '../helpers.js';
import { validateJunit } from '../java-tools.js';
import { fixtureResult } from './report-fixtures.js';

test('median: the middle value, the mean of the two middle ones for an even count, order free', () => {
  assert.equal(median([3]), 3);
  assert.equal(median([9, 1, 5]), 5);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, 20]), 15);
  assert.throws(() => median([]), /median of no values/);
});

test('sample standard deviation (n − 1); 0 for one value', () => {
  assert.equal(sampleStdev([5]), 0);
  assert.equal(sampleStdev([1, 4]), 2.12132); // √((1.5² + 1.5²) / 1)
  assert.equal(sampleStdev([2, 4, 4, 4, 5, 5, 7, 9]), 2.13809); // population σ would be 2
  assert.equal(sampleStdev([7, 7, 7]), 0);
});

test('spread: min, max, σ and the values in repeat order; none when a repeat did not measure the figure', () => {
  assert.deepEqual(spreadOf([12, 10, 14]), { min: 10, max: 14, stdev: 2, values: [12, 10, 14] });
  assert.equal(spreadOf([12, null]), null);
  assert.equal(spreadOf([]), null);
});

test('--repeat takes a whole number ≥ 1; anything else names the flag (exit 2)', () => {
  assert.equal(parseRepeat('3'), 3);
  for (const bad of ['0', '-1', '1.5', 'two', '', '2x']) {
    assert.throws(
      () => parseRepeat(bad),
      (error: Error & { exitCode?: number }) =>
        error.exitCode === 2 && error.message.startsWith(`--repeat ${bad}: expected a whole number`),
    );
  }
});

/** A real run's result with figures set as each repeat measured them. */
function repeatOf(p99: number, rate: number, lost: number, passed = true): RunResult {
  const r = structuredClone(fixtureResult('kafka-pause'));
  r.latency.publish!.p99 = p99;
  r.throughput.produced!.messagesPerSec = rate;
  r.messages.lost = lost;
  r.criteria = [{ expression: 'latency.publish.p99 < 3000ms', actual: p99, threshold: 3000, passed }];
  return r;
}

test('combined result: medians of figures, totals of the books, spread per figure, worst status and criteria', () => {
  const repeats = [repeatOf(100, 1000, 0), repeatOf(140, 980, 2, false), repeatOf(120, 990, 0)];
  repeats[1]!.status = 'failed';
  const sent = repeats[0]!.messages.sent;
  const figures = spreadFigures(undefined, ['latency.publish.p99 < 3000ms', 'messages.lost == 0']);
  assert.ok(figures.includes('latency.publish.p99') && !figures.includes('messages.lost'));
  const combined = combineRepeats(repeats, figures, ['repeat-1', 'repeat-2', 'repeat-3']);
  assert.equal(combined.latency.publish!.p99, 120);
  assert.equal(combined.throughput.produced!.messagesPerSec, 990);
  assert.equal(combined.messages.lost, 2, 'a loss in any repeat shows: the books are totals');
  assert.equal(combined.messages.sent, sent * 3);
  assert.equal(combined.status, 'failed');
  assert.deepEqual(combined.repeat, {
    runs: 3,
    dirs: ['repeat-1', 'repeat-2', 'repeat-3'],
    spread: combined.repeat!.spread,
  });
  assert.deepEqual(combined.repeat!.spread['latency.publish.p99'], {
    min: 100,
    max: 140,
    stdev: 20,
    values: [100, 140, 120],
  });
  assert.equal(combined.repeat!.spread['messages.lost'], undefined, 'a count is no noise');
  assert.deepEqual(combined.criteria, [
    {
      expression: 'latency.publish.p99 < 3000ms',
      actual: 120,
      threshold: 3000,
      passed: false,
      note: 'median of 3 repeats (100, 140, 120); failed in repeat 2',
    },
  ]);
  assert.deepEqual(combined.timeline, []);
  assert.deepEqual(combined.histograms, {});
  assert.match(combined.warnings[0]!, /^3 repeats, each on a fresh cluster/);
  // The report shows the spread.
  const markdown = renderTemplate('{{table:repeat}}', combined);
  assert.match(markdown, /## Repeats/);
  assert.match(markdown, /\| `latency.publish.p99` \| 120 \| 100 \| 140 \| 20 \| 100, 140, 120 \|/);
});

test('a figure measured in some repeats only is null in the combined result, and said', () => {
  const a = repeatOf(100, 1000, 0);
  const b = repeatOf(110, 1000, 0);
  b.latency.endToEnd = null;
  const combined = combineRepeats([a, b], spreadFigures(undefined, []), ['repeat-1', 'repeat-2']);
  assert.equal(combined.latency.endToEnd, null);
  assert.ok(combined.warnings.some((w) => /latency.endToEnd: measured in 1 of 2 repeats/.test(w)));
  assert.equal(combined.repeat!.spread['latency.endToEnd.p99'], undefined);
});

test('the verdict reads the spread a repeated run records: inside the noise is no regression', () => {
  const figures = spreadFigures(undefined, []);
  const base = combineRepeats([repeatOf(100, 1000, 0), repeatOf(130, 1000, 0)], figures, ['a', 'b']);
  const run = combineRepeats([repeatOf(120, 1000, 0), repeatOf(125, 1000, 0)], figures, ['a', 'b']);
  const checks = regressionChecks(undefined, []);
  const p99 = judgeRegression(base, run, checks, 'main').find((r) => r.figure === 'latency.publish.p99')!;
  // baseline median 115, limit 126.5; run 122.5 is within +10 %.
  assert.equal(p99.status, 'ok');
  const slower = combineRepeats([repeatOf(128, 1000, 0), repeatOf(132, 1000, 0)], figures, ['a', 'b']);
  const noisy = judgeRegression(base, slower, checks, 'main').find((r) => r.figure === 'latency.publish.p99')!;
  // 130 > 126.5, but the bound is max(115 + 2·√(21.21² + 2.83²), 130) = 157.8: within noise.
  assert.equal(noisy.status, 'within noise', noisy.reason);
  const far = combineRepeats([repeatOf(300, 1000, 0), repeatOf(310, 1000, 0)], figures, ['a', 'b']);
  assert.equal(
    judgeRegression(base, far, checks, 'main').find((r) => r.figure === 'latency.publish.p99')!.status,
    'regressed',
  );
});

test('estimate: per part, start-up allowance plus warm-up, window and the whole drain bound, times the repeats', () => {
  const shape = {
    warmupMs: 2000,
    durationMs: 10_000,
    drainTimeoutMs: 5000,
    parts: [[{ provider: 'local' as const, system: 'kafka' as const }]],
  };
  const kafka = STARTUP_ALLOWANCE_MS.local.kafka;
  assert.equal(estimateMs(shape), kafka + 17_000);
  assert.equal(estimateMs(shape, 3), 3 * (kafka + 17_000));
  const pair = {
    ...shape,
    parts: [
      [{ provider: 'local' as const, system: 'kafka' as const }],
      [
        { provider: 'local' as const, system: 'pulsar' as const },
        { provider: 'external' as const, system: 'kafka' as const },
      ],
    ],
  };
  assert.equal(
    estimateMs(pair),
    kafka + 17_000 + STARTUP_ALLOWANCE_MS.local.pulsar + STARTUP_ALLOWANCE_MS.external.kafka + 17_000,
  );
});

test('budget: a scenario starts only if its estimated end falls within the budget', () => {
  assert.deepEqual(budgetDecision(0, 60_000, 120_000), { start: true });
  assert.deepEqual(budgetDecision(60_000, 60_000, 120_000), { start: true });
  const over = budgetDecision(61_000, 60_000, 120_000);
  assert.equal(over.start, false);
  assert.match(!over.start ? over.reason : '', /estimated at 1m, it would end after the budget \(59s of 2m left\)/);
  const spent = budgetDecision(125_000, 1000, 120_000);
  assert.match(!spent.start ? spent.reason : '', /the budget \(2m\) was spent \(2m05s elapsed\)/);
  assert.equal(parseBudget('40m'), 2_400_000);
  assert.equal(parseBudget('90s'), 90_000);
  for (const bad of ['0s', 'soon', '-5m'])
    assert.throws(
      () => parseBudget(bad),
      (error: Error & { exitCode?: number }) => error.exitCode === 2 && error.message.startsWith(`--budget ${bad}:`),
    );
});

test('the suite exits with its worst code: 0 < 1 < 4 < 2 < 3 < 130; a skipped scenario changes nothing', () => {
  assert.equal(worstExitCode([]), 0);
  assert.equal(worstExitCode([0, null, 0]), 0);
  assert.equal(worstExitCode([0, 1, 0]), 1);
  assert.equal(worstExitCode([1, 4]), 4);
  assert.equal(worstExitCode([4, 2, 1]), 2);
  assert.equal(worstExitCode([2, 3, 4]), 3);
  assert.equal(worstExitCode([3, 130]), 130);
});

test('summary table and one JUnit file (valid against the common schema) of a suite with every verdict', () => {
  const passed = fixtureResult('kafka-pause');
  const entry = (e: Partial<SuiteEntry>): SuiteEntry => ({
    file: 'scenarios/x.yaml',
    name: 'x',
    verdict: 'passed',
    exitCode: 0,
    estimateMs: 60_000,
    durationMs: 30_000,
    dir: '/tmp/x',
    reason: '',
    regression: null,
    results: [],
    ...e,
  });
  const base = fixtureResult('kafka-pause');
  const worse = fixtureResult('kafka-pause-regressed');
  const rows = judgeRegression(base, worse, regressionChecks(undefined, []), 'main');
  const report: SuiteReport = {
    dir: 'nightly',
    outDir: '/tmp/out',
    budgetMs: 2_400_000,
    baselineDir: 'baselines',
    repeat: 1,
    startedAt: '2026-12-05T01:00:00Z',
    endedAt: '2026-12-05T01:30:00Z',
    exitCode: 4,
    entries: [
      entry({ file: 'nightly/a.yaml', name: 'a', results: [passed] }),
      entry({
        file: 'nightly/b.yaml',
        name: 'fixture-kafka-pause',
        verdict: 'regressed',
        exitCode: 4,
        results: [worse],
        regression: {
          baseline: 'baselines/fixture-kafka-pause',
          verdict: { scenario: 'fixture-kafka-pause', baseline: 'b', run: 'r', rows, regressed: 1 },
        },
        reason: 'regressed against baselines/fixture-kafka-pause: main: latency.publish.p99',
      }),
      entry({ file: 'nightly/c.yaml', name: null, verdict: 'invalid', exitCode: 2, reason: 'c.yaml:3:5: bad' }),
      entry({
        file: 'nightly/d.yaml',
        name: 'd',
        verdict: 'skipped',
        exitCode: null,
        durationMs: null,
        reason: 'late',
      }),
    ],
  };
  const summary = suiteSummary(report);
  assert.match(summary, /4 scenario\(s\): 1 passed, 1 regressed, 1 invalid, 1 skipped/);
  assert.match(
    summary,
    /\| 2 \| fixture-kafka-pause \| nightly\/b.yaml \| 📉 regressed \| 4 \| .* \| \*\*1 of 7\*\* \|/,
  );
  assert.match(summary, /\| 4 \| d \| nightly\/d.yaml \| ⏭ skipped \| — \| — \| — \| — \(1m\) \| late \|/);
  const xml = suiteJunitXml(report);
  const file = join(tempDir('faultline-suite-junit-'), 'junit.xml');
  writeFileSync(file, xml);
  assert.match(validateJunit(file), /^valid /);
  // a and b each fail the fixture's own criterion (p99 < 100ms), b also its p99 regression check; c is an error.
  assert.match(xml, /<testsuites name="faultline suite" tests="\d+" failures="3" errors="1"/);
  assert.match(xml, /name="main: regression latency.publish.p99 \+10%" time="0">\n\s+<failure/);
  assert.match(xml, /<skipped message="skipped: late"\/>/);
  assert.match(xml, /<error message="invalid: c.yaml:3:5: bad" type="invalid">/);
});
