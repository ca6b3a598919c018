/**
 * Region failover on real brokers: two clusters in two regions 20 ms apart joined by replication, a consumer group
 * in each region. First the link between the regions goes down for 2.5 s — the replication path with it (MirrorMaker
 * 2 reads the source across it; Pulsar's replicator pushes into the target across it); then the source region is
 * killed for good (`duration: forever`) and the workload's producers and consumers move to the replica — Kafka
 * `after` a fixed 2 s from the outage's injection, Pulsar when its producers have had no acknowledgement for 2 s
 * (detection measured). RTO is measured from the outage; consumers resume where the replicator's synced state puts
 * them; every send waiting at the move is sent again to the replica (none given up). Once the clients moved (the
 * source down for good), the test reads the target topic back itself and checks, message by message, the RPO (in
 * flight, late, lost), what was never replicated, replication's copies, and each group's books.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  collect,
  expectNoProcessLeftAfterEach,
  payloadIds,
  type ReplicationBooks,
  type ReplicationEntry,
  readKafkaTarget,
  readPulsarTarget,
  readResult,
  startCli,
  tempDir,
  writeScenario,
} from '../helpers.js';

expectNoProcessLeftAfterEach();

const LINK_DOWN_AT_MS = 4_000;
const LINK_DOWN_MS = 2_500;
const OUTAGE_AT_MS = 10_000;
const PRODUCING_ENDS_MS = 22_000; // warm-up 2 s + 20 s

/**
 * Source a in region ra, replica b in rb, 20 ms apart; 100 msg/s from ra; a consumer group in ra and one in rb;
 * the link down at 4 s for 2.5 s; ra killed at 10 s for good. Keyed round-robin, so that every partition takes
 * writes before and after the move (an unkeyed Pulsar WebSocket producer sticks to one partition, and the replica's
 * producer may pick another).
 */
function failoverScenario(system: 'kafka' | 'pulsar', move: string, driver = 'auto'): string {
  const cluster =
    system === 'kafka'
      ? 'system: kafka, provider: local, brokers: 1, heap: 384MiB'
      : `system: pulsar, provider: local, driver: ${driver}, heap: 512MiB`;
  return `name: it-failover-${system}
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 20ms}
clusters:
  - {name: a, ${cluster}, region: ra}
  - {name: b, ${cluster}, region: rb}
topics:
  - {name: t, cluster: a, partitions: 2}
replication:
  - {from: a, to: b, topics: [t]}
workload:
  warmup: 2s
  duration: 20s
  messageSize: 256B
  rate: 100/s
  consumers: 1
  keyDistribution: roundRobin
  drainTimeout: 8s
  placement: {producers: [ra], consumers: [ra, rb]}
faults:
  - {at: ${LINK_DOWN_AT_MS}ms, action: link-down, between: [ra, rb], duration: ${LINK_DOWN_MS}ms}
  - {at: ${OUTAGE_AT_MS}ms, action: region-outage, region: ra, mode: kill, duration: forever}
failover: {to: b, ${move}}
criteria:
  - rto.produce < 30s
  - rto.consume < 60s
  - rpo.late == 0
`;
}

interface Run {
  out: string;
  r: Record<string, any>;
  books: ReplicationBooks;
  /** Every record of this run the test read on the target topic, producer:sequence (copies kept). */
  readBack: string[];
}

/**
 * Runs the scenario; once the clients moved (2 s after the source was killed: whatever replication could still
 * deliver has landed, and nothing more will), reads the target back while the run goes on. Every message the source
 * acknowledged that the test does not find there then is one the target will never get; the books' first-seen
 * times tell whether any arrived later (then the checks fail: seen but not found).
 */
