/**
 * The scenario schema: the single source of truth for validation, the TypeScript types of a scenario and
 * the JSON Schema shipped for editors (schema/scenario.schema.json, generated from this file at build).
 * Field names are a contract with users' scenario files: add fields, never rename them.
 */
import { z } from 'zod';
import { faultSchema, nemesisSchema } from '../faults/fault-schema.js';
import { parseRegressionCheck, RegressionSyntaxError } from '../report/regression-checks.js';
import { driverChoices, driverDescription, systemNames } from '../systems/facts.js';
import { bytes, duration, rate } from './unit-schemas.js';
import { type RateSearchSpec, rateSearchSchema } from './rate-search-schema.js';
import { batchingSchema, durabilitySchema, knobFieldMeta, prefetchSchema } from '../fairness/knobs.js';

export { bytes, duration, rate };

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');

/** Free-form key/value settings handed to the broker (server.properties for Kafka). */
const configMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const clusterSchema = z
  .object({
    name,
    system: z.enum(systemNames),
    provider: z.enum(['local', 'docker', 'external']).default('local'),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'expected a release such as 4.1.1')
      .optional(),
    brokers: z.number().int().min(1).max(9).default(1),
    region: name
      .optional()
      .meta({ description: 'Region all brokers of this cluster live in (defaults to the first region).' }),
    regions: z.array(name).min(1).optional().meta({
      description:
        'A stretched cluster: broker N lives in regions[(N - 1) mod length], e.g. [us-east, eu-west, ap-south] for one broker per region.',
    }),
    bootstrap: z.string().optional().meta({
      description: 'provider external only: Kafka host:port,…; Pulsar pulsar://host:port (used by the native driver).',
    }),
    webServiceUrl: z
      .string()
      .regex(/^https?:\/\/[^/]+/, 'expected an http(s) URL such as http://127.0.0.1:8080')
      .optional()
      .meta({ description: 'Pulsar, provider external only: the web service URL (admin REST and WebSocket API).' }),
    driver: z.enum(driverChoices).default('auto').meta({ description: driverDescription }),
    producer: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: "Producer options for this cluster's system, over workload.producer." }),
    consumer: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: "Consumer options for this cluster's system, over workload.consumer." }),
    config: configMap.default({}).meta({ description: 'Broker configuration passed through verbatim.' }),
    heap: bytes().optional().meta({ description: 'JVM heap per broker (local provider). Default 1GiB.' }),
    image: z.string().min(1).optional().meta({
      description:
        'provider docker only: the image each broker runs instead of the one `faultline images build` makes (it must hold the jars: faultline labels, or the apache/kafka or apachepulsar/pulsar layout).',
    }),
    resources: z
      .object({
        cpus: z
          .number()
          .positive('must be more than 0 (a fraction such as 0.5 is fine)')
          .optional()
          .meta({ description: "CPUs per broker (cgroup quota, docker's --cpus), e.g. 1.5." }),
        memory: bytes()
          .optional()
          .meta({ description: "Memory per broker (cgroup limit, docker's --memory), e.g. 2GiB." }),
      })
      .strict()
      .optional()
      .meta({
        description:
          'provider docker only: the same caps for every broker of the cluster (give two clusters the same caps to compare them like for like).',
      }),
    followerFetching: z.boolean().default(false).meta({
      description:
        "Kafka with regions: consumers read from a replica in their own region (KIP-392: the broker's rack-aware replica selector; broker.rack and the consumer's rack are the regions).",
    }),
    // Pinned fairness knobs (src/fairness/): this cluster's own, each field over the workload's.
    durability: durabilitySchema
      .optional()
      .meta({ description: `${knobFieldMeta.durability} Over workload.durability.` }),
    batching: batchingSchema.optional().meta({ description: `${knobFieldMeta.batching} Over workload.batching.` }),
    prefetch: prefetchSchema.optional().meta({ description: `${knobFieldMeta.prefetch} Over workload.prefetch.` }),
  })
  .strict();

