/**
 * The max sustainable rate search against a real Kafka broker whose producer sits behind a real Toxiproxy link
 * capped by a bandwidth toxic: the search must land within 10 % of what the link can carry (cap ÷ message size),
 * never above it, and converge to its precision in a bounded number of steps.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

const CAP_BYTES_PER_SEC = 500_000; // 500KB: Toxiproxy's bandwidth toxic, in KB of 1000 B
const MESSAGE_BYTES = 1024;
/**
 * What each message costs on the wire besides its value, in a Kafka v2 record batch: about 12 B of record framing
 * (length, attributes, timestamp and offset deltas, key and value lengths, header count), plus 61 B of batch header
 * and some 70 B of produce request (header, client id, topic, partition) per batch. With one send in flight
 * (maxInFlightBatches: 1) due messages gather into one batch while a send is out, so near the cap batches hold
 * tens of messages and the per-batch bytes nearly vanish: the link carries about cap ÷ (1024 + 12) ≈ 483 msg/s.
 */
const RECORD_OVERHEAD_BYTES = 12;

test('max-rate search behind a 500 KB/s Toxiproxy bandwidth cap finds a rate within 10 % of cap ÷ message size, converged within 5 %', async () => {
  const out = tempDir();
  const file = writeScenario(`name: max-rate-capped
regions: [dc, edge]
links: [{between: [edge, dc], latency: 0ms, bandwidth: 500KB}]
clusters: [{name: solo, system: kafka, region: dc, heap: 512MiB}]
topics: [{name: t, partitions: 1}]
workload:
  messageSize: 1KiB
  producers: 1
  consumers: 0
  maxInFlightBatches: 1
  placement: {producers: [edge]}
  rate: {find: max, while: "latency.publish.p99 < 100ms", from: 200/s, stepWarmup: 1s, stepDuration: 3s, stepDrain: 3s}
criteria: ["messages.failed == 0"]
`);
  const began = performance.now();
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 180_000 });
  const tookS = (performance.now() - began) / 1000;
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const r = readResult(out);
  const m = r.maxRate;
  const steps = m.steps
    .map((s: any) => `${s.rate}/s ${s.passed ? 'pass' : 'fail'} (p99 ${s.figures[0].actual} ms, acked ${s.achieved}/s)`)
    .join(', ');
  const nominal = CAP_BYTES_PER_SEC / MESSAGE_BYTES; // 488 msg/s
  const ceiling = CAP_BYTES_PER_SEC / (MESSAGE_BYTES + RECORD_OVERHEAD_BYTES); // ≈ 483 msg/s
  console.log(
    `# max rate ${m.rate}/s (cap ÷ size ${nominal.toFixed(1)}, ceiling with record overhead ${ceiling.toFixed(1)}); interval [${m.interval.passed}, ${m.interval.failed}] width ${m.interval.width}; ${m.steps.length} steps in ${(m.tookMs / 1000).toFixed(1)} s (run ${tookS.toFixed(1)} s): ${steps}`,
  );
  assert.equal(m.end, 'converged', steps);
  assert.ok(Math.abs(m.rate - nominal) <= 0.1 * nominal, `max rate ${m.rate}/s vs ${nominal.toFixed(1)}: ${steps}`);
  // Never above what the link can carry: the acknowledged payload of the chosen step fits through the cap.
  assert.ok(m.achieved * MESSAGE_BYTES <= CAP_BYTES_PER_SEC, `acked ${m.achieved}/s × 1 KiB exceeds the cap`);
  assert.ok(m.rate <= ceiling * 1.03, `max rate ${m.rate}/s above the link's ceiling ${ceiling.toFixed(1)}`);
  assert.ok(m.interval.width <= 0.05 && m.interval.failed > m.rate, `interval ${JSON.stringify(m.interval)}`);
  assert.ok(m.steps.length <= 10, steps);
  // Every step fails for a reason it states, and a step above the cap fails on the condition or on keeping up.
  for (const s of m.steps) assert.equal(s.passed, s.reasons === undefined, JSON.stringify(s));
  assert.ok(m.steps.some((s: any) => !s.passed && s.rate > nominal));
  // The run's figures are the chosen step's; report.md shows every step.
  assert.equal(r.workload.targetRate, m.rate);
  assert.equal(r.throughput.produced.messagesPerSec, m.achieved);
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /## Max sustainable rate/);
  assert.equal(report.match(/^\| \d+ \| [\d.]+ \| (✅ pass|❌ fail) \|/gm)?.length, m.steps.length);
  assert.match(run.stderr, /max-rate step 1 at 200\/s: pass/);
  assert.match(
    run.stderr,
    new RegExp(`max sustainable rate ${m.rate}/s while latency\\.publish\\.p99 < 100ms — converged`),
  );
});