async function runAndReadBack(system: 'kafka' | 'pulsar', move: string, driver?: string): Promise<Run> {
  const out = tempDir();
  const booksFile = join(out, 'books.json');
  const child = startCli(['run', writeScenario(failoverScenario(system, move, driver)), '--out', out], {
    FAULTLINE_REPLICATION_BOOKS: booksFile,
  });
  const read = () =>
    system === 'kafka'
      ? readKafkaTarget(out, 'b', 't')
      : readPulsarTarget(out, 'b', 't', 2, { requireEnd: false, timeoutMs: 8_000 });
  let reading: Promise<Buffer[]> | undefined;
  const run = await collect(child, 400_000, (stderr) => {
    if (!reading && /failover: clients move a → b/.test(stderr)) {
      reading = read();
      reading.catch(() => {});
    }
  });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.ok(reading, `the clients moved: ${run.stderr}`);
  const values = await reading!;
  const books = JSON.parse(readFileSync(booksFile, 'utf8')) as ReplicationBooks;
  return { out, r: readResult(out), books, readBack: payloadIds(values, books.runId) };
}

const key = ([producer, sequence]: ReplicationEntry) => `${producer}:${sequence}`;

/** The link-down cut the replication path: nothing sent during it reached the target before it healed. */
function checkLinkDown({ r, books }: Run): { cut: number; during: number; lagMax: number } {
  const linkDown = r.faults.find((f: { action: string }) => f.action === 'link-down');
  assert.ok(linkDown.injectedAt !== null && linkDown.healedAt !== null, JSON.stringify(linkDown));
  const cut = linkDown.healedAt - linkDown.injectedAt;
  const messages = books.flows[0]!.messages;
  // Sent once the cut was in force (injectedAt is taken after every proxy of the link was cut; a message is sent at
  // or after its intended time), acknowledged before the heal. Not "acknowledged after injectedAt": a message the
  // source appended while the cut was being applied can cross first and have its ack reach the harness after.
  const during = messages.filter(
    ([, , intended, acked]) => acked !== null && intended > linkDown.injectedAt && acked < linkDown.healedAt,
  );
  const early = during.filter(([, , , , seen]) => seen !== null && seen < linkDown.healedAt);
  assert.ok(
    during.length > 0.8 * (LINK_DOWN_MS / 10),
    `${during.length} messages sent and acknowledged during the link-down`,
  );
  assert.deepEqual(early.map(key), [], 'no message crossed the link while it was down');
  assert.ok(r.replication.lag.max >= cut - 50, `replication lag max ${r.replication.lag.max} ms over a ${cut} ms cut`);
  // The append time the lag counts from is the source's, before the ack reached the producer beside the source
  // (1 ms: broker timestamps are whole ms). The binary driver reads the source broker's own append time of the
  // entry (a reader on the source): after the send was due, too. WebSocket's publishTime is set in the source broker
  // when the WebSocket service's producer opens a batch: up to its batching delay before a later message was due.
  const appended = messages.filter((e) => e[5] !== null && e[3] !== null) as Array<
    [number, number, number, number, number | null, number]
  >;
  assert.ok(appended.length > 0.8 * messages.length, `${appended.length} of ${messages.length} with an append time`);
  const beforeDue = appended.filter(([, , intended, , , at]) => at < intended - 1);
  const afterAck = appended.filter(([, , , acked, , at]) => at > acked + 1);
  assert.deepEqual(afterAck.slice(0, 5), [], 'appended before its ack');
  if (r.driver.name === 'binary') assert.deepEqual(beforeDue.slice(0, 5), [], 'appended after the send was due');
  else
    console.log(
      `${r.driver.name}: ${beforeDue.length} of ${appended.length} stamped before they were due, by up to ${Math.max(0, ...beforeDue.map(([, , intended, , , at]) => intended - at)).toFixed(1)} ms`,
    );
  assert.ok(r.replication.lag.p50 >= 20, `lag p50 ${r.replication.lag.p50} ms across a 20 ms link`);
  return { cut, during: during.length, lagMax: r.replication.lag.max };
}

