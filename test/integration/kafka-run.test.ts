/**
 * End to end against a real Kafka broker started by faultline's local provider: the CLI runs real scenarios;
 * results, exit codes, interruption and orphan handling are checked from the outside.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  collect,
  expectNoProcessLeftAfterEach,
  faultlineProcesses,
  kafkaScenario,
  readResult,
  runCli,
  startCli,
  tempDir,
  waitFor,
  writeScenario,
} from '../helpers.js';

expectNoProcessLeftAfterEach();

test('a short scenario meets its rate within 5%, consumes everything it acked, loses nothing, exits 0', async () => {
  const out = tempDir();
  const file = writeScenario(
    kafkaScenario({ rate: '1000/s', criteria: ['throughput.produced.messagesPerSec >= 950', 'messages.lost == 0'] }),
  );
  const run = await runCli(['run', file, '--out', out]);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assert.equal(r.schemaVersion, 2);
  assert.equal(r.status, 'passed');
  assert.equal(r.partial, false);
  assert.equal(r.scenario.name, 'it-kafka');
  assert.ok(
    Math.abs(r.throughput.produced.messagesPerSec - 1000) <= 50,
    `produced ${r.throughput.produced.messagesPerSec} msg/s`,
  );
  assert.ok(
    Math.abs(r.throughput.consumed.messagesPerSec - 1000) <= 50,
    `consumed ${r.throughput.consumed.messagesPerSec} msg/s`,
  );
  assert.equal(r.throughput.produced.bytesPerSec, r.throughput.produced.messagesPerSec * 1024);
  assert.equal(r.messages.sent, 10_000, 'warm-up 2 s + duration 8 s at 1000/s');
  assert.equal(r.messages.acked, r.messages.sent);
  assert.equal(r.messages.consumed, r.messages.acked);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.duplicated, 0);
  // A consumer group delivers each partition in log order; a non-idempotent kafkajs producer with several sends
  // in flight may write its own messages out of order, and the result says so.
  assert.equal(typeof r.messages.reordered, 'number', 'order checked');
  if (r.messages.reordered > 0) assert.equal(r.messages.producerMayReorder, true);
  for (const kind of ['publish', 'endToEnd']) {
    for (const stat of ['p50', 'p90', 'p99', 'p999', 'max', 'mean'])
      assert.equal(typeof r.latency[kind][stat], 'number', `latency.${kind}.${stat}`);
    assert.ok(
      r.latency[kind].p50 > 0 &&
        r.latency[kind].p50 <= r.latency[kind].p99 &&
        r.latency[kind].p99 <= r.latency[kind].max,
    );
  }
  assert.ok(r.latency.publish.p50 >= r.latency.publishUncorrected.p50, 'corrected latency is never below uncorrected');
  assert.equal(r.latency.publish.count, 8000, 'warm-up excluded from the aggregates');
  assert.ok(r.timeline.length >= 10);
  assert.ok(r.timeline.some((p: any) => p.phase === 'warmup') && r.timeline.some((p: any) => p.phase === 'measure'));
  for (const key of ['t', 'produced', 'consumed', 'publishP99', 'endToEndP99', 'errors'])
    assert.ok(key in r.timeline[3], key);
  assert.deepEqual(
    r.criteria.map((c: any) => c.passed),
    [true, true],
  );
  assert.ok(r.histograms.publish.length > 0 && r.histograms.endToEnd.length > 0);
  assert.ok(Date.parse(r.startedAt) < Date.parse(r.endedAt));
  assert.ok(existsSync(join(out, 'logs', 'main-broker-1.log')), 'broker log in the run directory');
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /# it-kafka — passed/);

  rmSync(join(out, 'report.md'));
  const rerender = await runCli(['report', out]);
  assert.equal(rerender.code, 0, rerender.stderr);
  assert.equal(readFileSync(join(out, 'report.md'), 'utf8'), report);
});

test('an impossible criterion fails the run with exit 1', async () => {
  const out = tempDir();
  const file = writeScenario(
    kafkaScenario({
      warmup: '0s',
      duration: '3s',
      rate: '200/s',
      criteria: ['latency.publish.p99 < 1us', 'messages.lost == 0'],
    }),
  );
  const run = await runCli(['run', file, '--out', out]);
  assert.equal(run.code, 1, run.stderr);
  const r = readResult(out);
  assert.equal(r.status, 'failed');
  assert.deepEqual(
    r.criteria.map((c: any) => c.passed),
    [false, true],
  );
  assert.match(run.stdout, /FAIL\s+latency\.publish\.p99 < 1us/);
});

test('Ctrl-C stops the brokers and keeps partial results marked interrupted (exit 130)', async () => {
  const out = tempDir();
  const file = writeScenario(kafkaScenario({ duration: '60s', rate: '500/s' }));
  const child = startCli(['run', file, '--out', out]);
  let signalled = false;
  const run = await collect(child, 120_000, (stderr) => {
    if (!signalled && /\[(?:\S+ )?(warmup|measure) [3-9]s/.test(stderr)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(run.code, 130, run.stderr);
  const r = readResult(out);
  assert.equal(r.status, 'interrupted');
  assert.equal(r.partial, true);
  assert.equal(r.messages.lost, null, 'losses are not judged on an interrupted run');
  assert.ok(r.messages.acked > 0);
  assert.ok(r.timeline.length >= 3);
  assert.deepEqual(faultlineProcesses(), []);
});

test('a killed harness leaves a record; `faultline clean` stops its broker and marks the results', async () => {
  const out = tempDir();
  const file = writeScenario(kafkaScenario({ duration: '60s', rate: '200/s' }));
  const child = startCli(['run', file, '--out', out], { FAULTLINE_NO_WATCHDOG: '1' });
  let killed = false;
  await collect(child, 120_000, (stderr) => {
    if (!killed && /\[(?:\S+ )?measure 1\ds/.test(stderr)) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  assert.ok(faultlineProcesses().length > 0, 'the broker outlived its harness');
  const clean = await runCli(['clean']);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /stopped pid \d+ \(main-broker-1/);
  await waitFor(() => faultlineProcesses().length === 0, 10_000, 'the orphan to die');
  const r = readResult(out);
  assert.equal(r.status, 'interrupted');
  assert.equal(r.partial, true);
  assert.ok(r.timeline.length > 0, 'checkpointed figures survive the crash');
});

test('without the clean command, the watchdog stops the brokers of a killed harness by itself', async () => {
  const out = tempDir();
  const file = writeScenario(kafkaScenario({ duration: '60s', rate: '200/s' }));
  const child = startCli(['run', file, '--out', out]);
  let killed = false;
  await collect(child, 120_000, (stderr) => {
    if (!killed && /load started/.test(stderr)) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  await waitFor(() => faultlineProcesses().length === 0, 15_000, 'the watchdog to stop the orphaned broker');
  await waitFor(() => readResult(out).status === 'interrupted', 5_000, 'results marked interrupted');
});

test('java missing: a clear message saying what to install, exit 3', async () => {
  const out = tempDir();
  const file = writeScenario(kafkaScenario());
  const run = await runCli(['run', file, '--out', out], { env: { PATH: tempDir() } });
  assert.equal(run.code, 3, run.stderr + run.stdout);
  assert.match(run.stdout + run.stderr, /"java" was not found .*install a JDK or JRE 17/);
  assert.equal(readResult(out).status, 'error');
});
