/** The regression verdict of `compare --baseline`: thresholds, noise, new loss, missing figures; no broker. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { regressionJunitXml } from '../../src/report/regression-junit.js';
import { judgeRegression, renderRegression, type RegressionVerdict } from '../../src/report/regression.js';
import {
  DEFAULT_CHECKS,
  parseRegressionCheck,
  parseThresholdFlag,
  RegressionSyntaxError,
  regressionChecks,
} from '../../src/report/regression-checks.js';
import type { RunResult } from '../../src/report/result.js';
import { tempDir } from '../helpers.js';
import { validateJunit } from '../java-tools.js';
import { fixtureResult } from './report-fixtures.js';

const base = fixtureResult('kafka-pause'); // publish p99 1910.783 ms, produced 300 msg/s, lost 0 of 4200 acked

/** A copy of the baseline with some figures changed. */
function edited(change: (r: RunResult) => void, from: RunResult = base): RunResult {
  const copy = structuredClone(from);
  change(copy);
  return copy;
}

const defaults = regressionChecks(undefined, []);
const rowFor = (rows: ReturnType<typeof judgeRegression>, figure: string) => rows.find((r) => r.figure === figure)!;

test('defaults: p99 latency +10 %, throughput -5 %, no new loss, RTO +20 % when both runs measured it', () => {
  assert.deepEqual(
    defaults.map((c) => `${c.figure} ${c.change}`),
    DEFAULT_CHECKS.map(([figure, change]) => `${figure} ${change}`),
  );
  const same = judgeRegression(base, base, defaults, 'main');
  assert.ok(same.every((r) => r.status === 'ok' || r.status === 'not measured'));
  assert.equal(rowFor(same, 'rto.produce').status, 'not measured');
});

test('p99 latency: +9 % passes, +11 % regresses, with the limit and the change in the row', () => {
  const at = (p99: number) =>
    rowFor(
      judgeRegression(
        base,
        edited((r) => (r.latency.publish!.p99 = p99)),
        defaults,
        'main',
      ),
      'latency.publish.p99',
    );
  assert.equal(at(1910.783 * 1.09).status, 'ok');
  const worse = at(1910.783 * 1.11);
  assert.equal(worse.status, 'regressed');
  assert.equal(worse.limit, 2101.8613);
  assert.equal(worse.deltaPercent, 11);
  assert.equal(at(1000).status, 'ok', 'better is never a regression');
});

test('throughput: -4 % passes, -6 % regresses; higher is never a regression', () => {
  const at = (rate: number) =>
    rowFor(
      judgeRegression(
        base,
        edited((r) => (r.throughput.produced!.messagesPerSec = rate)),
        defaults,
        'main',
      ),
      'throughput.produced.messagesPerSec',
    );
  assert.equal(at(288).status, 'ok');
  assert.equal(at(282).status, 'regressed');
  assert.equal(at(400).status, 'ok');
});

test('any new loss regresses: lost 1 where the baseline lost none', () => {
  const row = rowFor(
    judgeRegression(
      base,
      edited((r) => (r.messages.lost = 1)),
      defaults,
      'main',
    ),
    'messages.lost',
  );
  assert.equal(row.status, 'regressed');
  assert.equal(row.limit, 0);
});

test('a figure the baseline measured and the run did not regresses; one the baseline lacks is not judged', () => {
  const noE2e = edited((r) => (r.latency.endToEnd = null));
  assert.equal(rowFor(judgeRegression(base, noE2e, defaults, 'main'), 'latency.endToEnd.p99').status, 'regressed');
  assert.equal(rowFor(judgeRegression(noE2e, base, defaults, 'main'), 'latency.endToEnd.p99').status, 'not measured');
});

test('RTO +20 % is judged only when both runs measured it', () => {
  const pair = fixtureResult('failover-pairs/kafka-east');
  const rto = pair.rto!.produce!;
  const slower = edited((r) => (r.rto!.produce = rto * 1.3), pair);
  assert.equal(rowFor(judgeRegression(pair, slower, defaults, 'kafka-east'), 'rto.produce').status, 'regressed');
  const unmeasured = edited((r) => (r.rto!.produce = null), pair);
  assert.equal(rowFor(judgeRegression(pair, unmeasured, defaults, 'kafka-east'), 'rto.produce').status, 'not measured');
});

