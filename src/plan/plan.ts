/**
 * Turns a validated scenario into what will run: for each cluster (in turn), its provider, driver, topics
 * and checked client options; plus the parsed criteria. Everything that can be rejected before starting a
 * broker is rejected here, with the field it concerns.
 */
import type { z } from 'zod';
import { availableProviders, driversFor, findProvider } from '../cluster/providers.js';
import type { ClusterProvider } from '../cluster/provider.js';
import { type Criterion, CriterionSyntaxError, parseCriterion } from '../criteria/criterion.js';
import type { DriverFactory } from '../drivers/driver.js';
import { PAYLOAD_HEADER_BYTES } from '../load/payload.js';
import type { ScenarioDocument } from '../scenario/load-scenario.js';
import { type Problem, scenarioError } from '../scenario/problems.js';
import type { ClusterSpec, Scenario, TopicSpec } from '../scenario/schema.js';
import { didYouMean } from '../scenario/suggest.js';

export interface ClusterRun {
  cluster: ClusterSpec;
  provider: ClusterProvider;
  driver: DriverFactory;
  /** Topics created on this cluster. */
  topics: TopicSpec[];
  /** Topics the workload drives. */
  loadTopics: TopicSpec[];
  producerOptions: Record<string, unknown>;
  consumerOptions: Record<string, unknown>;
}

export interface RunPlan {
  scenario: Scenario;
  file: string;
  runs: ClusterRun[];
  criteria: Criterion[];
}

export function buildPlan(document: ScenarioDocument): RunPlan {
  const { scenario, file } = document;
  const problems: Problem[] = [];
  const criteria: Criterion[] = [];
  scenario.criteria.forEach((expression, i) => {
    try {
      criteria.push(parseCriterion(expression));
    } catch (error) {
      if (!(error instanceof CriterionSyntaxError)) throw error;
      problems.push({ path: ['criteria', i], message: error.message });
    }
  });
  if (scenario.workload.messageSize < PAYLOAD_HEADER_BYTES) {
    problems.push({ path: ['workload', 'messageSize'], message: `must be at least ${PAYLOAD_HEADER_BYTES}B: every message carries producer id, sequence number and intended send time` });
  }
  if (scenario.faults.length > 0) {
    problems.push({ path: ['faults'], message: 'fault injection is not available in this version of faultline yet; remove the faults section' });
  }
  if (scenario.replication.length > 0) {
    problems.push({ path: ['replication'], message: 'replication between clusters is not available in this version of faultline yet' });
  }
  const runs: ClusterRun[] = [];
  scenario.clusters.forEach((cluster, i) => {
    const run = planCluster(scenario, cluster, i, problems);
    if (run) runs.push(run);
  });
  if (problems.length > 0) throw scenarioError(file, problems, document.locate);
  return { scenario, file, runs, criteria };
}

function planCluster(scenario: Scenario, cluster: ClusterSpec, index: number, problems: Problem[]): ClusterRun | undefined {
  const provider = findProvider(cluster.system, cluster.provider);
  if (!provider) {
    const available = availableProviders(cluster.system);
    const message = available.length
      ? `provider "${cluster.provider}" is not available for ${cluster.system} in this version (available: ${available.join(', ')})`
      : `${cluster.system} clusters are not supported by this version of faultline yet`;
    problems.push({ path: ['clusters', index, available.length ? 'provider' : 'system'], message });
    return undefined;
  }
  const driver = driversFor(cluster.system)[0]!;
  const topics = scenario.topics.filter((t) => t.cluster === undefined || t.cluster === cluster.name);
  const wanted = scenario.workload.topics;
  const loadTopics = wanted ? topics.filter((t) => wanted.includes(t.name)) : topics;
  if (loadTopics.length === 0) {
    problems.push({ path: ['clusters', index, 'name'], message: `the workload has no topic on cluster "${cluster.name}"` });
  }
  const producerOptions = checkOptions(driver.producerOptions, scenario.workload.producer, ['workload', 'producer'], driver, problems);
  const consumerOptions = checkOptions(driver.consumerOptions, scenario.workload.consumer, ['workload', 'consumer'], driver, problems);
  return { cluster, provider, driver, topics, loadTopics, producerOptions, consumerOptions };
}

function checkOptions(schema: z.ZodType, options: Record<string, unknown>, path: string[], driver: DriverFactory, problems: Problem[]): Record<string, unknown> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return options;
  const known = knownOptionKeys(schema);
  for (const issue of parsed.error.issues) {
    const issuePath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path, key, message: `not an option of the ${driver.system} driver (${driver.name})${didYouMean(key, known)}; options: ${known.join(', ')}` });
      }
    } else {
      problems.push({ path: [...path, ...issuePath], message: issue.message });
    }
  }
  return options;
}

function knownOptionKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
