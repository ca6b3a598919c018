/**
 * The fairness knobs on a Kafka cluster (pure): fsync → broker log.flush.interval.messages (flush.messages),
 * replicas → topics' replication factor, ackReplicas → producer acks, batching → the platformatic driver's
 * linger (linger.ms) and batchSize (batch.size), prefetch → its highWaterMark. kafkajs has no linger, no batch
 * size and no prefetch: it honours only maxDelay 0 and refuses the others. Also says what the side runs with
 * when nothing is pinned.
 */
import { type EffectiveKnob, type EffectiveSettings, type KnobMapping, MappingBuilder, type Side } from './knobs.js';

/** Kafka's defaults for log.flush.interval.messages / .ms: never (the OS page cache decides). */
const NEVER = '9223372036854775807';

const KAFKAJS_NO_LINGER = 'kafkajs has no linger: each send is one produce request, sent at once';
const KAFKAJS_NO_BATCH_SIZE =
  'kafkajs has no batch.size: a produce request carries the whole send the harness hands it (up to workload.maxBatch messages)';
const KAFKAJS_NO_PREFETCH =
  'kafkajs fetches again only after the last fetch was handled: it holds nothing fetched ahead';

export function kafkaKnobs(side: Side): KnobMapping {
  const b = new MappingBuilder(side);
  const { knobs } = side;
  const external = side.provider === 'external';
  const loadTopics = side.topics.filter((t) => t.load);

  // durability.fsync: the broker default of topic flush.messages (every topic, internal ones too).
  const fsync = knobs.durability.fsync;
  if (fsync !== undefined) {
    const at = side.knobAt('durability', 'fsync');
    if (external)
      b.refuse(at, "faultline does not configure an external cluster's brokers: fsync cannot be pinned there");
    else {
      b.config('log.flush.interval.messages', fsync === 'always' ? 1 : undefined, 'durability.fsync', at);
      b.config('log.flush.interval.ms', undefined, 'durability.fsync', at);
      for (const topic of side.topics) {
        for (const key of ['flush.messages', 'flush.ms']) {
          const given = topic.config[key];
          if (given === undefined) continue;
          if (fsync === 'always' && key === 'flush.messages' && String(given) === '1') continue;
          b.refuse(
            ['topics', topic.index, 'config', key],
            `contradicts the pinned durability.fsync: ${fsync} (${at.join('.')}); remove it or change the knob`,
          );
        }
      }
    }
  }

  // durability.replicas: the topics' replication factor (given per topic).
  const replicas = knobs.durability.replicas;
  if (replicas !== undefined) {
    const at = side.knobAt('durability', 'replicas');
    if (!external && replicas > side.brokers)
      b.refuse(at, `${replicas} replicas need ${replicas} brokers; the cluster has ${side.brokers}`);
    for (const topic of side.topics) {
      if (topic.replicationFactor !== replicas)
        b.refuse(
          ['topics', topic.index, 'replicationFactor'],
          `is ${topic.replicationFactor} (1 when not given) but durability.replicas pins ${replicas} (${at.join('.')}): give the topic replicationFactor: ${replicas}`,
        );
    }
  }
  const factors = [...new Set(loadTopics.map((t) => t.replicationFactor))];
  const factor = replicas ?? (factors.length === 1 ? factors[0]! : undefined);

  // durability.ackReplicas: acks=1 is one replica, acks=all every in-sync replica; nothing in between.
  const ackReplicas = knobs.durability.ackReplicas;
  if (ackReplicas !== undefined) {
    const at = side.knobAt('durability', 'ackReplicas');
    const acks = side.producer.parsed.acks as number;
    if (factor === undefined)
      b.refuse(at, `the cluster's topics have different replication factors (${factors.join(', ')}); pin replicas too`);
    else if (ackReplicas === factor && !(factor === 1 && acks === 1))
      b.option('producer', 'acks', 'all', -1, 'durability.ackReplicas', at);
    else if (ackReplicas === 1) {
      b.option('producer', 'acks', 1, 1, 'durability.ackReplicas', at);
      if (side.producer.parsed.idempotent === true)
        b.refuse(
          side.producer.given.has('idempotent') ? side.producer.at('idempotent') : at,
          `an idempotent producer needs acks: all, but durability.ackReplicas: 1 of ${factor} replicas means acks: 1`,
        );
    } else
      b.refuse(
        at,
        `Kafka acknowledges after one replica (acks=1) or after every in-sync replica (acks=all): ${ackReplicas} of ${factor} replicas cannot be honoured`,
      );
  }

  // batching and prefetch: driver options.
  const maxDelay = knobs.batching.maxDelay;
  const maxBytes = knobs.batching.maxBytes;
  const prefetch = knobs.prefetch.messages;
  if (side.driver === 'platformatic') {
    if (maxDelay !== undefined)
      b.option(
        'producer',
        'linger',
        `${maxDelay}ms`,
        maxDelay,
        'batching.maxDelay',
        side.knobAt('batching', 'maxDelay'),
      );
    if (maxBytes !== undefined)
      b.option('producer', 'batchSize', maxBytes, maxBytes, 'batching.maxBytes', side.knobAt('batching', 'maxBytes'));
    if (prefetch !== undefined)
      b.option(
        'consumer',
        'highWaterMark',
        prefetch,
        prefetch,
        'prefetch.messages',
        side.knobAt('prefetch', 'messages'),
      );
  } else {
    const why = (reason: string) =>
      side.driver === 'kafkajs'
        ? `${reason} (driver: platformatic has it)`
        : `the ${side.driver} driver does not map it`;
    if (maxDelay !== undefined && (side.driver !== 'kafkajs' || maxDelay !== 0))
      b.refuse(side.knobAt('batching', 'maxDelay'), `cannot be honoured on Kafka: ${why(KAFKAJS_NO_LINGER)}`);
    if (maxBytes !== undefined)
      b.refuse(side.knobAt('batching', 'maxBytes'), `cannot be honoured on Kafka: ${why(KAFKAJS_NO_BATCH_SIZE)}`);
    if (prefetch !== undefined)
      b.refuse(side.knobAt('prefetch', 'messages'), `cannot be honoured on Kafka: ${why(KAFKAJS_NO_PREFETCH)}`);
  }

  return b.result(effectiveKafka(side, b, factor, factors));
}

