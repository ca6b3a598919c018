/**
 * The group coordinator's broker killed under a platformatic consumer group (3 local brokers, RF 3, minISR 2).
 * @platformatic/kafka 1.35 looks its coordinator up once per client object and never again, and throws a
 * TypeError from a callback once the killed broker is fenced (platformatic-consumer.ts): before the member
 * replaced its client object on such trouble, its reopen hung on a commit that never called back and the group
 * consumed nothing more, ever. Now it resumes once Kafka has moved the coordinator and the old member's session
 * expired (the fresh client is a new member), and every acknowledged message is consumed. The TypeError itself is
 * then triggered on purpose — a second client object that looked up the same dead coordinator before the kill
 * asks it for offsets once the broker is fenced — and the driver's guard catches it: the harness lives on and
 * the group reopens and consumes again.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Consumer } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { localKafkaProvider } from '../../src/cluster/kafka/local-kafka.js';
import { ProcessRegistry } from '../../src/cluster/process-registry.js';
import type { RunningCluster } from '../../src/cluster/provider.js';
import { platformaticDriver } from '../../src/drivers/kafka/platformatic-driver.js';
import { clusterSchema, topicSchema } from '../../src/scenario/schema.js';
import { expectNoProcessLeftAfterEach, tempDir, waitFor } from '../helpers.js';

expectNoProcessLeftAfterEach();

const OFFSETS_PARTITIONS = 10; // kafka-node-config.ts: offsets.topic.num.partitions
const BROKER_SESSION_MS = 4_000;
const SESSION_MS = 6_000; // the consumer's sessionTimeout (the broker's group.min.session.timeout.ms)

/** The __consumer_offsets partition of a group: Java's String.hashCode, as the broker computes it. */
function offsetsPartitionOf(group: string): number {
  let hash = 0;
  for (const c of group) hash = (Math.imul(hash, 31) + c.charCodeAt(0)) | 0;
  return Math.abs(hash) % OFFSETS_PARTITIONS;
}

/** Leader of each __consumer_offsets partition (the topic is created by a first coordinator lookup). */
async function offsetsLeaders(bootstrap: string): Promise<Map<number, number>> {
  const admin = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.describeGroups(['faultline-offsets-topic']).catch(() => {});
    for (let attempt = 0; attempt < 100; attempt++) {
      const metadata = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] }).catch(() => undefined);
      const partitions = metadata?.topics[0]?.partitions ?? [];
      if (partitions.length === OFFSETS_PARTITIONS && partitions.every((p) => p.leader >= 1))
        return new Map(partitions.map((p) => [p.partitionId, p.leader]));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('__consumer_offsets has no leaders');
  } finally {
    await admin.disconnect();
  }
}