export const topicSchema = z
  .object({
    name,
    cluster: name.optional().meta({ description: 'Cluster the topic lives on; omitted: every cluster.' }),
    partitions: z.number().int().min(1).max(10_000).default(1),
    replicationFactor: z.number().int().min(1).default(1),
    config: configMap.default({}).meta({ description: 'Topic configuration passed through verbatim.' }),
  })
  .strict();

export const keyDistributions = ['none', 'roundRobin', 'random'] as const;

export const regionSchema = z
  .union([name, z.object({ name }).strict()])
  .transform((region) => (typeof region === 'string' ? { name: region } : region))
  .meta({ description: 'A region: a name, or {name}.' });

/** A link between two regions: what every byte that crosses it pays, one way. */
export const linkSchema = z
  .object({
    between: z
      .tuple([name, name])
      .optional()
      .meta({ description: 'Both directions of a region pair, e.g. [us-east, eu-west].' }),
    from: name
      .optional()
      .meta({ description: 'One direction only (with to): an asymmetric link gives each direction its own entry.' }),
    to: name.optional(),
    latency: duration().meta({
      description: 'One-way delay: a request and its response across the link pay it twice.',
    }),
    jitter: duration().default(0),
    bandwidth: bytes()
      .optional()
      .meta({ description: 'Bytes per second each connection may carry across the link, e.g. 10MiB.' }),
  })
  .strict();

/**
 * Where the workload's clients sit: producer i of each topic in producers[i mod length]; a consumer group (of
 * `consumers` members) in each consumer region, each reading every message (the books are kept on the first).
 */
export const placementSchema = z
  .object({
    producers: z.array(name).min(1).optional(),
    consumers: z.array(name).min(1).optional(),
  })
  .strict();

/** Asynchronous replication of topics from one cluster to another (Kafka: MirrorMaker 2 in dedicated mode). */
export const replicationSchema = z
  .object({
    from: name.meta({ description: 'Source cluster (the workload produces and consumes here).' }),
    to: name.meta({ description: 'Target cluster (the replicator runs in its region and consumes across the link).' }),
    topics: z
      .array(name)
      .min(1)
      .optional()
      .meta({ description: 'Topics to replicate; default: the workload topics of the source cluster.' }),
    policy: z.enum(['identity', 'default']).default('identity').meta({
      description:
        'Topic naming on the target: identity keeps the name (one-way only); default prefixes the source cluster ("a.orders").',
    }),
    syncGroupOffsets: z
      .boolean()
      .default(true)
      .meta({ description: 'Write translated consumer-group offsets to the target (for groups not active there).' }),
    checkpointInterval: duration()
      .default(1000)
      .meta({ description: 'How often checkpoints and group offsets are emitted.' }),
    exactlyOnce: z.boolean().default(false).meta({
      description:
        'Kafka: MirrorMaker 2 exactly-once (KIP-618): records and source offsets committed in one transaction on the target, so a MirrorMaker crash adds no duplicates; each batch MirrorMaker 2 polls is one transaction (transaction.boundary=poll), which readers on the target see once committed. Every replication into one target must agree. Not for Pulsar.',
    }),
    replicator: z.enum(['faultline', 'external']).default('faultline').meta({
      description:
        "Kafka: who runs the MirrorMaker 2. faultline (default) starts its own; external: one already runs (e.g. a compose file's) and copies these topics under `policy` — faultline only measures it (lag, what it failed to copy). Every replication into one target must agree.",
    }),
  })
  .strict();

