/**
 * Truth checks of the replication figures on real brokers (two 1-broker Kafka clusters in two regions, MirrorMaker 2,
 * the region link proxied): the RPO against the test's own reading of the target during a source region outage;
 * MirrorMaker 2 exactly-once. (End-to-end latency on the target against a consumer in the source region is checked
 * in replication.test.ts, on the run its other 80 ms link checks share.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
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

interface Books {
  runId: string;
  flows: Array<{ from: string; to: string; messages: Array<[number, number, number, number | null, number | null]> }>;
}

function scenario(o: {
  linkMs: number;
  bandwidth?: string;
  duration: string;
  rate: string;
  faults?: string;
  exactlyOnce?: boolean;
  drain?: string;
  /** Without a consumer group (the RPO checks read the target themselves): the drain waits for no consumer. */
  noConsumers?: boolean;
}): string {
  return `name: it-replication-truth
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: ${o.linkMs}ms${o.bandwidth ? `, bandwidth: ${o.bandwidth}` : ''}}
clusters:
  - {name: a, system: kafka, provider: local, brokers: 1, heap: 384MiB, region: ra}
  - {name: b, system: kafka, provider: local, brokers: 1, heap: 384MiB, region: rb}
topics:
  - {name: t, cluster: a, partitions: 2}
replication:
  - {from: a, to: b, topics: [t]${o.exactlyOnce ? ', exactlyOnce: true' : ''}}
workload:
  warmup: 2s
  duration: ${o.duration}
  messageSize: 256B
  rate: ${o.rate}
  producers: 1
  consumers: ${o.noConsumers ? 0 : 1}
  drainTimeout: ${o.drain ?? '30s'}
  placement: {producers: [ra]${o.noConsumers ? '' : ', consumers: [ra]'}}
  producer: {acks: all}
${o.faults ?? ''}`;
}

/** The target's bootstrap as MirrorMaker 2 reaches it (loopback, in the target's region). */
function targetBootstrap(out: string): string {
  const mm2 = readFileSync(join(out, 'logs', 'mm2', 'mm2.properties'), 'utf8');
  return /^b\.bootstrap\.servers=(.*)$/m.exec(mm2)![1]!;
}

/**
 * Reads topic `t` on the target from the beginning to its end, with a kafkajs consumer of the test's own: the end
 * is the high watermarks fetched after a full read that did not move since (bounded). Returns every payload's
 * run id:producer:sequence, and how many records it read (copies included).
 */
async function readTargetToEnd(bootstrap: string, timeoutMs: number): Promise<{ ids: string[]; records: number }> {
  const kafka = new Kafka({ clientId: 'faultline-truth-reader', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId: `faultline-truth-${process.pid}-${Date.now()}`,
    allowAutoTopicCreation: false,
  });
  const ids: string[] = [];
  const next = new Map<number, number>();
  const ends = async () => new Map((await admin.fetchTopicOffsets('t')).map((p) => [p.partition, Number(p.high)]));
  const reached = (end: Map<number, number>) =>
    [...end].every(([partition, high]) => (next.get(partition) ?? 0) >= high);
  try {
    await admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const v = message.value!;
        if (v.length >= 20 && v.readUInt32BE(0) === 0x464c5431)
          ids.push(`${v.subarray(4, 12).toString('hex')}:${v.readUInt32BE(12)}:${v.readUInt32BE(16)}`);
        next.set(partition, Number(message.offset) + 1);
      },
    });
    const deadline = Date.now() + timeoutMs;
    let end = await ends();
    for (;;) {
      await waitFor(
        () => reached(end),
        Math.max(1, deadline - Date.now()),
        'the test reader to reach the end of the target topic',
      );
      const again = await ends();
      if ([...again].every(([p, high]) => end.get(p) === high)) break;
      end = again;
    }
    return { ids, records: ids.length };
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/**
 * The source region goes down at 8 s and stays down until producing ends (22 s): the fault schema does not let a
 * fault outlast producing, so the region comes back for the drain and what was missing arrives late. While it is
 * down, the test reads the target topic to its end with a consumer of its own and compares, message by message,
 * with the harness's books (written by the opt-in FAULTLINE_REPLICATION_BOOKS) and the RPO in result.json. No
 * consumer group runs (none of these figures is a consumer's): the drain waits for the producer's answers only.
 */