test("platformatic: the coordinator's broker killed, the group consumes again (fresh client), the library's TypeError is caught, nothing lost", async (t) => {
  // As in the harness, only the driver's guard hears uncaught errors (node:test's own listener would fail the
  // test on the library's TypeError that the guard is there to catch; any other error still ends the process).
  const others = process.listeners('uncaughtException');
  for (const listener of others) process.off('uncaughtException', listener);
  t.after(() => {
    for (const listener of others) process.on('uncaughtException', listener);
  });
  const work = tempDir();
  const registry = ProcessRegistry.open(`coord${process.pid}`, work);
  let cluster: RunningCluster | undefined;
  const lines: string[] = [];
  let client: ReturnType<typeof platformaticDriver.createClient> | undefined;
  const probes: Consumer[] = [];
  try {
    const spec = clusterSchema.parse({
      name: 'trio',
      system: 'kafka',
      brokers: 3,
      heap: 384 * 1024 * 1024,
      config: { 'broker.session.timeout.ms': BROKER_SESSION_MS, 'broker.heartbeat.interval.ms': 1000 },
    });
    cluster = await localKafkaProvider.start(spec, {
      runId: registry.runId,
      logDir: join(work, 'logs'),
      registry,
      signal: new AbortController().signal,
      log: () => {},
      info: () => {},
    });
    const topic = topicSchema.parse({
      name: 'orders',
      partitions: 3,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    });
    const admin = platformaticDriver.createAdmin(cluster.endpoints, () => {});
    await admin.ensureTopics([topic]);
    await admin.close();
    const leaders = await offsetsLeaders(cluster.endpoints.bootstrap);
    const victim = 3;
    const coordinatedBy = (prefix: string) => {
      for (let i = 0; ; i++) if (leaders.get(offsetsPartitionOf(`${prefix}-${i}`)) === victim) return `${prefix}-${i}`;
    };
    const group = coordinatedBy('coordinated');
    // A second client object that looks the same coordinator up before the kill (and never again: the library's).
    const probe = new Consumer({
      clientId: 'probe',
      bootstrapBrokers: cluster.endpoints.bootstrap.split(','),
      groupId: coordinatedBy('probe'),
      autocreateTopics: false,
    });
    probes.push(probe);
    assert.equal(await probe.findGroupCoordinator(), victim);

    const clock = () => performance.now();
    client = platformaticDriver.createClient({
      endpoints: cluster.endpoints,
      producerOptions: { acks: 'all' },
      consumerOptions: { sessionTimeout: `${SESSION_MS}ms`, heartbeatInterval: '1s' },
      log: (line) => lines.push(`${Math.round(clock())} ${line}`),
      clock,
    });
    const consumed: Array<{ value: string; atMs: number }> = [];
    await client.createConsumerGroup({
      topic,
      group,
      members: 1,
      sink: (value, atMs) => consumed.push({ value: value.toString(), atMs }),
      readyTimeoutMs: 30_000,
      signal: new AbortController().signal,
    });
    const producer = await client.createProducer(0, topic);
    const acked = new Set<string>();
    let next = 0;
    let producing = true;
    const sends: Promise<void>[] = [];
    const load = (async () => {
      while (producing) {
        const values = Array.from({ length: 10 }, () => `m${next++}`);
        sends.push(
          producer
            .send(
              topic.name,
              values.map((v) => ({ key: null, value: Buffer.from(v) })),
              (indexes) => {
                for (const i of indexes) acked.add(values[i]!);
              },
            )
            .catch(() => {}),
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await waitFor(() => consumed.length >= 200, 20_000, 'the group consuming');
    let fenced = false;
    const brokersAdmin = new Kafka({
      brokers: cluster.endpoints.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await brokersAdmin.connect();
    const watchFence = setInterval(() => {
      brokersAdmin
        .describeCluster()
        .then((c) => (fenced = !c.brokers.some((b) => b.nodeId === victim)))
        .catch(() => {});
    }, 500);
    t.after(async () => {
      clearInterval(watchFence);
      await brokersAdmin.disconnect();
    });
    const control = cluster.processes!.find((p) => p.id === victim)!.control;
    const killedAt = clock();
    await control.kill();
    // Kafka moves the coordinator once the broker is fenced; the old member's session then has to expire.
    // A first reopen may try the old client (its commit bounded to 5 s) before a fresh one joins: 20.3 s seen.
    const bound = BROKER_SESSION_MS + SESSION_MS + 25_000;
    await waitFor(
      () => consumed.some((c) => c.atMs > killedAt + 1_000),
      bound,
      `consuming again after the coordinator's broker was killed (log:\n${lines.join('\n')})`,
    );
    const resumedMs = consumed.find((c) => c.atMs > killedAt + 1_000)!.atMs - killedAt;
    // The library's TypeError, on purpose: the probe's metadata, fetched afresh, no longer lists the fenced broker.
    await waitFor(() => fenced, 20_000, 'the killed broker fenced');
    const thrownAt = clock();
    probe.clearMetadata();
    void probe.listCommittedOffsets({ topics: [{ topic: topic.name, partitions: [0] }] }).catch(() => {});
    await waitFor(
      () => lines.some((l) => l.includes('the client library threw (TypeError')),
      10_000,
      `the guard caught the library's TypeError (log:\n${lines.join('\n')})`,
    );
    await waitFor(
      () => consumed.some((c) => c.atMs > thrownAt + 1_000),
      SESSION_MS + 15_000,
      `consuming again after the guard reopened the group (log:\n${lines.join('\n')})`,
    );
    const reopenedMs = consumed.find((c) => c.atMs > thrownAt + 1_000)!.atMs - thrownAt;
    producing = false;
    await load;
    await Promise.all(sends);
    const seen = new Set(consumed.map((c) => c.value));
    await waitFor(
      () => {
        for (const c of consumed) seen.add(c.value);
        return [...acked].every((v) => seen.has(v));
      },
      20_000,
      `every acknowledged message consumed (${[...acked].filter((v) => !seen.has(v)).length} missing)`,
    );
    assert.ok(
      lines.some((l) => l.includes('a fresh client (its coordinator looked up again)')),
      `the member replaced its client object:\n${lines.join('\n')}`,
    );
    console.log(
      `# consumption resumed ${Math.round(resumedMs)} ms after the kill, and ${Math.round(reopenedMs)} ms after the library's TypeError (caught); ${acked.size} acknowledged, all consumed`,
    );
  } finally {
    await client?.close();
    for (const probe of probes)
      await Promise.race([
        new Promise<void>((resolve) => probe.close(true, () => resolve())),
        new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
      ]);
    await cluster?.stop();
    registry.close();
  }
});
