/**
 * Every consumer group keeps its own books, on a real Kafka broker behind real Toxiproxy: two regions 5 ms apart,
 * a consumer group in each. Each group's books are exact (every acknowledged message consumed, none lost), the
 * overall end-to-end covers both groups' deliveries, and criteria on one group's books are judged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

test('consumers in two regions: each group has its own exact books, the overall end-to-end covers both, group criteria are judged', async (t) => {
  const out = tempDir();
  const file = writeScenario(`name: group-books
regions: [near, far]
links: [{between: [near, far], latency: 5ms}]
clusters: [{name: solo, system: kafka, region: near, heap: 512MiB}]
topics: [{name: t, partitions: 2}]
workload: {warmup: 2s, duration: 8s, rate: 100/s, producers: 1, consumers: 1, drainTimeout: 20s, placement: {producers: [near], consumers: [near, far]}}
criteria:
  - messages.lost == 0
  - messages.lost[far] == 0
  - messages.duplicated[near] == 0
  - messages.consumed[far] >= 1000
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  const r = readResult(out);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const acked: number = r.messages.acked;
  assert.equal(acked, r.messages.sent, 'every send acknowledged');
  assert.deepEqual(Object.keys(r.messages.byGroup), ['near', 'far']);
  for (const region of ['near', 'far']) {
    const g = r.messages.byGroup[region];
    assert.deepEqual(
      [g.consumed, g.lost, g.lostVerified, g.caughtUp, g.foundByFinalRead, g.consumedUnacked],
      [acked, 0, true, true, 0, 0],
      `${region}: ${JSON.stringify(g)}`,
    );
  }
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.consumed, 2 * acked, 'deliveries summed over both groups');
  // The overall end-to-end holds every group's first deliveries (warm-up excluded), as the pairs do.
  const pairs = r.byRegion.endToEnd;
  t.diagnostic(
    `acked ${acked}; books ${JSON.stringify(r.messages.byGroup)}; end-to-end p50 near->near ${pairs['near->near']?.p50} ms, near->far ${pairs['near->far']?.p50} ms, overall ${r.latency.endToEnd?.p50} ms (count ${r.latency.endToEnd?.count})`,
  );
  assert.ok(pairs['near->near'].count > 0 && pairs['near->far'].count > 0);
  assert.equal(r.latency.endToEnd.count, pairs['near->near'].count + pairs['near->far'].count);
  assert.equal(pairs['near->near'].count, pairs['near->far'].count, 'both groups got the same measured messages');
  assert.deepEqual(
    r.criteria.map((c: { expression: string; actual: number; passed: boolean }) => [c.expression, c.actual, c.passed]),
    [
      ['messages.lost == 0', 0, true],
      ['messages.lost[far] == 0', 0, true],
      ['messages.duplicated[near] == 0', 0, true],
      ['messages.consumed[far] >= 1000', acked, true],
    ],
  );
});

test('selectors that name no traffic: validate exits 2 with file, line and field', async () => {
  const file = writeScenario(`name: no-traffic
regions: [near, far]
links: [{between: [near, far], latency: 5ms}]
clusters: [{name: solo, system: kafka, region: near}]
topics: [{name: t}]
workload: {duration: 5s, rate: 10/s, placement: {producers: [near], consumers: [near]}}
criteria:
  - messages.lost[far] == 0
  - latency.endToEnd[far->near].p99 < 1s
  - messages.lost[near] == 0
`);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /:8:\d+: criteria\[0\]: no consumer group reads in "far"/);
  assert.match(result.stderr, /:9:\d+: criteria\[1\]: no producer sits in "far"/);
  assert.doesNotMatch(result.stderr, /criteria\[2\]/);
  const local = writeScenario(`name: no-regions
clusters: [{name: solo, system: kafka}]
topics: [{name: t}]
workload: {duration: 5s, rate: 10/s}
criteria: ['latency.publish[local].p99 < 1s']
`);
  const refused = await runCli(['validate', local]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /:5:\d+: criteria\[0\]: .*no regions are declared/);
});
