/**
 * Kafka → Kafka with MirrorMaker 2 on real brokers: two 1-broker clusters started together, MirrorMaker 2 from
 * Maven Central in dedicated mode, one workload on the source, every acknowledged message timed on the target;
 * Ctrl-C and kill -9 of the harness during such a run. (The RPO at a region outage of the source is checked in
 * replication-truth.test.ts, against the test's own read of the target; Pulsar geo-replication between two
 * standalones in replication-pulsar-link.test.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { collect, faultlineProcesses, startCli, tempDir, waitFor, writeScenario } from '../helpers.js';
import { assertLoopbackOnly, runWatchingSockets, type Watched } from '../listening-sockets.js';

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

function replicationScenario(options: {
  linkMs?: number;
  duration: string;
  rate: string;
  placement?: boolean;
}): string {
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
${options.placement ? '  placement: {producers: [ra], consumers: [ra]}\n' : ''}  producer: {acks: all}
criteria:
  - replication.notReplicated == 0
  - replication.lag.p99 < 2s
`;
}

/**
 * One run, four tests: MirrorMaker 2 across an 80 ms link, the producer and its consumer group in the source's
 * region, its processes' listening sockets watched while it runs. Each test checks its own figures of that run (the
 * replication books, the replication lag against the link, the end-to-end latency on the target against the
 * source's, the sockets); none of them depends on another's.
 */
const LINKED = { linkMs: 80, duration: '10s', rate: '50/s', placement: true } as const;
let linked: Promise<{ out: string; run: Watched }> | undefined;
function linkedRun(): Promise<{ out: string; run: Watched }> {
  linked ??= (async () => {
    const out = tempDir();
    return { out, run: await runWatchingSockets(replicationScenario(LINKED), 300_000, out) };
  })();
  return linked;
}

test('MirrorMaker 2 replicates every acknowledged message once; lag measured per message; nothing left running', async () => {
  const { out, run } = await linkedRun();
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const rep = r.replication;
  assert.ok(rep, 'result.json has replication figures');
  assert.equal(r.messages.acked, 600, 'warm-up 2 s + 10 s at 50/s');
  assert.equal(rep.acked, r.messages.acked);
  assert.equal(rep.replicated, r.messages.acked, 'every acknowledged message reached the target');
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  assert.equal(rep.caughtUp, true);
  assert.equal(rep.lag.count, 500, 'warm-up excluded from the lag');
  assert.ok(rep.lag.p50 > 0 && rep.lag.p50 <= rep.lag.p99 && rep.lag.p99 <= rep.lag.max, JSON.stringify(rep.lag));
  assert.ok(
    rep.throughput.messagesPerSec > 40 && rep.throughput.messagesPerSec < 60,
    `replicated ${rep.throughput.messagesPerSec} msg/s`,
  );
  assert.equal(rep.flows.length, 1);
  assert.ok(rep.flows[0].firstRecordMs > 0, 'replicator start → first record measured');
  assert.ok(rep.flows[0].timeline.length >= 8, `${rep.flows[0].timeline.length} replication timeline points`);
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
  const { out, run } = await linkedRun();
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

test('truth: a reader in the target region sees end-to-end latency higher than a consumer in the source region by at least the 80 ms link', async () => {
  const { out, run } = await linkedRun();
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const rep = r.replication;
  const source = r.latency.endToEnd;
  const target = rep.flows[0].endToEnd;
  // Every replicated message after the warm-up has one end-to-end figure, and its lag is either measured, below 0
  // (a clock defect, counted apart) or unmeasured (no source append time): never dropped without a count.
  assert.equal(
    target.count,
    (rep.lag?.count ?? 0) + rep.lagNegative + rep.lagUnmeasured,
    `one end-to-end figure per replicated message after the warm-up (lag ${rep.lag?.count ?? 0}, lagNegative ${rep.lagNegative}, lagUnmeasured ${rep.lagUnmeasured}, clock step ${rep.lagClockStepMs} ms; ${out})`,
  );
  if (rep.lagNegative + rep.lagUnmeasured > 0)
    console.log(
      `lag not measured for ${rep.lagNegative} (below 0) + ${rep.lagUnmeasured} (no append time) of ${target.count} messages; clock step ${rep.lagClockStepMs} ms`,
    );
  assert.deepEqual(rep.endToEnd, target, "one flow: the overall figure is the flow's");
  assert.ok(target.p50 - source.p50 >= 80, `target e2e p50 ${target.p50} ms − source e2e p50 ${source.p50} ms`);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /end-to-end on the target p50 \/ p99 ms/);
  console.log(
    `80 ms link: end-to-end p50 in the source region ${source.p50} ms, on the target ${target.p50} ms (+${Math.round((target.p50 - source.p50) * 10) / 10} ms); ` +
      `p99 ${source.p99} / ${target.p99} ms; replication lag p50 ${rep.lag?.p50} ms`,
  );
});

test('Kafka across a region link with MirrorMaker 2: brokers, KRaft controllers, MirrorMaker 2 and Toxiproxy listen on 127.0.0.1 only', async () => {
  const { run: watched } = await linkedRun();
  assertLoopbackOnly(watched);
  const kafka = new Set(watched.sockets.filter((s) => s.what === 'kafka.Kafka').map((s) => s.pid));
  assert.equal(kafka.size, 2, 'both brokers were seen listening');
  assert.ok(
    watched.sockets.some((s) => s.cmdline.includes('toxiproxy')),
    'Toxiproxy was seen listening',
  );
  // Dedicated mode starts no REST server: MirrorMaker 2 ran and listened on nothing.
  assert.ok(
    [...watched.processes.values()].includes('org.apache.kafka.connect.mirror.MirrorMaker'),
    'MirrorMaker 2 ran while the sockets were listed',
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
