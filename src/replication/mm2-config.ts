/**
 * mm2.properties for MirrorMaker 2 in dedicated mode, one file per target cluster: the flows into it, with the
 * settings verified on this machine (see the multi-region notes): internal topics at the clusters' replication
 * factor (1-broker clusters need 1), fast topic and group refresh, plugin scanning skipped (service_load, for
 * MirrorMaker and for each herder), offset syncs kept on the target, and no reverse heartbeat herder.
 * Exactly-once (KIP-618 in dedicated mode, which needs KIP-710's internal REST server): the target's worker writes
 * records and source offsets in one transaction (one per polled batch: transaction.boundary=poll, the default), the
 * source is read committed-only; readers on the target must read committed (kafkajs does by default). Brokers
 * need a transaction log they can create (1-broker clusters: replication factor and min ISR 1 — the local Kafka
 * sets both from the broker count).
 * A worker SIGKILLed inside a transaction leaves it open on the target (records and source offsets): read
 * committed readers see nothing past it, and the restarted worker, before it joins its group, reads the offsets
 * topic to the high watermark with a read committed consumer (Worker.start → KafkaOffsetBackingStore), so it waits
 * too — the task producer that would abort it at once starts only after that read. The coordinator aborts it
 * `transaction.timeout.ms` after it began (60 s by default, checked every 10 s by the broker): a restarted worker
 * stalled 47 s and more that way. MM2_TRANSACTION_TIMEOUT_MS bounds that wait.
 */
import type { TopicSpec } from '../scenario/schema.js';
import { factsOf } from '../systems/facts.js';
import { type PlannedReplication, targetTopicName } from './replication-plan.js';

export const IDENTITY_POLICY = 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy';
/** Exactly-once: how long a transaction of a killed MirrorMaker 2 can hold the target's readers (see above). */
export const MM2_TRANSACTION_TIMEOUT_MS = 10_000;

export interface Mm2Flow {
  replication: PlannedReplication;
  /** How MirrorMaker reaches the source: from the target's region, across the link. */
  sourceBootstrap: string;
}

export interface Mm2Target {
  name: string;
  bootstrap: string;
  /** Smallest broker count of the clusters involved: internal topics cannot have more replicas. */
  replicationFactor: number;
  /** Port of MirrorMaker's internal REST server on 127.0.0.1: needed (and only used) for exactly-once. */
  restPort?: number;
}

export function mirrorMakerProperties(target: Mm2Target, flows: Mm2Flow[]): Record<string, string> {
  if (flows.length === 0) throw new Error('MirrorMaker 2 needs at least one flow');
  const policies = new Set(flows.map((f) => f.replication.policy));
  if (policies.size > 1)
    throw new Error(`flows into "${target.name}" mix topic naming policies: MirrorMaker 2 takes one per process`);
  const exactlyOnce = new Set(flows.map((f) => f.replication.exactlyOnce));
  if (exactlyOnce.size > 1)
    throw new Error(
      `flows into "${target.name}" mix exactly-once and at-least-once: MirrorMaker 2 sets it per target cluster`,
    );
  const rf = String(Math.max(1, Math.min(3, target.replicationFactor)));
  const first = flows[0]!.replication;
  const checkpointSeconds = String(Math.max(1, Math.round(first.checkpointIntervalMs / 1000)));
  const p: Record<string, string> = {
    clusters: [...flows.map((f) => f.replication.from.name), target.name].join(','),
    [`${target.name}.bootstrap.servers`]: target.bootstrap,
    'plugin.discovery': 'service_load',
    [`${target.name}.plugin.discovery`]: 'service_load',
    'offset-syncs.topic.location': 'target',
    'replication.factor': rf,
    'checkpoints.topic.replication.factor': rf,
    'heartbeats.topic.replication.factor': rf,
    'offset-syncs.topic.replication.factor': rf,
    'offset.storage.replication.factor': rf,
    'status.storage.replication.factor': rf,
    'config.storage.replication.factor': rf,
    'refresh.topics.interval.seconds': '1',
    'refresh.groups.interval.seconds': '1',
    'emit.checkpoints.interval.seconds': checkpointSeconds,
    'sync.group.offsets.enabled': String(first.syncGroupOffsets),
    'sync.group.offsets.interval.seconds': checkpointSeconds,
    'sync.topic.acls.enabled': 'false',
    'sync.topic.configs.enabled': 'false',
    [`${target.name}.offset.flush.interval.ms`]: '1000',
  };
  if (first.policy === 'identity') p['replication.policy.class'] = IDENTITY_POLICY;
  if (first.exactlyOnce) {
    if (target.restPort === undefined)
      throw new Error('exactly-once MirrorMaker 2 needs a port for its internal REST server');
    p[`${target.name}.exactly.once.source.support`] = 'enabled';
    p['dedicated.mode.enable.internal.rest'] = 'true';
    p.listeners = `http://127.0.0.1:${target.restPort}`;
    p[`${target.name}.producer.transaction.timeout.ms`] = String(MM2_TRANSACTION_TIMEOUT_MS);
  }
  for (const { replication, sourceBootstrap } of flows) {
    const source = replication.from.name;
    p[`${source}.bootstrap.servers`] = sourceBootstrap;
    p[`${source}.plugin.discovery`] = 'service_load';
    p[`${source}->${target.name}.enabled`] = 'true';
    p[`${source}->${target.name}.topics`] = replication.topics.map((t) => t.name).join(',');
    if (replication.exactlyOnce) p[`${source}.consumer.isolation.level`] = 'read_committed';
    // Without this, a reverse herder runs for heartbeats and creates internal topics on the source (KAFKA-10710).
    p[`${target.name}->${source}.emit.heartbeats.enabled`] = 'false';
  }
  return p;
}

/**
 * The timestamp setting of replicated Kafka topics, so the target's reader gets each message's append time on
 * the source (replication lag = seen on the target − that): a source topic stamps records with the broker's
 * append time (LogAppendTime); MirrorMaker 2 writes each record to the target with the source record's
 * timestamp, which the target topic keeps (CreateTime: the target broker's own append time would be later).
 * MirrorMaker 2 does not copy this setting itself (sync.topic.configs is off, and it excludes it by default).
 * A topic that is both (a chain a → b → c) is set as a target: its first hop's lag stays right.
 * Other topics, and Pulsar's, are returned unchanged.
 */
export function replicationTimestamps<T extends TopicSpec>(
  topic: T,
  cluster: string,
  replications: PlannedReplication[],
): T {
  const kafka = replications.filter(
    (r) => factsOf(r.from.system).replicator.reservedTopicConfig?.key === TIMESTAMP_TYPE,
  );
  const isTarget = kafka.some(
    (r) => r.to.name === cluster && r.topics.some((t) => targetTopicName(r, t.name) === topic.name),
  );
  const isSource = kafka.some((r) => r.from.name === cluster && r.topics.some((t) => t.name === topic.name));
  if (!isTarget && !isSource) return topic;
  return { ...topic, config: { ...topic.config, [TIMESTAMP_TYPE]: isTarget ? 'CreateTime' : 'LogAppendTime' } };
}

/** The Kafka topic setting faultline sets on replicated topics (a scenario may not set it on them). */
export const TIMESTAMP_TYPE = 'message.timestamp.type';