test('noise: a change beyond the threshold but inside the recorded spread is not a regression', () => {
  const p99 = 1910.783;
  const run = edited((r) => (r.latency.publish!.p99 = p99 * 1.15));
  const noisyBase = edited(
    (r) => (r.repeat = { runs: 5, spread: { 'latency.publish.p99': { min: 1700, max: 2300, stdev: 200 } } }),
  );
  const row = rowFor(judgeRegression(noisyBase, run, defaults, 'main'), 'latency.publish.p99');
  assert.equal(row.status, 'within noise');
  assert.equal(row.noiseBound, 2310.783); // max(baseline + 2·200, baseline's worst repeat 2300)
  // Beyond the noise: a regression.
  const far = edited((r) => (r.latency.publish!.p99 = 2400));
  assert.equal(rowFor(judgeRegression(noisyBase, far, defaults, 'main'), 'latency.publish.p99').status, 'regressed');
  // The run's own spread widens the noise: √(200² + 150²) = 250, bound baseline + 500.
  const noisyRun = edited(
    (r) => (r.repeat = { runs: 5, spread: { 'latency.publish.p99': { min: 2000, max: 2700, stdev: 150 } } }),
    far,
  );
  const both = rowFor(judgeRegression(noisyBase, noisyRun, defaults, 'main'), 'latency.publish.p99');
  assert.equal(both.status, 'within noise');
  assert.equal(both.noiseBound, 2410.783);
  // Without spread, the threshold alone decides.
  assert.equal(rowFor(judgeRegression(base, run, defaults, 'main'), 'latency.publish.p99').status, 'regressed');
});

test('noise on a lower-is-worse figure: the bound is below the baseline', () => {
  const noisy = edited(
    (r) =>
      (r.repeat = { runs: 3, spread: { 'throughput.produced.messagesPerSec': { min: 270, max: 310, stdev: 10 } } }),
  );
  const run = edited((r) => (r.throughput.produced!.messagesPerSec = 275));
  const row = rowFor(judgeRegression(noisy, run, defaults, 'main'), 'throughput.produced.messagesPerSec');
  assert.equal(row.status, 'within noise');
  assert.equal(row.noiseBound, 270);
});

test('checks: the scenario overrides the defaults, the flags override both; off drops one; absolute changes', () => {
  const checks = regressionChecks({ 'latency.publish.p99': '+50%', 'messages.duplicated': '+0' }, [
    parseThresholdFlag('latency.publish.p99=+5%'),
    parseThresholdFlag('messages.lost=off'),
    parseThresholdFlag('latency.publish.max=+100'),
  ]);
  const by = new Map(checks.map((c) => [c.figure, c]));
  assert.equal(by.get('latency.publish.p99')?.change, '+5%');
  assert.equal(by.get('latency.publish.p99')?.source, 'flag');
  assert.equal(by.get('messages.duplicated')?.source, 'scenario');
  assert.equal(by.has('messages.lost'), false);
  const row = rowFor(
    judgeRegression(
      base,
      edited((r) => (r.latency.publish!.max += 101)),
      checks,
      'main',
    ),
    'latency.publish.max',
  );
  assert.equal(row.status, 'regressed');
  // Regional figures use the criteria's selectors.
  assert.deepEqual(parseRegressionCheck('latency.endToEnd[us-east->eu-west].p99', '+10%', 'flag')?.path, [
    'byRegion',
    'endToEnd',
    'us-east->eu-west',
    'p99',
  ]);
});

test('bad checks are refused naming the figure or the flag', () => {
  assert.throws(
    () => parseThresholdFlag('latency.publish.p99'),
    /--threshold latency.publish.p99: expected FIGURE=CHANGE/,
  );
  assert.throws(
    () => parseThresholdFlag('latency.publsh.p99=+10%'),
    /--threshold latency.publsh.p99=\+10%: unknown metric "latency.publsh.p99" \(did you mean "latency.publish.p99"\?\)/,
  );
  assert.throws(() => parseRegressionCheck('latency.publish.p99', '10%', 'scenario'), RegressionSyntaxError);
  assert.throws(() => parseRegressionCheck('latency.publish.p99', '+ten', 'scenario'), /expected a signed change/);
});

test('the verdict renders as Markdown rows and as JUnit testcases (failure per regression, skipped unmeasured)', () => {
  const rows = judgeRegression(
    base,
    edited((r) => (r.latency.publish!.p99 = 2400)),
    defaults,
    'main',
  );
  const verdict: RegressionVerdict = {
    scenario: base.scenario.name,
    baseline: 'b',
    run: 'r',
    rows,
    regressed: rows.filter((r) => r.status === 'regressed').length,
  };
  assert.match(
    renderRegression(verdict),
    /\| main \| `latency.publish.p99` \| \+10% \| 1910.783 \| 2400 \| \+25.6 % \| 2101.8613 \| — \| \*\*REGRESSED\*\*/,
  );
  const xml = regressionJunitXml(verdict);
  const file = join(tempDir('faultline-regression-junit-'), 'junit.xml');
  writeFileSync(file, xml);
  assert.match(validateJunit(file), /^valid /, 'the common JUnit XML schema (test/fixtures/junit-common.xsd)');
  assert.match(xml, /<testsuites name="faultline regression" tests="7" failures="1" errors="0"/);
  assert.match(
    xml,
    /<testcase classname="fixture-kafka-pause" name="main: regression latency.publish.p99 \+10%" time="0">\n\s+<failure message="latency.publish.p99: baseline 1910.783, run 2400 \(\+25.6 %\), allowed \+10% \(limit 2101.8613\)/,
  );
  assert.match(xml, /name="main: regression rto.produce \+20%" time="0">\n\s+<skipped message=/);
});