/** RPO, what was never replicated and replication's copies, against the test's own read-back of the target. */
function checkAgainstReadBack({ r, books, readBack }: Run): { missing: Set<string>; copies: number } {
  const { rpo, replication: rep } = r;
  const outage = r.faults.find((f: { action: string }) => f.action === 'region-outage');
  assert.equal(outage.forever, true);
  assert.equal(outage.healedAt, null, 'the source region never came back');
  assert.equal(rpo.fault, outage.id, 'RPO at the loss of the source, not at the link-down');
  assert.equal(rpo.target, 'b');
  const T = rpo.atMs;
  assert.equal(T, Math.round(outage.injectedAt * 10) / 10);
  const found = new Set(readBack);
  const messages = books.flows[0]!.messages;
  const ackedOnSource = messages.filter(([, , , acked]) => acked !== null);
  // The harness's books and the test's reading agree on every message the source acknowledged: seen ⇔ on the target.
  assert.deepEqual(
    ackedOnSource.filter((e) => (e[4] !== null) !== found.has(key(e))).map(key),
    [],
    'seen on the target in the books exactly when the test finds it there',
  );
  const ackedByT = ackedOnSource.filter(([, , , acked]) => acked! <= T);
  const lostByTest = ackedByT.filter((e) => !found.has(key(e)));
  const inFlightByTest = ackedByT.filter((e) => found.has(key(e)) && e[4]! > T);
  assert.deepEqual(
    [rpo.lost, rpo.late, rpo.inFlight],
    [lostByTest.length, 0, inFlightByTest.length],
    `rpo ${JSON.stringify(rpo)}`,
  );
  assert.equal(rpo.messages, rpo.inFlight + rpo.lost);
  // Acknowledged on the source and never on the target, whenever acknowledged (an ack on its way at the kill lands
  // after T and is not in the RPO at T).
  const missing = new Set(ackedOnSource.filter((e) => !found.has(key(e))).map(key));
  assert.equal(rep.notReplicated, missing.size);
  assert.equal(rep.caughtUp, missing.size === 0);
  // Copies of what the source acknowledged are replication's (direct writes after the move are left out of them).
  const sourceIds = new Set(ackedOnSource.map(key));
  const replicatedCopies =
    readBack.filter((id) => sourceIds.has(id)).length - [...found].filter((id) => sourceIds.has(id)).length;
  assert.equal(rep.duplicated, replicatedCopies, 'replication copies as the test reads them');
  return { missing, copies: readBack.length - found.size };
}

/** Each group's books add up, and what a group lost is what the target never got. */
function checkGroupBooks({ r }: Run, missing: Set<string>): void {
  const { messages: m } = r;
  const groups = m.byGroup as Record<string, Record<string, any>>;
  assert.deepEqual(Object.keys(groups).sort(), ['ra', 'rb']);
  assert.ok(m.lost <= missing.size, `lost ${m.lost}: only what the target never got can be lost`);
  assert.ok(m.lost <= 100, 'the lost sample lists every lost message');
  assert.equal(m.lostSample.length, m.lost);
  for (const s of m.lostSample) assert.ok(missing.has(`${s.producer}:${s.sequence}`), `lost ${JSON.stringify(s)}`);
  for (const [region, g] of Object.entries(groups)) {
    assert.equal(g.lostVerified, true, `group ${region}`);
    // Every acknowledged message once: consumed, found in the log by the final read, or lost.
    assert.equal(
      g.consumed - g.consumedUnacked + g.foundByFinalRead + g.lost,
      m.acked,
      `group ${region}: ${JSON.stringify(g)}`,
    );
    assert.equal(
      g.lost,
      m.lostSample.filter((s: { missingFrom: string[] }) => s.missingFrom.includes(region)).length,
      `group ${region} lost what the sample says it lacks`,
    );
  }
  assert.equal(m.duplicated, groups.ra!.duplicated + groups.rb!.duplicated);
}

