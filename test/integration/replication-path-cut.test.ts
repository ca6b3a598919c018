/**
 * Region faults cut Pulsar geo-replication, on real brokers: two Pulsar standalones in two regions 30 ms apart,
 * geo-replication at 100 msg/s, the source's region isolated for 4 s, then the link between the regions down for
 * 5 s. The source's broker pushes to its peer through the peer's proxy for the source's region; both faults must
 * cut it. Shown with the harness's per-message books (FAULTLINE_REPLICATION_BOOKS) and the test's own read of the
 * target while the source region is isolated (a WebSocket reader on the target's own web port, outside the
 * proxies).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PulsarAdmin } from '../../src/drivers/pulsar/pulsar-admin.js';
import { finalReadOverWebSocket } from '../../src/drivers/pulsar/final-read.js';
import { ProblemCounter } from '../../src/drivers/pulsar/websocket-frames.js';
import { collect, expectNoProcessLeftAfterEach, readResult, startCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

const ISOLATE_MS = 4_000;
const LINK_DOWN_MS = 5_000;

const yaml = `name: it-replication-path-cut
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 30ms}
clusters:
  - {name: pa, system: pulsar, provider: local, driver: websocket, heap: 512MiB, region: ra}
  - {name: pb, system: pulsar, provider: local, driver: websocket, heap: 512MiB, region: rb}
topics:
  - {name: t, cluster: pa, partitions: 1}
replication:
  - {from: pa, to: pb, topics: [t]}
workload:
  warmup: 2s
  duration: 18s
  messageSize: 256B
  rate: 100/s
  producers: 1
  consumers: 1
  drainTimeout: 60s
  placement: {producers: [ra], consumers: [ra]}
faults:
  - {at: 4s, action: region-outage, region: ra, mode: isolate, duration: ${ISOLATE_MS}ms}
  - {at: 11s, action: link-down, between: [ra, rb], duration: ${LINK_DOWN_MS}ms}
`;

type Window = { injectedAt: number; healedAt: number };
type Message = [number, number, number, number | null, number | null];

/** Reads topic t on the target to its last entry through its own web port (no proxy): each payload's id. */
async function readTarget(out: string): Promise<Set<string>> {
  const conf = readFileSync(join(out, 'logs', 'pb-broker-1', 'standalone.conf'), 'utf8');
  const web = Number(/^webServicePort=(\d+)$/m.exec(conf)![1]);
  const ids = new Set<string>();
  const log = () => {};
  const admin = new PulsarAdmin({ bootstrap: '', webServiceUrl: `http://127.0.0.1:${web}` }, log);
  const complete = await finalReadOverWebSocket(
    {
      base: `ws://127.0.0.1:${web}/ws/v2`,
      admin,
      clock: () => performance.now(),
      skipped: new ProblemCounter('', log),
      log,
    },
    [{ name: 't', partitions: 1 } as never],
    (v) => {
      if (v.length >= 20 && v.readUInt32BE(0) === 0x464c5431)
        ids.add(`${v.subarray(4, 12).toString('hex')}:${v.readUInt32BE(12)}:${v.readUInt32BE(16)}`);
    },
    2_500,
  );
  assert.ok(complete, 'the test read the target topic to its last entry');
  return ids;
}

test('truth: an isolate of the source region and a link-down stop Pulsar geo-replication for their length; the RPO is what the target lacks', async () => {
  const out = tempDir();
  const books = join(out, 'books.json');
  const child = startCli(['run', writeScenario(yaml), '--out', out], { FAULTLINE_REPLICATION_BOOKS: books });
  let reading: Promise<{ ids: Set<string>; healedBefore: boolean }> | undefined;
  let stderrNow = '';
  const run = await collect(child, 400_000, (stderr) => {
    stderrNow = stderr;
    if (!reading && /fault f1: region-outage .* at \d+ ms/.test(stderr)) {
      reading = readTarget(out).then((ids) => ({ ids, healedBefore: /fault f1: healed/.test(stderrNow) }));
      reading.catch(() => {});
    }
  });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.ok(reading, `the isolate was injected: ${run.stderr}`);
  const read = await reading!;
  assert.equal(read.healedBefore, false, 'the test read the target while the source region was still isolated');

  const r = readResult(out);
  const [isolate, linkDown] = r.faults as [Window, Window];
  const dump = JSON.parse(readFileSync(books, 'utf8')) as { runId: string; flows: Array<{ messages: Message[] }> };
  const messages = dump.flows[0]!.messages;
  const key = ([producer, sequence]: Message) => `${dump.runId}:${producer}:${sequence}`;

  // The link-down: the producers (in ra, beside the source) go on; nothing acknowledged while it held reached the
  // target before it healed, so the lag of the first of them is at least the cut's length.
  const during = messages.filter(
    ([, , , acked]) => acked !== null && acked > linkDown.injectedAt && acked < linkDown.healedAt,
  );
  const early = during.filter(([, , , , seen]) => seen !== null && seen < linkDown.healedAt);
  const cut = linkDown.healedAt - linkDown.injectedAt;
  // The isolate (the run's first fault, where the RPO is taken): what the test's own read of the target lacked
  // while ra was isolated is what the harness's books say arrived only after the heal (late) or never (lost).
  const T = r.rpo.atMs;
  const ackedByT = messages.filter(([, , , acked]) => acked !== null && acked <= T);
  const missingByTest = ackedByT
    .filter((m) => !read.ids.has(key(m)))
    .map(key)
    .sort();
  const missingByHarness = ackedByT
    .filter(([, , , , seen]) => seen === null || seen >= isolate.healedAt)
    .map(key)
    .sort();
  const crossedDuring = messages.filter(
    ([, , , , seen]) => seen !== null && seen > T + 1_000 && seen < isolate.healedAt,
  );
  const lag = r.replication.lag;
  console.log(
    `link-down ${cut} ms: lag max ${lag.max} ms, p99 ${lag.p99} ms, p50 ${lag.p50} ms; ${early.length} of ${during.length} messages acknowledged during it seen on the target before it healed. ` +
      `Isolate of ra: RPO ${JSON.stringify(r.rpo)}; the test's read during it: ${read.ids.size} on the target, ${missingByTest.length} of ${ackedByT.length} acknowledged by T missing`,
  );

  assert.ok(during.length > 0.8 * (LINK_DOWN_MS / 10), `${during.length} messages acknowledged during the link-down`);
  assert.deepEqual(early.map(key), [], 'no message crossed the link while it was down');
  assert.ok(lag.max >= cut - 50, `replication lag max ${lag.max} ms over a ${cut} ms link-down`);

  assert.equal(T, isolate.injectedAt);
  assert.deepEqual(missingByTest, missingByHarness);
  assert.equal(r.rpo.late + r.rpo.lost, missingByTest.length, `rpo ${JSON.stringify(r.rpo)}`);
  // What was on its way across the link when the region went dark is cut with it: it lands only after the heal.
  assert.ok(r.rpo.late > 0, `rpo ${JSON.stringify(r.rpo)}: messages on the wire at the isolate arrive late`);
  assert.deepEqual(crossedDuring.map(key), [], 'nothing reached the target while the source region was isolated');
  assert.equal(r.replication.notReplicated, 0, 'everything arrived once the faults healed');
});
