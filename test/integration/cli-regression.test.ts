/**
 * `faultline compare --baseline BASE RUN` on result fixtures of real runs (test/fixtures/reports): the verdict, its
 * exit code (0 none, 4 a regression, 2 bad input) and its outputs. No broker is started.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';

const reports = 'test/fixtures/reports';
const base = `${reports}/kafka-pause`;
/** The same result with publish p99 edited from 1910.783 to 2400 ms (+25.6 %): see the fixtures' README. */
const regressed = `${reports}/kafka-pause-regressed`;

test('a run against itself: no regression, exit 0; both runs side by side in comparison.md', async () => {
  const out = tempDir('faultline-regression-');
  const result = await runCli(['compare', '--baseline', base, base, '-o', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /no regression against .*kafka-pause \(7 checks\)/);
  const markdown = readFileSync(join(out, 'comparison.md'), 'utf8');
  assert.match(markdown, /## Regression against the baseline/);
  assert.match(markdown, /\| main \| `latency.publish.p99` \| \+10% \| 1910.783 \| 1910.783 \|/);
});

test('p99 +25.6 % against the default +10 %: a regression, exit 4, in comparison.md/json and JUnit', async () => {
  const out = tempDir('faultline-regression-');
  const junit = join(out, 'junit.xml');
  const result = await runCli(['compare', '--baseline', `${base}/result.json`, regressed, '-o', out, '--junit', junit]);
  assert.equal(result.code, 4, result.stderr);
  assert.match(
    result.stdout,
    /REGRESSED {2}main: latency.publish.p99 \+10% {2}baseline 1910.783, run 2400: above the limit/,
  );
  assert.match(result.stdout, /1 regression against/);
  const json = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
  assert.equal(json.regression.regressed, 1);
  assert.deepEqual(
    json.regression.rows
      .filter((r: { status: string }) => r.status === 'regressed')
      .map((r: { figure: string }) => r.figure),
    ['latency.publish.p99'],
  );
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /tests="7" failures="1"/);
  assert.match(
    xml,
    /name="main: regression latency.publish.p99 \+10%" time="0">\n\s+<failure message="latency.publish.p99: baseline 1910.783, run 2400/,
  );
});

test('thresholds from a flag or from the scenario replace the default: +30 % lets the same run pass', async () => {
  const flag = await runCli([
    'compare',
    '--baseline',
    base,
    regressed,
    '-o',
    tempDir(),
    '--threshold',
    'latency.publish.p99=+30%',
  ]);
  assert.equal(flag.code, 0, flag.stdout + flag.stderr);
  const scenario = join(tempDir(), 'kafka-pause.yaml');
  copyFileSync(`${reports}/kafka-pause.yaml`, scenario);
  writeFileSync(scenario, `${readFileSync(scenario, 'utf8')}regression:\n  latency.publish.p99: "+30%"\n`, {
    flag: 'w',
  });
  const fromScenario = await runCli([
    'compare',
    '--baseline',
    base,
    regressed,
    '-o',
    tempDir(),
    '--scenario',
    scenario,
  ]);
  assert.equal(fromScenario.code, 0, fromScenario.stdout + fromScenario.stderr);
  assert.match(fromScenario.stdout, /ok +main: latency.publish.p99 \+30%/);
  // The flag wins over the scenario.
  const both = await runCli([
    'compare',
    '--baseline',
    base,
    regressed,
    '-o',
    tempDir(),
    '--scenario',
    scenario,
    '--threshold',
    'latency.publish.p99=+20%',
  ]);
  assert.equal(both.code, 4, both.stdout + both.stderr);
});

test('bad baselines and checks: exit 2, one line naming the file or the flag, no stack', async () => {
  const notAResult = join(tempDir(), 'result.json');
  writeFileSync(notAResult, '{"hello": "world"}\n');
  const twoRuns = tempDir('faultline-two-runs-');
  for (const run of ['a', 'b']) {
    mkdirSync(join(twoRuns, run));
    copyFileSync(`${base}/result.json`, join(twoRuns, run, 'result.json'));
  }
  const cases: Array<[string[], RegExp]> = [
    [['compare', '--baseline', twoRuns, base], /holds several runs of cluster "main" .*: name one run's directory/],
    [
      ['compare', '--baseline', `${reports}/failover-pairs`, base],
      /failover-pairs\/kafka-east\/result.json: the baseline is a result of scenario "fixture-failover-pairs", not of "fixture-kafka-pause"/,
    ],
    [['compare', '--baseline', notAResult, base], /result.json: not a faultline result/],
    [['compare', '--baseline', 'README.md', base], /README.md: not a readable result.json/],
    [['compare', '--baseline', '/nonexistent/run', base], /\/nonexistent\/run: no such file or directory/],
    [
      ['compare', '--baseline', base, base, '--threshold', 'latency.publish.p99=10%'],
      /--threshold latency.publish.p99=10%: latency.publish.p99: expected a signed change/,
    ],
    [['compare', '--baseline', base, base, regressed], /takes one run to judge, got 2/],
    [['compare', base, regressed, '--threshold', 'messages.lost=off'], /go with --baseline/],
  ];
  for (const [args, expected] of cases) {
    const result = await runCli([...args, '-o', tempDir()]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, expected);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test("a scenario's regression section is validated like the rest of the file", async () => {
  const scenario = join(tempDir(), 'bad.yaml');
  writeFileSync(
    scenario,
    `${readFileSync(`${reports}/kafka-pause.yaml`, 'utf8')}regression:\n  latency.publsh.p99: "+10%"\n  messages.lost: 5\n`,
  );
  const result = await runCli(['validate', scenario]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /bad.yaml:\d+:\d+: regression\.latency\.publsh\.p99: unknown metric "latency.publsh.p99" \(did you mean "latency.publish.p99"\?\)/,
  );
  assert.match(result.stderr, /bad.yaml:\d+:\d+: regression\.messages\.lost: write the change with its sign, quoted/);
});