/** RTO from the outage's injection, per group too; failover figures under the replica's region after the move. */
function checkRto({ r }: Run): void {
  const { rto, messages: m } = r;
  const outage = r.faults.find((f: { action: string }) => f.action === 'region-outage');
  assert.equal(rto.fault, outage.id);
  assert.equal(rto.flag, null);
  assert.equal(rto.outageAtMs, outage.injectedAt, 'timed from the outage as injected');
  assert.ok(
    Math.abs(rto.switchedAtMs - rto.triggeredAtMs) < 50,
    `moved ${rto.switchedAtMs}, triggered ${rto.triggeredAtMs}`,
  );
  assert.equal(rto.detectedMs, rto.triggeredAtMs - rto.outageAtMs);
  // Nothing could be acknowledged by (or consumed from) the replica before the clients moved to it.
  assert.ok(rto.produce >= rto.detectedMs && rto.produce < rto.detectedMs + 5000, `RTO produce ${rto.produce} ms`);
  assert.ok(rto.consume >= rto.detectedMs && rto.consume < 30_000, `RTO consume ${rto.consume} ms`);
  assert.deepEqual([rto.groupsReady, rto.groups], [2, 2]);
  assert.deepEqual(rto.byGroup.map((g: { region: string }) => g.region).sort(), ['ra', 'rb']);
  for (const g of rto.byGroup) {
    assert.equal(g.ready, true);
    assert.ok(g.consume >= rto.detectedMs && g.consume <= rto.consume, `group ${g.region} ${JSON.stringify(g)}`);
    // Resumed from the replicator's synced position, not from the beginning of the replica topic (a group whose
    // path the link-down cut has consumed less before the move: a few hundred are enough to tell the two apart).
    assert.ok(g.consumedBeforeMove > 100, `group ${g.region}: ${g.consumedBeforeMove} consumed before the move`);
    assert.ok(g.consumedAgain < g.consumedBeforeMove / 2, `group ${g.region}: ${JSON.stringify(g)}`);
  }
  assert.equal(rto.consume, Math.max(...rto.byGroup.map((g: { consume: number }) => g.consume)));
  // One rule for both systems: every send waiting on the dead source at the move was sent again to the replica,
  // none given up; what lands twice is a duplicate in the books, not a new message.
  assert.equal(r.errors.byKind['produce:FailoverAbandoned'], undefined);
  assert.equal(rto.abandoned, 0);
  assert.equal(m.failed, 0, `failed ${m.failed}: ${JSON.stringify(r.errors.byKind)}`);
  assert.equal(m.acked, m.sent);
  assert.equal(outage.recovery.state.firstAck, 'recovered', 'every partition took writes again, on the replica');
  // Messages written straight to the replica after the move are not replication's: no "seen unacked" from them.
  assert.equal(r.replication.seenUnacked, 0);
  // After the move the clients sit in rb: what they publish, and every group's deliveries, are filed there.
  const { publish, endToEnd } = r.byRegion;
  const afterMove = (PRODUCING_ENDS_MS - rto.switchedAtMs) / 10; // messages due at 100 msg/s after the move
  assert.ok(publish.rb?.count > 0.8 * afterMove, `publish by region ${JSON.stringify(publish)}`);
  assert.equal(publish.ra.count + publish.rb.count, r.latency.publish.count, 'every ack filed under one region');
  assert.ok(endToEnd['rb->rb']?.count > 0, 'sent from rb after the move, read in rb');
  assert.ok(endToEnd['ra->rb']?.count > 0);
  assert.equal(endToEnd['rb->ra'] ?? null, null, 'after the move no group reads in ra');
  const pairs = Object.values(endToEnd).reduce((n: number, s: any) => n + (s?.count ?? 0), 0);
  assert.equal(pairs, r.latency.endToEnd.count, 'every group’s first deliveries, filed under one pair each');
}

