/**
 * Kafka → Kafka with MirrorMaker 2 on real brokers: two 1-broker clusters started together, MirrorMaker 2 from
 * Maven Central in dedicated mode, one workload on the source, every acknowledged message timed on the target.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { collect, faultlineProcesses, runCli, startCli, tempDir, waitFor, writeScenario } from '../helpers.js';

afterEach(async () => {
  await waitFor(
    () => faultlineProcesses().length === 0,
    20_000,
    `no faultline process left (found: ${faultlineProcesses().join('; ')})`,
  );
});

function readResult(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
}

function replicationScenario(options: { linkMs?: number; duration: string; rate: string; faults?: string }): string {
  const regions =
    options.linkMs === undefined
      ? ''
      : `regions: [ra, rb]\nlinks:\n  - {between: [ra, rb], latency: ${options.linkMs}ms}\n`;
  const place = (region: string) => (options.linkMs === undefined ? '' : `, region: ${region}`);
  return `name: it-replication
${regions}clusters:
  - {name: a, system: kafka, provider: local, brokers: 1, heap: 384MiB${place('ra')}}
  - {name: b, system: kafka, provider: local, brokers: 1, heap: 384MiB${place('rb')}}
topics:
  - {name: t, cluster: a, partitions: 2}
replication:
  - {from: a, to: b, topics: [t]}
workload:
  warmup: 2s
  duration: ${options.duration}
  messageSize: 256B
  rate: ${options.rate}
  producers: 1
  consumers: 1
  drainTimeout: 30s
  producer: {acks: all}
${options.faults ?? ''}criteria:
  - replication.notReplicated == 0
  - replication.lag.p99 < 2s
`;
}

test('MirrorMaker 2 replicates every acknowledged message once; lag measured per message; nothing left running', async () => {
  const out = tempDir();
  const run = await runCli(
    ['run', writeScenario(replicationScenario({ duration: '20s', rate: '50/s' })), '--out', out],
    { timeoutMs: 300_000 },
  );
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const rep = r.replication;
  assert.ok(rep, 'result.json has replication figures');
  assert.equal(r.messages.acked, 1100, 'warm-up 2 s + 20 s at 50/s');
  assert.equal(rep.acked, r.messages.acked);
  assert.equal(rep.replicated, r.messages.acked, 'every acknowledged message reached the target');
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  assert.equal(rep.caughtUp, true);
  assert.equal(rep.lag.count, 1000, 'warm-up excluded from the lag');
  assert.ok(rep.lag.p50 > 0 && rep.lag.p50 <= rep.lag.p99 && rep.lag.p99 <= rep.lag.max, JSON.stringify(rep.lag));
  assert.ok(
    rep.throughput.messagesPerSec > 40 && rep.throughput.messagesPerSec < 60,
    `replicated ${rep.throughput.messagesPerSec} msg/s`,
  );
  assert.equal(rep.flows.length, 1);
  assert.ok(rep.flows[0].firstRecordMs > 0, 'replicator start → first record measured');
  assert.ok(rep.flows[0].timeline.length >= 15);
  assert.deepEqual(
    r.criteria.map((c: any) => c.passed),
    [true, true],
  );
  assert.ok(existsSync(join(out, 'logs', 'mm2.log')), 'MirrorMaker 2 log in the run directory');
  assert.ok(
    existsSync(join(out, 'logs', 'a-broker-1.log')) && existsSync(join(out, 'logs', 'b-broker-1.log')),
    'both clusters ran',
  );
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /### Replication[\s\S]*a → b \(t\)/);
  console.log(
    `replication lag p50 ${rep.lag.p50} ms, p99 ${rep.lag.p99} ms; MirrorMaker start → first record ${rep.flows[0].firstRecordMs} ms`,
  );
});

test('truth: an 80 ms one-way link between the clusters puts replication lag p50 at or above 80 ms', async () => {
  const out = tempDir();
  const run = await runCli(
    ['run', writeScenario(replicationScenario({ linkMs: 80, duration: '20s', rate: '50/s' })), '--out', out],
    { timeoutMs: 300_000 },
  );
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const rep = readResult(out).replication;
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  assert.ok(rep.lag.p50 >= 80, `replication lag p50 ${rep.lag.p50} ms`);
  // The MirrorMaker reads the source across the link: its source connection goes through the proxies of its own region.
  const mm2 = readFileSync(join(out, 'logs', 'mm2', 'mm2.properties'), 'utf8');
  const sourceBootstrap = /^a\.bootstrap\.servers=(.*)$/m.exec(mm2)![1]!;
  assert.notEqual(
    sourceBootstrap,
    readResult(out).cluster.bootstrap,
    "MirrorMaker reaches the source by the target region's path, not the producers'",
  );
  console.log(
    `with an 80 ms link: replication lag p50 ${rep.lag.p50} ms, p90 ${rep.lag.p90} ms, p99 ${rep.lag.p99} ms`,
  );
});

test('Ctrl-C during the load stops MirrorMaker 2 and both clusters: exit 130, nothing left running', async () => {
  const out = tempDir();
  const child = startCli(['run', writeScenario(replicationScenario({ duration: '60s', rate: '50/s' })), '--out', out]);
  let signalled = false;
  const run = await collect(child, 240_000, (stderr) => {
    if (!signalled && /\[(?:\S+ )?(warmup|measure) [2-9]s/.test(stderr)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(run.code, 130, run.stderr);
  assert.equal(readResult(out).status, 'interrupted');
  assert.deepEqual(faultlineProcesses(), []);
});

test('kill -9 of the harness: the watchdog stops MirrorMaker 2 and both clusters', async () => {
  const out = tempDir();
  const child = startCli(['run', writeScenario(replicationScenario({ duration: '60s', rate: '50/s' })), '--out', out]);
  let killed = false;
  let running: string[] = [];
  await collect(child, 240_000, (stderr) => {
    if (!killed && /load started/.test(stderr)) {
      killed = true;
      running = faultlineProcesses();
      child.kill('SIGKILL');
    }
  });
  assert.ok(
    running.some((p) => p.includes('connect.mirror.MirrorMaker') || p.includes('mm2')),
    `MirrorMaker 2 ran with the run's marker: ${running.join('; ')}`,
  );
  await waitFor(() => faultlineProcesses().length === 0, 20_000, 'the watchdog to stop MirrorMaker 2 and the brokers');
});

test('Pulsar geo-replication between two standalones: every acknowledged message reaches the peer once', async () => {
  const out = tempDir();
  const yaml = `name: it-pulsar-geo
clusters:
  - {name: pa, system: pulsar, provider: local, heap: 512MiB}
  - {name: pb, system: pulsar, provider: local, heap: 512MiB}
topics:
  - {name: t, cluster: pa, partitions: 2}
replication:
  - {from: pa, to: pb, topics: [t]}
workload:
  warmup: 2s
  duration: 20s
  messageSize: 256B
  rate: 50/s
  producers: 1
  consumers: 1
  drainTimeout: 30s
criteria:
  - replication.notReplicated == 0
`;
  const run = await runCli(['run', writeScenario(yaml), '--out', out], { timeoutMs: 400_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const rep = r.replication;
  assert.equal(rep.replicated, r.messages.acked);
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  if (r.driver?.name === 'websocket' || rep.lag !== null) {
    assert.ok(rep.lag.p50 > 0 && rep.lag.p50 <= rep.lag.p99, JSON.stringify(rep.lag));
    console.log(
      `Pulsar geo-replication lag p50 ${rep.lag.p50} ms, p99 ${rep.lag.p99} ms; set → first record ${rep.flows[0].firstRecordMs} ms`,
    );
  } else {
    // The binary (or native) driver's publishTime is the producer's, not the source broker's: lag not measured.
    assert.ok(rep.lagUnmeasured > 0, JSON.stringify(rep));
  }
});

test('RPO at a region outage of the source: what the target lacked then, all of it late once the region is back', async () => {
  const out = tempDir();
  const faults = 'faults:\n  - {at: 8s, action: region-outage, region: ra, mode: kill, duration: 5s}\n';
  const run = await runCli(
    ['run', writeScenario(replicationScenario({ linkMs: 40, duration: '20s', rate: '100/s', faults })), '--out', out],
    { timeoutMs: 300_000 },
  );
  const r = readResult(out);
  assert.ok(r.replication && r.rpo, run.stderr + run.stdout);
  const { rpo, replication: rep } = r;
  assert.equal(rpo.fault, r.faults[0].id);
  assert.equal(rpo.atMs, Math.round(r.faults[0].injectedAt * 10) / 10);
  assert.equal(rpo.messages, rpo.inFlight + rpo.late + rpo.lost);
  assert.ok(rpo.messages > 0, 'at 100 msg/s with ≥ 80 ms of lag, some acknowledged messages were still on their way');
  assert.equal(rpo.lost, 0, 'the source came back and MirrorMaker 2 carried the rest');
  assert.equal(rep.notReplicated, 0);
  assert.ok(rpo.ms > 0 && rpo.ms <= rep.lag.max + 1000, `oldest missing ${rpo.ms} ms old, lag max ${rep.lag.max} ms`);
  console.log(
    `RPO at the outage: ${rpo.messages} messages (in flight ${rpo.inFlight}, late ${rpo.late}, lost ${rpo.lost}), oldest ${rpo.ms} ms; duplicated by replication ${rep.duplicated}`,
  );
});
