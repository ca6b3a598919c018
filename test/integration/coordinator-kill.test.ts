/**
 * The group coordinator's broker killed under a platformatic consumer group (3 local brokers, RF 3, minISR 2).
 * @platformatic/kafka 1.35 looks its coordinator up once per client object and never again, and throws a
 * TypeError from a callback once the killed broker is fenced (platformatic-consumer.ts): before the member
 * replaced its client object on such trouble, its reopen hung on a commit that never called back and the group
 * consumed nothing more, ever. Now it resumes once Kafka has moved the coordinator and the old member's session
 * expired (the fresh client is a new member), and every acknowledged message is consumed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
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

test('platformatic: the coordinator broker killed, the group consumes again (fresh client) and loses nothing', async () => {
  const work = tempDir();
  const registry = ProcessRegistry.open(`coord${process.pid}`, work);
  let cluster: RunningCluster | undefined;
  const lines: string[] = [];
  let client: ReturnType<typeof platformaticDriver.createClient> | undefined;
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
    let group = '';
    for (let i = 0; leaders.get(offsetsPartitionOf(group)) !== victim || !group; i++) group = `coordinated-${i}`;

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
    const control = cluster.processes!.find((p) => p.id === victim)!.control;
    const killedAt = clock();
    await control.kill();
    // Kafka moves the coordinator once the broker is fenced; the old member's session then has to expire.
    const bound = BROKER_SESSION_MS + SESSION_MS + 15_000;
    await waitFor(
      () => consumed.some((c) => c.atMs > killedAt + 1_000),
      bound,
      `consuming again after the coordinator's broker was killed (log:\n${lines.join('\n')})`,
    );
    const resumedMs = consumed.find((c) => c.atMs > killedAt + 1_000)!.atMs - killedAt;
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
    const threw = lines.some((l) => l.includes('the client library threw (TypeError'));
    console.log(
      `# consumption resumed ${Math.round(resumedMs)} ms after the kill; the library's TypeError ${threw ? 'was caught by the guard' : 'did not occur this time'}; ${acked.size} acknowledged, all consumed`,
    );
  } finally {
    await client?.close();
    await cluster?.stop();
    registry.close();
  }
});