/** Clients moving from a cluster to its replica when the source's region goes down (region failover). */
export const failoverSchema = z
  .object({
    from: name.optional().meta({ description: "The cluster clients leave (default: the workload's cluster)." }),
    to: name.optional().meta({
      description:
        "The cluster clients move to: a replica of `from` (a replication from → to carries every workload topic). Default: the one replica of each joined group's workload cluster.",
    }),
    after: duration().optional().meta({
      description:
        "How long after the source's region went down (its first region-outage, counted from when it was in force) producers and consumers move: an assumed detection and decision time. Default 5s, unless trigger is given.",
    }),
    trigger: z
      .object({
        noAckFor: duration().optional().meta({
          description:
            'Move when the producers have had no acknowledgement for this long while a send was waiting: detection by what a client sees.',
        }),
      })
      .catchall(z.unknown())
      .optional()
      .meta({
        description:
          'Detection measured instead of assumed: the move happens when the clients see the rule hold (instead of after).',
      }),
  })
  .strict();

export const ratePhaseSchema = z
  .object({
    duration: duration(),
    rate: rate(),
  })
  .strict();

export const workloadSchema = z
  .object({
    warmup: duration().default(0),
    duration: duration().optional().meta({ description: 'The measurement window (or give phases).' }),
    drainTimeout: duration()
      .default(30_000)
      .meta({ description: 'After producing stops, how long consumers may take to catch up before the books close.' }),
    messageSize: bytes().default(1024),
    rate: z.union([rate(), rateSearchSchema]).optional().meta({
      description:
        'Total target rate (or give phases), or {find: max, while: CONDITION}: search for the max sustainable rate.',
    }),
    phases: z.array(ratePhaseSchema).min(1).optional().meta({
      description:
        "A rate profile instead of duration + rate, e.g. steady then a burst: [{duration: 40s, rate: 2000/s}, {duration: 10s, rate: 8000/s}]. Warm-up runs at the first phase's rate.",
    }),
    topics: z
      .array(name)
      .min(1)
      .optional()
      .meta({ description: 'Topics to load; default: all topics of the cluster.' }),
    producers: z.number().int().min(1).max(256).default(1).meta({ description: 'Producers per topic.' }),
    consumers: z
      .number()
      .int()
      .min(0)
      .max(256)
      .default(1)
      .meta({ description: 'Consumers per topic (one subscription).' }),
    keyDistribution: z.enum(keyDistributions).default('none'),
    keyCount: z.number().int().min(1).default(1024),
    maxInFlight: z.number().int().min(1).default(10_000).meta({
      description:
        'Messages a producer may have unacknowledged before it holds back (latency still counts from the intended send time).',
    }),
    maxInFlightBatches: z.number().int().min(1).max(1000).default(5).meta({
      description:
        'Sends a producer may have outstanding; while all are out, due messages gather into the next batch (like a client linger).',
    }),
    maxBatch: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(500)
      .meta({ description: 'Most messages a producer hands the client in one send.' }),
    producer: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: 'Producer options of the driver (checked per system).' }),
    consumer: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: 'Consumer options of the driver (checked per system).' }),
    placement: placementSchema
      .optional()
      .meta({ description: 'Regions of the producers and consumers (default: the region of broker 1).' }),
    // Pinned fairness knobs (src/fairness/), for every cluster.
    durability: durabilitySchema.optional().meta({ description: knobFieldMeta.durability }),
    batching: batchingSchema.optional().meta({ description: knobFieldMeta.batching }),
    prefetch: prefetchSchema.optional().meta({ description: knobFieldMeta.prefetch }),
  })
  .strict()
  .transform((input, ctx) => {
    // A max-rate search: each step is a fixed-rate workload of its own (run/max-rate-run.ts); `from` stands here.
    const rateSearch: RateSearchSpec | undefined = input.rate && 'find' in input.rate ? input.rate : undefined;
    const rate =
      input.rate === undefined || 'kind' in input.rate
        ? input.rate
        : { kind: 'fixed' as const, perSecond: input.rate.from };
    const workload = { ...input, rate };
    if (rateSearch && !input.phases) {
      for (const [field, step] of [
        ['duration', 'stepDuration'],
        ['warmup', 'stepWarmup'],
      ] as const)
        if (field === 'duration' ? input.duration !== undefined : input.warmup > 0)
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `with rate: {find: max}, each step has its own ${field}: give rate.${step} instead`,
          });
      const { from, stepWarmup, stepDuration } = rateSearch;
      const first = { kind: 'fixed' as const, perSecond: from };
      const phases = [{ duration: stepDuration, rate: first }];
      return { ...workload, warmup: stepWarmup, duration: stepDuration, rate: first, phases, rateSearch };
    }
    // One shape downstream: duration is the whole measurement window, phases the rate profile within it.
    if (workload.phases) {
      for (const field of ['duration', 'rate'] as const) {
        if (workload[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `give either phases or ${field}, not both` });
      }
      workload.phases.forEach((phase, i) => {
        if (phase.rate.kind === 'max')
          ctx.addIssue({
            code: 'custom',
            path: ['phases', i, 'rate'],
            message: 'phases need fixed rates (max is for a single-rate workload)',
          });
      });
      const total = workload.phases.reduce((sum, phase) => sum + phase.duration, 0);
      return { ...workload, duration: total, rate: workload.phases[0]!.rate, phases: workload.phases, rateSearch };
    }
    for (const field of ['duration', 'rate'] as const) {
      if (workload[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `required field is missing (or give phases)` });
    }
    if (workload.duration === undefined || workload.rate === undefined) return z.NEVER;
    return {
      ...workload,
      duration: workload.duration,
      rate: workload.rate,
      phases: [{ duration: workload.duration, rate: workload.rate }],
      rateSearch,
    };
  });

