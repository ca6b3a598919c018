/**
 * The knobs that decide whether a Kafka-vs-Pulsar comparison is fair, stated once in cross-system terms
 * (`durability`, `batching`, `prefetch` on the workload, overridable per cluster), and what each side ran with:
 * the effective value of every knob, pinned or not, with the system's own settings behind it. Each system maps
 * the knobs to its own settings in its own pure module (kafka-knobs.ts, pulsar-knobs.ts).
 */
import { z } from 'zod';
import { bytes, duration } from '../scenario/unit-schemas.js';

export const durabilitySchema = z
  .object({
    fsync: z.enum(['always', 'os']).optional().meta({
      description:
        'always: the broker forces every write to disk before it acknowledges (Kafka log.flush.interval.messages=1, i.e. flush.messages=1; Pulsar journalSyncData=true). os: the OS page cache decides when bytes reach the disk (Kafka default; Pulsar journalSyncData=false).',
    }),
    replicas: z.number().int().min(1).max(9).optional().meta({
      description:
        "Copies of every message (Kafka: each topic's replicationFactor must equal it; Pulsar: managedLedgerDefaultEnsembleSize and WriteQuorum).",
    }),
    ackReplicas: z.number().int().min(1).max(9).optional().meta({
      description:
        'Copies written before a send is acknowledged (Kafka: acks=1 for 1, acks=all for every replica; Pulsar: managedLedgerDefaultAckQuorum).',
    }),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.replicas !== undefined && d.ackReplicas !== undefined && d.ackReplicas > d.replicas)
      ctx.addIssue({
        code: 'custom',
        path: ['ackReplicas'],
        message: `cannot exceed replicas (${d.ackReplicas} > ${d.replicas})`,
      });
  });

export const batchingSchema = z
  .object({
    maxDelay: duration().optional().meta({
      description:
        'Longest a message may wait in the client for more to join its batch (Kafka linger.ms; Pulsar batchingMaxPublishDelay). 0: send at once.',
    }),
    maxBytes: bytes().optional().meta({
      description: 'Largest batch the client builds, e.g. 128KiB (Kafka batch.size; Pulsar batchingMaxBytes).',
    }),
  })
  .strict();

export const prefetchSchema = z
  .object({
    messages: z.number().int().min(1).optional().meta({
      description:
        "Messages a consumer holds fetched ahead of the application (Pulsar receiverQueueSize, per partition consumer; Kafka: the platformatic driver's highWaterMark, its stream buffer; kafkajs fetches nothing ahead).",
    }),
  })
  .strict();

export const knobFieldMeta = {
  durability:
    'Pinned durability, in cross-system terms, mapped to each system\'s own settings (see README "Pinned durability and batching"); a knob a side cannot honour, or a setting contradicting it, is refused.',
  batching:
    'Pinned client batching, mapped to each driver\'s own options (see README "Pinned durability and batching").',
  prefetch:
    'Pinned consumer prefetch, mapped to each driver\'s own options (see README "Pinned durability and batching").',
} as const;

export type Durability = z.output<typeof durabilitySchema>;
export type Batching = z.output<typeof batchingSchema>;
export type Prefetch = z.output<typeof prefetchSchema>;

/** The knobs pinned for one cluster: the workload's, each field overridden by the cluster's own. */
export interface Knobs {
  durability: Durability;
  batching: Batching;
  prefetch: Prefetch;
}

export function mergeKnobs(
  workload: Partial<Record<keyof Knobs, object | undefined>>,
  cluster: Partial<Record<keyof Knobs, object | undefined>>,
): Knobs {
  return {
    durability: { ...workload.durability, ...cluster.durability } as Durability,
    batching: { ...workload.batching, ...cluster.batching } as Batching,
    prefetch: { ...workload.prefetch, ...cluster.prefetch } as Prefetch,
  };
}

/** The cross-system knobs, as named in result.json's `cluster.effective`, with what their value means. */
export const KNOBS = {
  'durability.fsync': 'fsync',
  'durability.replicas': 'replicas',
  'durability.ackReplicas': 'replicas acknowledging a write',
  'batching.maxDelayMs': 'batching delay (ms)',
  'batching.maxBytes': 'batch size limit (bytes)',
  'prefetch.messages': 'consumer prefetch (messages)',
} as const;

export type KnobName = keyof typeof KNOBS;

/** What one side ran with for one knob. */
export interface EffectiveKnob {
  /** The cross-system value (fsync: always, os, or how often; numbers in the knob's unit); null: the side has no such setting or it is not known. */
  value: string | number | null;
  /** True when the scenario pinned this knob. */
  pinned: boolean;
  /** The system's own settings behind the value, by their own names, as the run used them. */
  settings: Record<string, string | number | boolean>;
  /** Why the value is what it is, where the settings alone do not say (a driver without the setting, a default). */
  note?: string;
}

/**
 * What faultline sets on a side's brokers, beyond the knobs, that weighs on a comparison (result.json
 * `cluster.effective`, beside the knobs; not pinnable: a cluster's `config` changes it). Recorded by the systems
 * that have it (Pulsar: the broker's append time on every entry), compared only between sides that record it.
 */