function effectiveKafka(
  side: Side,
  b: MappingBuilder,
  factor: number | undefined,
  factors: number[],
): EffectiveSettings {
  const { knobs } = side;
  const config = { ...side.brokerConfig, ...b.brokerConfig };
  const producer = { ...side.producer.parsed, ...parsedOverrides(b.producer) };
  const consumer = { ...side.consumer.parsed, ...b.consumer };
  const unknownBroker: EffectiveKnob = {
    value: null,
    pinned: false,
    settings: {},
    note: 'an external cluster: its broker settings are its own, not known here',
  };
  const acks = producer.acks as number;
  const minIsr = config['min.insync.replicas'] ?? '1 (default)';
  const platformatic = side.driver === 'platformatic';
  const kafkajs = side.driver === 'kafkajs';
  return {
    'durability.fsync':
      side.provider === 'external'
        ? unknownBroker
        : { ...fsyncOf(side, config), pinned: knobs.durability.fsync !== undefined },
    'durability.replicas': {
      value: factor ?? factors.join(', '),
      pinned: knobs.durability.replicas !== undefined,
      settings: { 'replication.factor': factor ?? factors.join(', '), 'min.insync.replicas': minIsr },
    },
    'durability.ackReplicas': {
      value: acks === -1 ? (factor ?? null) : acks,
      pinned: knobs.durability.ackReplicas !== undefined,
      settings: { acks: acks === -1 ? 'all' : acks },
      ...(acks === -1 ? { note: `acks=all: every in-sync replica (at least min.insync.replicas=${minIsr})` } : {}),
    },
    'batching.maxDelayMs': platformatic
      ? {
          value: producer.linger as number,
          pinned: knobs.batching.maxDelay !== undefined,
          settings: { 'linger.ms': producer.linger as number },
        }
      : {
          value: kafkajs ? 0 : null,
          pinned: knobs.batching.maxDelay !== undefined,
          settings: {},
          note: kafkajs ? KAFKAJS_NO_LINGER : `the ${side.driver} driver does not say`,
        },
    'batching.maxBytes': platformatic
      ? {
          value: producer.batchSize as number,
          pinned: knobs.batching.maxBytes !== undefined,
          settings: { 'batch.size': producer.batchSize as number },
        }
      : {
          value: null,
          pinned: false,
          settings: {},
          note: kafkajs ? KAFKAJS_NO_BATCH_SIZE : `the ${side.driver} driver does not say`,
        },
    'prefetch.messages': {
      value: platformatic ? (consumer.highWaterMark as number) : null,
      pinned: knobs.prefetch.messages !== undefined,
      settings: {
        ...(platformatic ? { highWaterMark: consumer.highWaterMark as number } : {}),
        'fetch.max.wait.ms': consumer.maxWaitTime as number,
        'fetch.min.bytes': consumer.minBytes as number,
        'max.partition.fetch.bytes': consumer.maxBytesPerPartition as number,
      },
      ...(platformatic
        ? { note: 'messages fetched ahead into the consumer stream (per consumer, over its partitions)' }
        : kafkajs
          ? { note: KAFKAJS_NO_PREFETCH }
          : {}),
    },
  };
}

/** What a builder sets, as the driver's schema reads it (durations written "5ms" are 5). */
function parsedOverrides(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      key === 'acks' && value === 'all'
        ? -1
        : typeof value === 'string' && value.endsWith('ms')
          ? Number(value.slice(0, -2))
          : value,
    ]),
  );
}

/** fsync as the broker runs it: the broker's flush settings, overridden by the load topics' flush.* config. */
function fsyncOf(side: Side, config: Record<string, string | number | boolean>): Omit<EffectiveKnob, 'pinned'> {
  const topic = side.topics.find(
    (t) => t.load && (t.config['flush.messages'] !== undefined || t.config['flush.ms'] !== undefined),
  );
  const messages = String(topic?.config['flush.messages'] ?? config['log.flush.interval.messages'] ?? NEVER);
  const ms = String(topic?.config['flush.ms'] ?? config['log.flush.interval.ms'] ?? NEVER);
  const settings: Record<string, string | number> = {
    'log.flush.interval.messages': messages === NEVER ? `${NEVER} (default: never)` : Number(messages),
    'log.flush.interval.ms': ms === NEVER ? 'unset (default: never)' : Number(ms),
    ...(topic ? { topic: `${topic.name} (flush.* in its config)` } : {}),
  };
  const every = [
    ...(messages !== NEVER && messages !== '1' ? [`every ${messages} messages`] : []),
    ...(ms !== NEVER ? [`every ${ms} ms`] : []),
  ];
  return { value: messages === '1' ? 'always' : every.length ? every.join(' or ') : 'os', settings };
}
