/**
 * Regression verdicts on real pairs, and suites, against real local Kafka brokers behind Toxiproxy. One short
 * scenario (a producer one region away from a 1-broker Kafka, over a link of 0 ms): run --repeat 2 twice and
 * judged against itself (exit 0, no regression), and once with the link at 50 ms (--set; exit 4, publish p99
 * regressed). Then `suite` on a folder of that scenario (judged against the first run as its committed baseline),
 * one whose criterion fails, and one too long for the budget: exit 1, all three in the summary and one JUnit file.
 *
 * The scenario's regression section gives latency absolute allowances (+50 ms publish p99) instead of +10 %: a
 * 1-broker run on a shared 2-core machine moves its p99 by tens of ms between runs (15 and 31 ms in two repeats
 * here), while the 50 ms link, crossed by every request and its answer, adds at least 100 ms (a 20 ms link added
 * 54 ms at p99 here: too close to any allowance that tolerates the machine's noise).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir } from '../helpers.js';
import { validateJunit } from '../java-tools.js';

expectNoProcessLeftAfterEach();

const scenario = (name: string, extra = '') => `name: ${name}
regions: [near, far]
links: [{between: [near, far], latency: 0ms}]
clusters: [{name: main, system: kafka, provider: local, brokers: 1, region: near, heap: 512MiB}]
topics: [{name: t, partitions: 2}]
workload:
  warmup: 1s
  duration: 3s
  drainTimeout: 10s
  messageSize: 256B
  rate: 500/s
  producers: 1
  consumers: 1
  placement: {producers: [far], consumers: [near]}
regression:
  latency.publish.p99: "+50"
  latency.endToEnd.p99: "+100"
  throughput.produced.messagesPerSec: "-20%"
  throughput.consumed.messagesPerSec: "-20%"
${extra}`;

const work = tempDir('faultline-repeat-');
const file = join(work, 'repeat-link.yaml');
writeFileSync(file, scenario('repeat-link'));
const baseline = join(work, 'baseline');

test('bad --repeat: exit 2 naming the flag, nothing started', async () => {
  for (const bad of ['0', '1.5']) {
    const result = await runCli(['run', file, '--repeat', bad, '--out', join(work, 'never')]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim(), `--repeat ${bad}: expected a whole number of runs, 1 or more`);
  }
  assert.equal(existsSync(join(work, 'never')), false);
});

test('suite on bad input: exit 2 naming the flag or the folder; an invalid file is listed, the rest still judged', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['suite', join(work, 'nowhere')], /nowhere: not a folder/],
    [['suite', work, '--budget', 'soon'], /^--budget soon: expected a duration above 0/],
    [['suite', work, '--repeat', '0'], /^--repeat 0: expected a whole number/],
  ];
  for (const [args, expected] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr.trim(), expected);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
  const folder = join(work, 'bad-suite');
  mkdirSync(folder);
  writeFileSync(join(folder, 'a-typo.yaml'), scenario('typo').replace('partitions: 2', 'partiton: 2'));
  writeFileSync(join(folder, 'b-fine.yaml'), scenario('fine'));
  const out = join(work, 'bad-suite-out');
  // A budget of 1 s: the valid scenario is skipped, so no broker starts.
  const result = await runCli(['suite', folder, '--budget', '1s', '--out', out, '--quiet']);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    /\| 1 \| — \| .*a-typo.yaml \| ⛔ invalid \| 2 \| .*topics\[0\]\.partiton: unknown field/,
  );
  assert.match(result.stdout, /\| 2 \| fine \| .*b-fine.yaml \| ⏭ skipped \| — \|/);
});

test('repeated runs of the same scenario: no regression (exit 0); with a 50 ms link: publish p99 regressed (exit 4)', async () => {
  const first = await runCli(['run', file, '--repeat', '2', '--out', baseline, '--quiet']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  for (const k of [1, 2]) assert.equal(readResult(join(baseline, `repeat-${k}`)).status, 'passed');
  const combined = readResult(baseline);
  assert.equal(combined.repeat.runs, 2);
  assert.deepEqual(combined.repeat.dirs, ['repeat-1', 'repeat-2']);
  const p99 = combined.repeat.spread['latency.publish.p99'];
  assert.equal(p99.values.length, 2);
  const repeatsP99 = [1, 2].map((k) => readResult(join(baseline, `repeat-${k}`)).latency.publish.p99 as number);
  assert.deepEqual(p99.values, repeatsP99);
  assert.equal(combined.latency.publish.p99, Math.round(((repeatsP99[0]! + repeatsP99[1]!) / 2) * 1e6) / 1e6);
  assert.equal(
    combined.messages.sent,
    [1, 2].reduce((n, k) => n + readResult(join(baseline, `repeat-${k}`)).messages.sent, 0),
  );
  assert.match(readFileSync(join(baseline, 'report.md'), 'utf8'), /## Repeats[\s\S]*\| `latency.publish.p99` \|/);

  const again = join(work, 'again');
  const second = await runCli(['run', file, '--repeat', '2', '--out', again, '--quiet']);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  const same = await runCli(['compare', '--baseline', baseline, again, '--scenario', file]);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /no regression against .*baseline \(7 checks\)/);

  const slow = join(work, 'slow');
  const linked = await runCli(['run', file, '--set', 'links[0].latency=50ms', '--out', slow, '--quiet']);
  assert.equal(linked.code, 0, linked.stdout + linked.stderr);
  const worse = await runCli(['compare', '--baseline', baseline, slow, '--scenario', file]);
  assert.equal(worse.code, 4, worse.stdout + worse.stderr);
  assert.match(
    worse.stdout,
    /REGRESSED {2}main: latency\.publish\.p99 \+50 {2}baseline [\d.]+, run [\d.]+: above the limit/,
  );
  process.stdout.write(
    `# publish p99: baseline ${combined.latency.publish.p99} ms (${p99.values.join(', ')}), again ${readResult(again).latency.publish.p99} ms, 50 ms link ${readResult(slow).latency.publish.p99} ms\n`,
  );
});

test('suite: the scenarios of a folder in name order; a failing criterion exits 1, one skipped by the budget', async () => {
  assert.ok(existsSync(join(baseline, 'result.json')), 'the previous test wrote the baseline');
  const folder = join(work, 'suite');
  mkdirSync(folder);
  writeFileSync(join(folder, 'a-link.yaml'), scenario('repeat-link'));
  writeFileSync(
    join(folder, 'b-fails.yaml'),
    scenario('repeat-fails', 'criteria:\n  - throughput.produced.messagesPerSec > 1000000\n  - messages.lost == 0\n'),
  );
  writeFileSync(join(folder, 'c-long.yaml'), scenario('repeat-long').replace('duration: 3s', 'duration: 30m'));
  writeFileSync(join(folder, 'notes.txt'), 'not a scenario\n');
  const baselines = join(work, 'baselines');
  cpSync(baseline, join(baselines, 'repeat-link'), { recursive: true });
  const out = join(work, 'suite-out');
  const junit = join(work, 'suite-junit.xml');
  const result = await runCli([
    'suite',
    folder,
    '--out',
    out,
    '--budget',
    '5m',
    '--baseline-dir',
    baselines,
    '--junit',
    junit,
    '--quiet',
  ]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const summary = readFileSync(join(out, 'suite-summary.md'), 'utf8');
  assert.ok(result.stdout.includes(summary.trim()), 'stdout prints the summary table');
  assert.match(summary, /3 scenario\(s\): 1 passed, 1 failed, 1 skipped/);
  assert.match(summary, /\| 1 \| repeat-link \| .*a-link.yaml \| ✅ passed \| 0 \| 0\/0 \| none \(7 checks\) \|/);
  assert.match(
    summary,
    /\| 2 \| repeat-fails \| .*b-fails.yaml \| ❌ criteria failed \| 1 \| 1\/2 \| no baseline \|.*failed throughput.produced.messagesPerSec > 1000000/,
  );
  assert.match(summary, /\| 3 \| repeat-long \| .*c-long.yaml \| ⏭ skipped \| — \|.*it would end after the budget/);
  const json = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8'));
  assert.equal(json.exitCode, 1);
  assert.deepEqual(
    json.entries.map((e: { verdict: string }) => e.verdict),
    ['passed', 'failed', 'skipped'],
  );
  assert.equal(readResult(join(out, 'repeat-link')).status, 'passed');
  assert.ok(existsSync(join(out, 'repeat-link', 'regression', 'comparison.md')));
  assert.match(validateJunit(junit), /^valid /);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /name="main: throughput.produced.messagesPerSec &gt; 1000000" time="0">\n\s+<failure/);
  assert.match(xml, /name="main: regression latency.publish.p99 \+50" time="0"\/>/);
  assert.match(xml, /<testcase classname="repeat-long" name="scenario" time="0">\n\s+<skipped message="skipped: /);
});