export const BROKER_ADDITIONS = {
  'broker.entryMetadata': 'broker entry metadata (bytes added per entry)',
} as const;

export type AdditionName = keyof typeof BROKER_ADDITIONS;

export type EffectiveSettings = Record<KnobName, EffectiveKnob> & Partial<Record<AdditionName, EffectiveKnob>>;

/** A refusal from a system's mapping: the field it concerns (a scenario path) and why. */
export interface KnobProblem {
  path: Array<string | number>;
  message: string;
}

/** Where a pinned knob was written: on the cluster when it overrides, else on the workload. */
export function knobPath(
  index: number,
  cluster: Partial<Record<keyof Knobs, object | undefined>>,
  group: keyof Knobs,
  field: string,
): Array<string | number> {
  const own = cluster[group] as Record<string, unknown> | undefined;
  return own && field in own ? ['clusters', index, group, field] : ['workload', group, field];
}

/** What a mapping changes: broker config keys, driver options, and what the side will run with. */
export interface KnobMapping {
  brokerConfig: Record<string, string | number | boolean>;
  producer: Record<string, unknown>;
  consumer: Record<string, unknown>;
  effective: EffectiveSettings;
  problems: KnobProblem[];
}

/** One side of a comparison as its system's mapping sees it: pure data, no broker, no driver instance. */
export interface Side {
  /** The cluster's index in the scenario (for paths). */
  index: number;
  knobs: Knobs;
  /** Where a pinned knob was written, e.g. ['workload', 'durability', 'fsync']. */
  knobAt: (group: keyof Knobs, field: string) => Array<string | number>;
  driver: string;
  provider: 'local' | 'docker' | 'external';
  brokers: number;
  /** The cluster's `config`, as written. */
  brokerConfig: Record<string, string | number | boolean>;
  /** Topics on this cluster, with their index in the scenario; `load` marks those the workload drives. */
  topics: Array<{
    index: number;
    name: string;
    replicationFactor: number;
    config: Record<string, string | number | boolean>;
    load: boolean;
  }>;
  producer: SideOptions;
  consumer: SideOptions;
}

export interface SideOptions {
  /** The keys the scenario gave (workload's and cluster's together). */
  given: ReadonlySet<string>;
  /** Where a given key was written. */
  at: (key: string) => Array<string | number>;
  /** The driver's options after its schema filled the defaults. */
  parsed: Record<string, unknown>;
}

/** Collects a mapping's changes and refusals; `option` and `config` refuse a given setting that says otherwise. */
export class MappingBuilder {
  readonly brokerConfig: Record<string, string | number | boolean> = {};
  readonly producer: Record<string, unknown> = {};
  readonly consumer: Record<string, unknown> = {};
  readonly problems: KnobProblem[] = [];

  constructor(private readonly side: Side) {}

  refuse(path: Array<string | number>, message: string): void {
    this.problems.push({ path, message });
  }

  /**
   * Sets a driver option to what a pinned knob needs; `value` is what the scenario would write, `parsed` what the
   * driver's schema makes of it (ms, bytes), compared with a given option's parsed value.
   */
  option(
    kind: 'producer' | 'consumer',
    key: string,
    value: unknown,
    parsed: unknown,
    knob: string,
    knobPathOf: Array<string | number>,
  ): void {
    const options = this.side[kind];
    if (options.given.has(key) && options.parsed[key] !== parsed) {
      this.refuse(
        options.at(key),
        `contradicts the pinned ${knob} (${formatKnobPath(knobPathOf)}), which needs ${key}: ${String(value)}; remove the option or change the knob`,
      );
      return;
    }
    this[kind][key] = value;
  }

  /** Sets a broker config key to what a pinned knob needs (`undefined`: the key must not be given). */
  config(key: string, value: string | number | boolean | undefined, knob: string, knobPathOf: Array<string | number>) {
    const given = this.side.brokerConfig[key];
    if (given !== undefined && (value === undefined || String(given) !== String(value))) {
      this.refuse(
        ['clusters', this.side.index, 'config', key],
        value === undefined
          ? `contradicts the pinned ${knob} (${formatKnobPath(knobPathOf)}); remove it or change the knob`
          : `contradicts the pinned ${knob} (${formatKnobPath(knobPathOf)}), which needs ${key}=${String(value)}; remove it or change the knob`,
      );
      return;
    }
    if (value !== undefined) this.brokerConfig[key] = value;
  }

  result(effective: EffectiveSettings): KnobMapping {
    return {
      brokerConfig: this.brokerConfig,
      producer: this.producer,
      consumer: this.consumer,
      effective,
      problems: this.problems,
    };
  }
}

function formatKnobPath(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The value a knob was pinned to, or undefined. */
export function pinned<G extends keyof Knobs>(knobs: Knobs, group: G, field: keyof Knobs[G]): unknown {
  return (knobs[group] as Record<string, unknown>)[field as string];
}
