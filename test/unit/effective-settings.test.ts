import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan } from '../../src/plan/plan.js';
import { compareRuns, renderComparison } from '../../src/report/compare.js';
import { effectiveTable } from '../../src/report/effective-settings.js';
import type { RunResult } from '../../src/report/result.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

async function effectiveOf(workloadExtra: string) {
  const text = `name: fair
clusters:
  - {name: kafka, system: kafka, driver: platformatic}
  - {name: pulsar, system: pulsar, driver: binary}
topics: [{name: events, partitions: 2}]
workload: {duration: 10s, rate: 100/s${workloadExtra}}
`;
  const plan = await buildPlan(parseScenario(text, 'fair.yaml'));
  return plan.runs.map((run) => ({ system: run.cluster.system, driver: run.driver.name, effective: run.effective! }));
}

/** Enough of a result for compare: the same workload, the side's system, driver and effective settings. */
function result(side: Awaited<ReturnType<typeof effectiveOf>>[number]): RunResult {
  return {
    status: 'passed',
    partial: false,
    scenario: { name: 'fair', file: 'fair.yaml' },
    cluster: {
      name: side.system,
      system: side.system,
      provider: 'local',
      version: '1',
      brokers: 1,
      bootstrap: '',
      effective: side.effective,
    },
    driver: { name: side.driver, requested: side.driver },
    workload: {
      warmupMs: 0,
      durationMs: 10_000,
      drainTimeoutMs: 1000,
      messageSize: 100,
      targetRate: 100,
      phases: [{ durationMs: 10_000, rate: 100 }],
      topics: [{ name: 'events', partitions: 2, replicationFactor: 1 }],
      producers: 1,
      consumers: 1,
    },
    throughput: { produced: null, consumed: null },
    latency: { publish: null, publishUncorrected: null, endToEnd: null, sendLag: null },
    messages: { sent: 100, acked: 100, lost: 0 },
    errors: { total: 0, byKind: {} },
    criteria: [],
    warnings: [],
  } as unknown as RunResult;
}

test('compare: pinned knobs give one table with both sides and no like-for-like warning', async () => {
  const sides = await effectiveOf(
    ', durability: {fsync: always}, batching: {maxDelay: 1ms, maxBytes: 128KiB}, prefetch: {messages: 1000}',
  );
  const comparison = compareRuns(sides.map((side) => ({ label: side.system, dir: '/r', result: result(side) })));
  assert.ok(!comparison.warnings.some((w) => /durability, batching and prefetch/.test(w)), comparison.warnings.join());
  const md = renderComparison(comparison);
  assert.match(md, /## Durability, batching and prefetch, as each side ran/);
  assert.match(
    md,
    /\| fsync \(`durability\.fsync`\) \| \*\*always\*\* 📌 — `log\.flush\.interval\.messages=1`.* \| \*\*always\*\* 📌 — `journalSyncData=true`.* \| yes \|/,
  );
  assert.match(
    md,
    /\| batching delay \(ms\) \(`batching\.maxDelayMs`\) \| \*\*1 ms\*\* 📌 — `linger\.ms=1` \| \*\*1 ms\*\* 📌 — `batchingEnabled=true`, `batchingMaxPublishDelay=1` \| yes \|/,
  );
  assert.match(md, /`receiverQueueSize=1000`/);
  assert.match(md, /`highWaterMark=1000`/);
});

test('compare: sides that ran with different defaults are flagged as not like for like, each value named', async () => {
  const sides = await effectiveOf('');
  const comparison = compareRuns(sides.map((side) => ({ label: side.system, dir: '/r', result: result(side) })));
  const warning = comparison.warnings.find((w) => /durability, batching and prefetch/.test(w));
  assert.ok(warning);
  assert.match(
    warning,
    /not like for like: batching\.maxDelayMs \(kafka: 0 ms, pulsar: 1 ms\); batching\.maxBytes \(kafka: 1MiB, pulsar: 128KiB\); prefetch\.messages \(kafka: 4096, pulsar: 1000\)/,
  );
  assert.doesNotMatch(warning, /durability\.fsync/); // both os by default
  assert.match(
    renderComparison(comparison),
    /\| consumer prefetch \(messages\) \(`prefetch\.messages`\) \|.*\| \*\*no\*\* \|/,
  );
});

test('report.md: one run shows its settings; a result without them shows nothing', async () => {
  const [kafka] = await effectiveOf(', durability: {fsync: always}');
  const table = effectiveTable(result(kafka!));
  assert.match(table, /^## Durability, batching and prefetch \(as run\)/);
  assert.match(table, /\| fsync \(`durability\.fsync`\) \| \*\*always\*\* 📌 — `log\.flush\.interval\.messages=1`/);
  const old = result(kafka!);
  delete old.cluster.effective;
  assert.equal(effectiveTable(old), '');
});
