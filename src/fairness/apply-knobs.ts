/**
 * Plan-time glue: reads a cluster's pinned knobs (workload's, overridden by the cluster's), asks its system's
 * mapping for the broker config and driver options they need, and returns the cluster's run with those applied
 * and with the effective settings it will run with. Refusals become scenario problems with their field.
 */
import type { ClusterProvider } from '../cluster/provider.js';
import type { DriverFactory } from '../drivers/driver.js';
import type { Problem } from '../scenario/problems.js';
import type { ClusterSpec, Scenario, TopicSpec } from '../scenario/schema.js';
import { kafkaKnobs } from './kafka-knobs.js';
import {
  type EffectiveSettings,
  type KnobMapping,
  knobPath,
  mergeKnobs,
  type Side,
  type SideOptions,
} from './knobs.js';
import { pulsarKnobs } from './pulsar-knobs.js';

const mappings: Record<string, (side: Side) => KnobMapping> = { kafka: kafkaKnobs, pulsar: pulsarKnobs };

export interface KnobbedRun {
  cluster: ClusterSpec;
  provider: ClusterProvider;
  driver: DriverFactory;
  topics: TopicSpec[];
  loadTopics: TopicSpec[];
  producerOptions: Record<string, unknown>;
  consumerOptions: Record<string, unknown>;
  effective?: EffectiveSettings;
}

export function applyKnobs<R extends KnobbedRun>(scenario: Scenario, run: R, index: number, problems: Problem[]): R {
  const map = mappings[run.cluster.system];
  const producer = sideOptions(
    run.driver.producerOptions,
    scenario.workload.producer,
    run.cluster.producer,
    index,
    'producer',
  );
  const consumer = sideOptions(
    run.driver.consumerOptions,
    scenario.workload.consumer,
    run.cluster.consumer,
    index,
    'consumer',
  );
  // Options the driver refused are reported already; the mapping needs them parsed.
  if (!map || !producer || !consumer) return run;
  const cluster = run.cluster as ClusterSpec & Partial<Record<'durability' | 'batching' | 'prefetch', object>>;
  const workload = scenario.workload as typeof scenario.workload &
    Partial<Record<'durability' | 'batching' | 'prefetch', object>>;
  const mapping = map({
    index,
    knobs: mergeKnobs(workload, cluster),
    knobAt: (group, field) => knobPath(index, cluster, group, field),
    driver: run.driver.name,
    provider: run.cluster.provider,
    brokers: run.cluster.brokers,
    brokerConfig: run.cluster.config,
    topics: scenario.topics
      .map((topic, i) => ({ topic, i }))
      .filter(({ topic }) => run.topics.includes(topic))
      .map(({ topic, i }) => ({
        index: i,
        name: topic.name,
        replicationFactor: topic.replicationFactor,
        config: topic.config,
        load: run.loadTopics.includes(topic),
      })),
    producer,
    consumer,
  });
  for (const problem of mapping.problems) {
    if (!problems.some((p) => p.message === problem.message && p.path.join('/') === problem.path.join('/')))
      problems.push(problem);
  }
  return {
    ...run,
    cluster: { ...run.cluster, config: { ...run.cluster.config, ...mapping.brokerConfig } },
    producerOptions: { ...run.producerOptions, ...mapping.producer },
    consumerOptions: { ...run.consumerOptions, ...mapping.consumer },
    effective: mapping.effective,
  };
}

function sideOptions(
  schema: DriverFactory['producerOptions'],
  workload: Record<string, unknown>,
  cluster: Record<string, unknown>,
  index: number,
  kind: 'producer' | 'consumer',
): SideOptions | undefined {
  const parsed = schema.safeParse({ ...workload, ...cluster });
  if (!parsed.success) return undefined;
  return {
    given: new Set([...Object.keys(workload), ...Object.keys(cluster)]),
    at: (key) => (key in cluster ? ['clusters', index, kind, key] : ['workload', kind, key]),
    parsed: parsed.data as Record<string, unknown>,
  };
}
