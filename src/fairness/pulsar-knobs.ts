/**
 * The fairness knobs on a Pulsar cluster (pure): fsync → the bookie's journalSyncData (journalWriteData must
 * stay true), replicas / ackReplicas → managedLedgerDefaultEnsembleSize, WriteQuorum and AckQuorum, batching →
 * the producer's batchingMaxPublishDelay and batchingMaxBytes, prefetch → the consumer's receiverQueueSize.
 * The WebSocket and native drivers cannot set batchingMaxBytes (fixed at the client's 128 KiB) and take the
 * delay in whole milliseconds, at least 1. Also says what the side runs with when nothing is pinned.
 */
import { ENTRY_METADATA_SETTINGS } from '../cluster/pulsar/standalone-config.js';
import { entryMetadata } from './pulsar-entry-metadata.js';
import { type EffectiveKnob, type EffectiveSettings, type KnobMapping, MappingBuilder, type Side } from './knobs.js';

/** The Java and C++ clients' batchingMaxBytes: what the WebSocket proxy's producer and the native addon use. */
export const CLIENT_DEFAULT_BATCH_BYTES = 128 * 1024;
/** What faultline's standalone.conf sets (standalone-config.ts) where the scenario's config does not. */
const STANDALONE_DEFAULTS: Record<string, string> = {
  journalSyncData: 'false',
  managedLedgerDefaultEnsembleSize: '1',
  managedLedgerDefaultWriteQuorum: '1',
  managedLedgerDefaultAckQuorum: '1',
  ...ENTRY_METADATA_SETTINGS,
};
/**
 * BookKeeper's own defaults (ServerConfiguration, bookkeeper-server 4.17.2): the standalone loads its bookie's
 * configuration from standalone.conf (PulsarStandalone → BKCluster's baseServerConfiguration), so what the file
 * does not set stays at these.
 */
const BOOKIE_DEFAULTS: Record<string, string> = {
  journalWriteData: 'true',
  journalMaxGroupWaitMSec: '2',
  journalFlushWhenQueueEmpty: 'false',
};

export function pulsarKnobs(side: Side): KnobMapping {
  const b = new MappingBuilder(side);
  const { knobs } = side;
  const external = side.provider === 'external';
  const notOurs = "faultline does not configure an external cluster's brokers";

  const fsync = knobs.durability.fsync;
  if (fsync !== undefined) {
    const at = side.knobAt('durability', 'fsync');
    if (external) b.refuse(at, `${notOurs}: fsync cannot be pinned there`);
    else {
      b.config('journalSyncData', fsync === 'always', 'durability.fsync', at);
      b.config('journalWriteData', true, 'durability.fsync', at);
    }
  }
  const replicas = knobs.durability.replicas;
  if (replicas !== undefined) {
    const at = side.knobAt('durability', 'replicas');
    if (external) b.refuse(at, `${notOurs}: the ledger quorums cannot be pinned there`);
    else if (replicas > 1)
      b.refuse(
        at,
        `a ${side.provider} Pulsar cluster is a standalone broker with one bookie: a ledger cannot keep ${replicas} copies`,
      );
    else {
      b.config('managedLedgerDefaultEnsembleSize', replicas, 'durability.replicas', at);
      b.config('managedLedgerDefaultWriteQuorum', replicas, 'durability.replicas', at);
    }
  }
  const ackReplicas = knobs.durability.ackReplicas;
  if (ackReplicas !== undefined) {
    const at = side.knobAt('durability', 'ackReplicas');
    const writeQuorum = Number(setting(side, b, 'managedLedgerDefaultWriteQuorum'));
    if (external) b.refuse(at, `${notOurs}: the ack quorum cannot be pinned there`);
    else if (ackReplicas > writeQuorum)
      b.refuse(at, `exceeds the write quorum (managedLedgerDefaultWriteQuorum=${writeQuorum})`);
    else b.config('managedLedgerDefaultAckQuorum', ackReplicas, 'durability.ackReplicas', at);
  }

  const maxDelay = knobs.batching.maxDelay;
  const maxBytes = knobs.batching.maxBytes;
  const binary = side.driver === 'binary';
  if (maxDelay !== undefined || maxBytes !== undefined) {
    const at = side.knobAt('batching', maxDelay !== undefined ? 'maxDelay' : 'maxBytes');
    b.option('producer', 'batchingEnabled', true, true, 'batching', at);
  }
  if (maxDelay !== undefined) {
    const at = side.knobAt('batching', 'maxDelay');
    if (!binary && (maxDelay < 1 || !Number.isInteger(maxDelay)))
      b.refuse(
        at,
        `cannot be honoured by the ${side.driver} driver: it passes batchingMaxPublishDelay in whole milliseconds, at least 1 (driver: binary takes ${maxDelay}ms)`,
      );
    else b.option('producer', 'batchingMaxPublishDelay', `${maxDelay}ms`, maxDelay, 'batching.maxDelay', at);
  }
  if (maxBytes !== undefined) {
    const at = side.knobAt('batching', 'maxBytes');
    if (binary) b.option('producer', 'batchingMaxBytes', maxBytes, maxBytes, 'batching.maxBytes', at);
    else if (maxBytes !== CLIENT_DEFAULT_BATCH_BYTES)
      b.refuse(
        at,
        `cannot be honoured by the ${side.driver} driver: ${fixedBatchBytes(side.driver)}; pin 128KiB or use driver: binary`,
      );
  }
  const prefetch = knobs.prefetch.messages;
  if (prefetch !== undefined)
    b.option(
      'consumer',
      'receiverQueueSize',
      prefetch,
      prefetch,
      'prefetch.messages',
      side.knobAt('prefetch', 'messages'),
    );

  return b.result(effectivePulsar(side, b));
}