async function rpoTruth(o: { mode: 'kill' | 'isolate'; bandwidth?: string }): Promise<void> {
  const out = tempDir();
  const books = join(out, 'books.json');
  const faults = `faults:\n  - {at: 8s, action: region-outage, region: ra, mode: ${o.mode}}\n`;
  const child = startCli(
    [
      'run',
      writeScenario(
        scenario({
          linkMs: 40,
          ...(o.bandwidth ? { bandwidth: o.bandwidth } : {}),
          duration: '20s',
          rate: '100/s',
          faults,
          drain: '60s',
          noConsumers: true,
        }),
      ),
      '--out',
      out,
    ],
    { FAULTLINE_REPLICATION_BOOKS: books },
  );
  let reading: Promise<{ ids: string[]; records: number; healedBefore: boolean }> | undefined;
  let stderrNow = '';
  const run = await collect(child, 400_000, (stderr) => {
    stderrNow = stderr;
    if (!reading && /fault [^:]+: region-outage .* at \d+ ms/.test(stderr)) {
      reading = readTargetToEnd(targetBootstrap(out), 10_000).then((r) => ({
        ...r,
        healedBefore: /healing every fault/.test(stderrNow),
      }));
      reading.catch(() => {});
    }
  });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.ok(reading, `the outage was injected: ${run.stderr}`);
  const read = await reading!;
  assert.equal(read.healedBefore, false, 'the test read the target while the source region was still down');

  const r = readResult(out);
  const { rpo, replication: rep } = r;
  const dump = JSON.parse(readFileSync(books, 'utf8')) as Books;
  const T = rpo.atMs;
  const healedAt = r.faults[0].healedAt;
  assert.equal(T, r.faults[0].injectedAt);
  assert.equal(rpo.fault, r.faults[0].id);
  const found = new Set(
    read.ids.filter((id) => id.startsWith(`${dump.runId}:`)).map((id) => id.slice(dump.runId.length + 1)),
  );
  const messages = dump.flows[0]!.messages;
  const ackedByT = messages.filter(([, , , acked]) => acked !== null && acked <= T);
  const key = ([producer, sequence]: [number, number, ...unknown[]]) => `${producer}:${sequence}`;

  // The acknowledged count is the load's own (every acknowledged message, warm-up included).
  assert.equal(rep.acked, r.messages.acked);
  assert.equal(messages.filter(([, , , acked]) => acked !== null).length, rep.acked);
  // What the test found missing on the target during the outage, message by message, is exactly what the
  // harness's reader had not seen before the region came back: the two readers agree.
  const missingByTest = ackedByT
    .filter((m) => !found.has(key(m)))
    .map(key)
    .sort();
  const missingByHarness = ackedByT
    .filter(([, , , , seen]) => seen === null || seen >= healedAt)
    .map(key)
    .sort();
  assert.deepEqual(missingByTest, missingByHarness);
  // What reading the target back during the outage shows missing is the RPO's late + lost; the rest of the RPO
  // (what the target lacked at T) was in flight: acknowledged, already on its way through MirrorMaker 2 across the
  // link, landing after T although the source was gone.
  const inFlight = ackedByT.filter(([, , , , seen]) => seen !== null && seen > T && seen < healedAt);
  assert.equal(
    rpo.late + rpo.lost,
    missingByTest.length,
    `rpo ${JSON.stringify(rpo)}: the test found ${missingByTest.length} missing`,
  );
  assert.equal(rpo.inFlight, inFlight.length);
  assert.equal(rpo.messages, missingByTest.length + inFlight.length);
  assert.ok(
    inFlight.every(([, , , , seen]) => seen! - T < 2000),
    'in flight means landing within moments of the outage',
  );
  assert.ok(rpo.messages > 0, 'at 100 msg/s across a 40 ms link, the target lacked messages at the outage');
  if (o.bandwidth)
    assert.ok(missingByTest.length > 0, 'MirrorMaker 2 was behind: the target lacked messages through the outage');
  // The region came back before the drain: nothing lost — and the end agrees.
  assert.equal(rpo.lost, ackedByT.filter(([, , , , seen]) => seen === null).length);
  assert.equal(rpo.lost, 0);
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.caughtUp, true);
  // The oldest message the target lacked at T is the RPO's age: it waited at least that long to be replicated.
  assert.ok(rpo.ms > 0 && rpo.ms <= rep.lag.max + 1000, `oldest missing ${rpo.ms} ms old, lag max ${rep.lag.max} ms`);
  console.log(
    `region-outage ${o.mode}${o.bandwidth ? `, link ${o.bandwidth}/s` : ''} — RPO at the outage: ${rpo.messages} (in flight ${rpo.inFlight}, late ${rpo.late}, lost ${rpo.lost}, oldest ${rpo.ms} ms); the test's own read during the outage: ` +
      `${found.size} distinct of ${ackedByT.length} acknowledged by T found, ${missingByTest.length} missing, ${inFlight.length} landed just after T (in flight); ` +
      `${read.records} records read; duplicated by replication ${rep.duplicated}`,
  );
}

test('truth: after a source region outage (brokers killed), the RPO is what the test reading the target itself finds missing, plus what was in flight; all of it late once the region is back', async () => {
  await rpoTruth({ mode: 'kill' });
});

test('truth: MirrorMaker 2 behind a 20 KB/s link, source region isolated: the RPO is what the test reading the target itself finds missing', async () => {
  // 100 msg/s of 256 B plus framing is more than the link carries: at the outage the source holds acknowledged
  // messages MirrorMaker 2 has not fetched yet; isolating the region cuts the link, and what it held is dropped.
  await rpoTruth({ mode: 'isolate', bandwidth: '20KB' });
});

test('MirrorMaker 2 exactly-once: EOS settings in mm2.properties, a read-committed target, every message once', async () => {
  // A SIGKILL and restart of MirrorMaker 2 mid-run (0 duplicates exactly-once, 66 at-least-once) was measured by
  // hand; as a test it was not reliable here: the restarted worker did not always resume within the run.
  const out = tempDir();
  const run = await runCli(
    ['run', writeScenario(scenario({ linkMs: 20, duration: '10s', rate: '100/s', exactlyOnce: true })), '--out', out],
    { timeoutMs: 400_000 },
  );
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const mm2 = readFileSync(join(out, 'logs', 'mm2', 'mm2.properties'), 'utf8');
  assert.match(mm2, /^b\.exactly\.once\.source\.support=enabled$/m);
  assert.match(mm2, /^dedicated\.mode\.enable\.internal\.rest=true$/m);
  assert.match(mm2, /^listeners=http:\/\/127\.0\.0\.1:\d+$/m);
  assert.match(mm2, /^a\.consumer\.isolation\.level=read_committed$/m);
  const r = readResult(out);
  const rep = r.replication;
  assert.equal(rep.replicated, r.messages.acked, 'every acknowledged message reached the target (read committed)');
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  console.log(
    `exactly-once MirrorMaker 2: replicated ${rep.replicated}, duplicated ${rep.duplicated}; lag p50 ${rep.lag.p50} ms, p99 ${rep.lag.p99} ms`,
  );
});
