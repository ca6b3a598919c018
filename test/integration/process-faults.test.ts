/**
 * Process faults through the runtime seam on a real Kafka broker (the JVM runtime): a pause freezes the broker's
 * process (state T) and shows in the corrected publish latency; a stop ends it and the heal starts a new process
 * with the same config and data. Both are recorded as injected and healed, nothing acknowledged is lost.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { collect, expectNoProcessLeftAfterEach, readResult, startCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

/** pid → process states seen, of the Kafka brokers of the run whose CLI process is `owner`. */
function watchBrokers(owner: number, seen: Map<number, Set<string>>): void {
  const listing = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  for (const line of listing.split('\n')) {
    if (!line.includes(`faultline.owner=${owner}`) || !line.includes(' kafka.Kafka ')) continue;
    const [pid, stat] = line.trim().split(/\s+/);
    const states = seen.get(Number(pid)) ?? new Set<string>();
    states.add(stat!.charAt(0));
    seen.set(Number(pid), states);
  }
}

test('pause and stop through the runtime: the broker freezes, then ends and starts again; healed, nothing lost', async () => {
  const out = tempDir();
  const file = writeScenario(`name: process-faults
clusters: [{name: main, system: kafka, brokers: 1, heap: 512MiB}]
topics: [{name: t, partitions: 2}]
workload: {warmup: 1s, duration: 9s, rate: 200/s, producers: 1, consumers: 1, producer: {acks: all}}
faults:
  - {at: 2s, action: pause, target: broker-1, duration: 2s}
  - {at: 5s, action: stop, target: broker-1, duration: 2s}
`);
  const child = startCli(['run', file, '--out', out]);
  const seen = new Map<number, Set<string>>();
  const watcher = setInterval(() => watchBrokers(child.pid!, seen), 100);
  const run = await collect(child, 150_000).finally(() => clearInterval(watcher));
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assert.equal(r.messages.lost, 0);
  const [pause, stop] = r.faults;
  for (const fault of [pause, stop]) {
    assert.ok(fault.injectedAt !== null && fault.healedAt !== null, `${fault.action} injected and healed`);
    assert.equal(fault.error, undefined, `${fault.action}: ${fault.error}`);
  }
  const pids = [...seen.keys()];
  assert.equal(
    pids.length,
    2,
    `one broker process before the stop, a new one after (seen ${JSON.stringify([...seen])})`,
  );
  assert.ok(
    seen.get(pids[0]!)!.has('T'),
    `the first process was frozen by the pause (states ${[...seen.get(pids[0]!)!]})`,
  );
  assert.ok(
    r.latency.publish.max >= 1500,
    `the 2 s pause shows in the corrected publish max (${r.latency.publish.max} ms)`,
  );
});