function fixedBatchBytes(driver: string): string {
  return driver === 'websocket'
    ? "the WebSocket API has no batchingMaxBytes: the proxy's producer keeps the Java client's 128 KiB"
    : `the ${driver} driver does not set batchingMaxBytes: the client keeps its 128 KiB`;
}

/** A broker setting as the standalone runs it: the mapping's, the scenario's, faultline's, then BookKeeper's. */
function setting(side: Side, b: MappingBuilder, key: string): string {
  return String(
    b.brokerConfig[key] ?? side.brokerConfig[key] ?? STANDALONE_DEFAULTS[key] ?? BOOKIE_DEFAULTS[key] ?? '',
  );
}

function effectivePulsar(side: Side, b: MappingBuilder): EffectiveSettings {
  const { knobs } = side;
  const producer = { ...side.producer.parsed, ...b.producer };
  const consumer = { ...side.consumer.parsed, ...b.consumer };
  const ms = (v: unknown) => (typeof v === 'string' && v.endsWith('ms') ? Number(v.slice(0, -2)) : (v as number));
  const broker = (keys: string[]) =>
    Object.fromEntries(keys.map((key) => [key, withDefault(side, b, key)])) as Record<string, string>;
  const external = side.provider === 'external';
  const unknown = (pinned: boolean): EffectiveKnob => ({
    value: null,
    pinned,
    settings: {},
    note: 'an external cluster: its broker settings are its own, not known here',
  });
  const syncs = setting(side, b, 'journalSyncData') === 'true' && setting(side, b, 'journalWriteData') === 'true';
  const batching = producer.batchingEnabled !== false;
  const delay = batching ? ms(producer.batchingMaxPublishDelay) : 0;
  const binary = side.driver === 'binary';
  return {
    'durability.fsync': external
      ? unknown(false)
      : {
          value: syncs ? 'always' : 'os',
          pinned: knobs.durability.fsync !== undefined,
          settings: broker([
            'journalSyncData',
            'journalWriteData',
            'journalMaxGroupWaitMSec',
            'journalFlushWhenQueueEmpty',
          ]),
          ...(syncs
            ? {
                note: 'the bookie syncs its journal per group commit: writes within journalMaxGroupWaitMSec share one fsync',
              }
            : {}),
        },
    'durability.replicas': external
      ? unknown(false)
      : {
          value: Number(setting(side, b, 'managedLedgerDefaultWriteQuorum')),
          pinned: knobs.durability.replicas !== undefined,
          settings: broker(['managedLedgerDefaultEnsembleSize', 'managedLedgerDefaultWriteQuorum']),
        },
    'durability.ackReplicas': external
      ? unknown(false)
      : {
          value: Number(setting(side, b, 'managedLedgerDefaultAckQuorum')),
          pinned: knobs.durability.ackReplicas !== undefined,
          settings: broker(['managedLedgerDefaultAckQuorum']),
        },
    'batching.maxDelayMs': {
      value: binary ? Math.max(0, delay) : batching ? Math.max(1, Math.round(delay)) : 0,
      pinned: knobs.batching.maxDelay !== undefined,
      settings: {
        batchingEnabled: batching,
        ...(batching ? { batchingMaxPublishDelay: binary ? delay : Math.max(1, Math.round(delay)) } : {}),
      },
      ...(batching ? {} : { note: 'batchingEnabled=false: every message is sent alone' }),
    },
    'batching.maxBytes': {
      value: batching ? (binary ? (producer.batchingMaxBytes as number) : CLIENT_DEFAULT_BATCH_BYTES) : null,
      pinned: knobs.batching.maxBytes !== undefined,
      settings: batching
        ? {
            batchingMaxBytes: binary ? (producer.batchingMaxBytes as number) : CLIENT_DEFAULT_BATCH_BYTES,
            batchingMaxMessages: producer.batchingMaxMessages as number,
          }
        : { batchingEnabled: false },
      ...(batching && !binary ? { note: fixedBatchBytes(side.driver) } : {}),
    },
    'prefetch.messages': {
      value: consumer.receiverQueueSize as number,
      pinned: knobs.prefetch.messages !== undefined,
      settings: { receiverQueueSize: consumer.receiverQueueSize as number },
      note: 'messages the broker may push ahead (flow permits), per partition consumer',
    },
    ...(external
      ? {}
      : {
          'broker.entryMetadata': entryMetadata(
            broker(['brokerEntryMetadataInterceptors', 'exposingBrokerEntryMetadataToClientEnabled']),
            (key) => setting(side, b, key),
          ),
        }),
  };
}

function withDefault(side: Side, b: MappingBuilder, key: string): string {
  const value = setting(side, b, key);
  if (b.brokerConfig[key] !== undefined || side.brokerConfig[key] !== undefined) return value;
  return STANDALONE_DEFAULTS[key] !== undefined ? `${value} (faultline's default)` : `${value} (BookKeeper default)`;
}
