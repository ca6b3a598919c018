/**
 * The outputs of a real run of two parts (two single-broker Kafka clusters, one after the other): each part prints
 * its progress in CI logs, and writes result.json, report.md with its charts, report.html, .hlog files that
 * HdrHistogram's reader reads, a JUnit file valid in the common shape and a CI summary; the run writes the
 * comparison in Markdown and HTML.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';
import { readHlog, validateJunit } from '../java-tools.js';

expectNoProcessLeftAfterEach();

const scenario = `name: it-outputs
clusters:
  - {name: first, system: kafka, provider: local, brokers: 1}
  - {name: second, system: kafka, provider: local, brokers: 1}
topics:
  - {name: t, partitions: 2, replicationFactor: 1}
workload:
  warmup: 1s
  duration: 5s
  messageSize: 256B
  rate: 300/s
  producers: 1
  consumers: 1
  drainTimeout: 10s
criteria:
  - messages.lost == 0
  - latency.publish.p99 < 1us
`;

test('a run of two parts: progress for each, every output of each, the comparison, JUnit, summary, .hlog', async () => {
  const out = tempDir();
  const junit = join(out, 'ci', 'junit.xml');
  const summary = join(out, 'ci', 'summary.md');
  const run = await runCli(
    ['run', writeScenario(scenario), '--out', out, '--junit', junit, '--summary', summary, '--hlog'],
    { env: { GITHUB_STEP_SUMMARY: '' } },
  );
  assert.equal(run.code, 1, `the impossible criterion fails the run\n${run.stderr}`);
  for (const part of ['first', 'second']) {
    assert.match(run.stderr, new RegExp(`faultline: \\[${part} (warmup|measure) \\d+s/\\d+s\\] produced \\d+/s`));
    const dir = join(out, part);
    const r = readResult(dir);
    assert.equal(r.status, 'failed');
    assert.ok(Date.parse(r.loadStartedAt) > Date.parse(r.startedAt), 'the load started after the run');
    assert.ok(
      r.timeline.some((p: { publishMax?: number }) => (p.publishMax ?? 0) > 0),
      'per-second max',
    );
    for (const file of ['report.md', 'report.html', 'charts/throughput.svg', 'charts/latency-spectrum.svg'])
      assert.ok(existsSync(join(dir, file)), `${part}/${file}`);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<figure class="chart" id="chart-throughput" data-points="\d+"><svg /);
    assert.doesNotMatch(html, /<script|src="http|href="http/);
    const publish = await readHlog(join(dir, 'publish.hlog'));
    assert.ok(Math.abs(publish.startTimeSec - Date.parse(r.loadStartedAt) / 1000) < 0.001);
    type Point = { phase: string; produced: number; consumed: number };
    const afterWarmup = (r.timeline as Point[]).filter((p) => p.phase !== 'warmup');
    assert.equal(
      publish.total?.count,
      afterWarmup.reduce((n, p) => n + p.produced, 0),
      'one sample per ack',
    );
    const endToEnd = await readHlog(join(dir, 'end-to-end.hlog'));
    assert.equal(
      endToEnd.total?.count,
      afterWarmup.reduce((n, p) => n + p.consumed, 0),
      'one per delivery',
    );
  }
  for (const file of ['comparison.md', 'comparison.json', 'comparison.html'])
    assert.ok(existsSync(join(out, file)), file);
  assert.match(readFileSync(join(out, 'comparison.html'), 'utf8'), /id="chart-spectrum-publish"/);
  assert.match(validateJunit(junit), /^valid /);
  const xml = readFileSync(junit, 'utf8');
  assert.equal(xml.match(/<testsuite /g)?.length, 2);
  assert.match(
    xml,
    /<testcase classname="it-outputs" name="second: latency.publish.p99 &lt; 1us" time="0">\n\s+<failure message="latency.publish.p99 &lt; 1us: actual [\d.]+, threshold [\d.e-]+"/,
  );
  const text = readFileSync(summary, 'utf8');
  assert.match(text, /### ❌ it-outputs on first[\s\S]*### ❌ it-outputs on second[\s\S]*### Comparison/);
});