/** `regression:` figure → change, each checked as `faultline compare --baseline` reads it (regression-checks.ts). */
const regressionSchema = z.record(z.string(), z.union([z.string(), z.number()])).superRefine((checks, ctx) => {
  for (const [figure, change] of Object.entries(checks)) {
    if (typeof change === 'number') {
      ctx.addIssue({
        code: 'custom',
        path: [figure],
        message: `write the change with its sign, quoted: "+${change}%" (an increase beyond ${change} % regresses) or "-${change}%"`,
      });
      continue;
    }
    try {
      parseRegressionCheck(figure, change, 'scenario');
    } catch (error) {
      if (!(error instanceof RegressionSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', path: [figure], message: error.message });
    }
  }
});

export const scenarioSchema = z
  .object({
    name,
    description: z.string().optional(),
    regions: z
      .array(regionSchema)
      .default([])
      .meta({ description: 'Regions; without them every broker and client sits in one implicit region.' }),
    links: z.array(linkSchema).default([]).meta({ description: 'Region pairs and what crossing between them costs.' }),
    clusters: z.array(clusterSchema).min(1),
    topics: z.array(topicSchema).min(1),
    workload: workloadSchema,
    faults: z.array(faultSchema).default([]),
    nemesis: nemesisSchema.optional(),
    replication: z.array(replicationSchema).default([]).meta({
      description: 'Replication between clusters; clusters joined by it run together, with one workload on the source.',
    }),
    failover: failoverSchema.optional().meta({
      description:
        'Region failover: producers and consumers move to a replica cluster after its source region goes down; measured as RTO.',
    }),
    criteria: z.array(z.string()).default([]),
    regression: regressionSchema.optional().meta({
      description:
        'Regression checks for `faultline compare --baseline`: figure (a criterion\'s metric) → allowed change in the worse direction: "+10%", "-5%", "+0", or "off" to drop a default.',
    }),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type ClusterSpec = z.output<typeof clusterSchema>;
export type TopicSpec = z.output<typeof topicSchema>;
export type WorkloadSpec = z.output<typeof workloadSchema>;
export type LinkSpec = z.output<typeof linkSchema>;
export type ReplicationSpec = z.output<typeof replicationSchema>;
export type FailoverSpec = z.output<typeof failoverSchema>;

export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'faultline scenario',
  };
}