async function failOver(system: 'kafka' | 'pulsar', move: string, driver?: string): Promise<Record<string, any>> {
  const run = await runAndReadBack(system, move, driver);
  const { r, out } = run;
  const link = checkLinkDown(run);
  const { missing, copies } = checkAgainstReadBack(run);
  checkGroupBooks(run, missing);
  checkRto(run);
  assert.match(
    readFileSync(join(out, 'report.md'), 'utf8'),
    /Failover a → b, moved .*\*\*RTO produce \d+ ms\*\*, \*\*RTO consume \d+ ms\*\*/,
  );
  const { rto, rpo, messages: m } = r;
  const groups = Object.entries(m.byGroup as Record<string, any>)
    .map(
      ([g, b]) =>
        `${g}: consumed ${b.consumed}, lost ${b.lost}, dup ${b.duplicated}, redelivered ${b.redelivered}, foundByFinalRead ${b.foundByFinalRead}`,
    )
    .join('; ');
  const again = rto.byGroup
    .map((g: any) => `${g.region} ${g.consumedAgain}/${g.consumedBeforeMove} (consume ${g.consume} ms)`)
    .join(', ');
  console.log(
    `${system} (${r.driver?.name ?? driver}): link-down ${link.cut} ms, ${link.during} acked during it, none on the target before the heal, lag p50 ${r.replication.lag.p50} ms, p99 ${r.replication.lag.p99} ms, max ${link.lagMax} ms, unmeasured ${r.replication.lagUnmeasured}. ` +
      `Source lost for good at ${rpo.atMs} ms: RPO ${rpo.messages} (in flight ${rpo.inFlight}, late ${rpo.late}, lost ${rpo.lost}; the test's read-back: the same), oldest ${rpo.ms} ms; never replicated ${missing.size}, copies on the target ${copies} (replication's ${r.replication.duplicated}). ` +
      `RTO produce ${rto.produce} ms, consume ${rto.consume} ms; detection ${rto.detection.rule} → moved ${rto.detectedMs} ms after the outage; resent ${rto.resent}, retried on the source ${rto.retriedOnSource}; consumed again ${again}. ` +
      `Books: lost ${m.lost}, duplicated ${m.duplicated}; ${groups}. By region: publish ${JSON.stringify(Object.fromEntries(Object.entries(r.byRegion.publish).map(([k, v]: [string, any]) => [k, v?.count])))}, e2e ${JSON.stringify(Object.fromEntries(Object.entries(r.byRegion.endToEnd).map(([k, v]: [string, any]) => [k, v?.count])))}`,
  );
  return { ...r, out };
}

test('Kafka: a link-down cuts MirrorMaker 2; the source region is lost for good and both regions’ groups fail over 2 s after the outage was injected; RPO and books = the test’s read-back of the target', async () => {
  const r = await failOver('kafka', 'after: 2s');
  assert.deepEqual(r.rto.detection, { rule: 'after', ms: 2000 });
  assert.ok(
    Math.abs(r.rto.switchedAtMs - r.rto.outageAtMs - 2000) < 100,
    `clients moved ${r.rto.detectedMs} ms after the outage`,
  );
});

test('Pulsar: a link-down cuts geo-replication; the source region is lost for good and both groups fail over when no send was acknowledged for 2 s; RPO and books = the test’s read-back', async () => {
  const r = await failOver('pulsar', 'trigger: {noAckFor: 2s}');
  assert.deepEqual(r.rto.detection, { rule: 'noAckFor', ms: 2000 });
  // The silence starts at the last ack before the kill: detection is the bound, give or take the ack spacing.
  const moved = r.rto.switchedAtMs - r.rto.outageAtMs;
  assert.ok(moved >= 1900 && moved < 4000, `moved ${moved} ms after the outage`);
  assert.match(readFileSync(join(r.out, 'logs', 'client.log'), 'utf8'), /replicatedSubscriptionStatus → HTTP 204/);
  // auto: the binary driver, which reads the source broker's append time (a reader on the source).
  assert.match(readFileSync(join(r.out, 'result.json'), 'utf8'), /auto chose binary/);
});

test('Pulsar over WebSocket: the same failover, the same books', async () => {
  const r = await failOver('pulsar', 'trigger: {noAckFor: 2s}', 'websocket');
  assert.deepEqual(r.rto.detection, { rule: 'noAckFor', ms: 2000 });
  const moved = r.rto.switchedAtMs - r.rto.outageAtMs;
  assert.ok(moved >= 1900 && moved < 4000, `moved ${moved} ms after the outage`);
});
