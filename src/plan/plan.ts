/**
 * Turns a validated scenario into what will run: for each cluster (in turn), its provider, driver, topics
 * and checked client options; plus the parsed criteria. Everything that can be rejected before starting a
 * broker is rejected here, with the field it concerns.
 */
import type { z } from 'zod';
import { checkContainerFields } from '../cluster/docker/container-fields.js';
import type { ClusterProvider } from '../cluster/provider.js';
import { needsProxies, type PlannedFault, planFaults } from '../faults/fault-plan.js';
import { type Criterion, CriterionSyntaxError, parseCriterion } from '../criteria/criterion.js';
import { checkSelectors } from '../criteria/selectors.js';
import { checkResourceCriteria } from '../criteria/resource-criteria.js';
import { checkRateSearch } from './rate-search-plan.js';
import type { DriverFactory } from '../drivers/driver.js';
import { PAYLOAD_HEADER_BYTES } from '../load/payload.js';
import type { ScenarioDocument } from '../scenario/load-scenario.js';
import type { ScenarioParameters } from '../scenario/parameters.js';
import { type Problem, scenarioError } from '../scenario/problems.js';
import type { ClusterSpec, Scenario, TopicSpec } from '../scenario/schema.js';
import { didYouMean } from '../scenario/suggest.js';
import { driverFacts } from '../systems/facts.js';
import { availableProviders, driversFor, findProvider, systemOf } from '../systems/systems.js';
import { applyKnobs } from '../fairness/apply-knobs.js';
import type { EffectiveSettings } from '../fairness/knobs.js';
import { crossesRegions, resolveTopology, type Topology } from '../topology/topology.js';
import { type PlannedFailover, planFailovers } from '../replication/failover-plan.js';
import {
  type JoinedClusters,
  joinClusters,
  type PlannedReplication,
  planReplication,
} from '../replication/replication-plan.js';

export interface ClusterRun {
  cluster: ClusterSpec;
  provider: ClusterProvider;
  driver: DriverFactory;
  /** Why `auto` did not pick the first driver of the system (e.g. the native addon did not load). */
  driverNote?: string;
  /** Topics created on this cluster. */
  topics: TopicSpec[];
  /** Topics the workload drives. */
  loadTopics: TopicSpec[];
  /** The fault timeline for this cluster (nemesis expanded), in time order. */
  faults: PlannedFault[];
  producerOptions: Record<string, unknown>;
  consumerOptions: Record<string, unknown>;
  /** Where the scenario declares the cluster (file:line), for start-up errors. */
  source?: string;
  /** The fairness knobs as this cluster runs them (pinned or default), with its own settings (src/fairness/). */
  effective?: EffectiveSettings;
}

export interface RunPlan {
  scenario: Scenario;
  file: string;
  /** Regions, links and who sits where, resolved once. */
  topology: Topology;
  runs: ClusterRun[];
  criteria: Criterion[];
  /** Replications between clusters, and the clusters they join (run together); empty without `replication`. */
  replication: PlannedReplication[];
  joined: JoinedClusters[];
  /** Clients moving to a replica when the source region goes down: one per joined group that fails over. */
  failovers: PlannedFailover[];
  /** The --set overrides and ${NAME} variables the scenario was read with. */
  parameters?: ScenarioParameters;
}

export async function buildPlan(document: ScenarioDocument): Promise<RunPlan> {
  const { scenario, file } = document;
  const problems: Problem[] = [];
  const criteria: Criterion[] = [];
  /** Where each parsed criterion sits in scenario.criteria (one that did not parse is left out). */
  const criterionIndex: number[] = [];
  scenario.criteria.forEach((expression, i) => {
    try {
      criteria.push(parseCriterion(expression));
      criterionIndex.push(i);
    } catch (error) {
      if (!(error instanceof CriterionSyntaxError)) throw error;
      problems.push({ path: ['criteria', i], message: error.message });
    }
  });
  if (scenario.workload.messageSize < PAYLOAD_HEADER_BYTES) {
    problems.push({
      path: ['workload', 'messageSize'],
      message: `must be at least ${PAYLOAD_HEADER_BYTES}B: every message carries producer id, sequence number and intended send time`,
    });
  }
  const topology = resolveTopology(scenario, problems);
  const replication = planReplication(scenario, problems);
  const joined = joinClusters(scenario, replication);
  scenario.criteria.forEach((expression, i) => {
    if (replication.length === 0 && /^\s*(replication|rpo)\./.test(expression)) {
      problems.push({
        path: ['criteria', i],
        message: 'a replication figure needs replication: between clusters (this scenario has none)',
      });
    }
  });
  const replicaOnly = new Set(joined.flatMap((group) => group.clusters.filter((name) => name !== group.workload)));
  const runs: ClusterRun[] = [];
  for (const [i, cluster] of scenario.clusters.entries()) {
    checkContainerFields(cluster, i, problems);
    const planned = await planCluster(scenario, cluster, i, topology, problems, replicaOnly.has(cluster.name));
    const run = planned && applyKnobs(scenario, planned, i, problems);
    const position = document.locate(['clusters', i]);
    if (run) runs.push({ ...run, source: position ? `${file}:${position.line}` : file });
  }
  const failovers = planFailovers(
    {
      scenario,
      topology,
      replication,
      joined,
      faultsOf: (name) => runs.find((r) => r.cluster.name === name)?.faults,
      loadTopicsOf: (name) => runs.find((r) => r.cluster.name === name)?.loadTopics ?? [],
    },
    problems,
  );
  checkSelectors(
    criteria.map((criterion, k) => ({ criterion, index: criterionIndex[k]! })),
    {
      topology,
      producers: scenario.workload.producers,
      consumers: scenario.workload.consumers,
      failoverRegions: failovers.flatMap((f) => topology.clusters.get(f.to)?.brokerRegions ?? []),
    },
    problems,
  );
  const kinds = {
    brokers: runs.some((run) => run.cluster.provider !== 'external'),
    mirrorMakers: replication.some((r) => systemOf(r.to.system).replicator.ownProcess),
    toxiproxies: crossesRegions(topology) || runs.some((run) => needsProxies(run.faults)),
  };
  checkResourceCriteria(scenario.criteria, kinds, problems);
  checkRateSearch(scenario, problems, document.locate);
  scenario.criteria.forEach((expression, i) => {
    if (!scenario.failover && /^\s*rto\./.test(expression)) {
      problems.push({
        path: ['criteria', i],
        message:
          'an RTO figure needs failover: (clients moving to a replica when the source region goes down); this scenario has none',
      });
    }
  });
  if (problems.length > 0) throw scenarioError(file, problems, document.locate);
  const parameters = document.parameters;
  return {
    scenario,
    file,
    topology,
    runs,
    criteria,
    replication,
    joined,
    failovers,
    ...(parameters ? { parameters } : {}),
  };
}

async function planCluster(
  scenario: Scenario,
  cluster: ClusterSpec,
  index: number,
  topology: Topology,
  problems: Problem[],
  replicaOnly = false,
): Promise<Omit<ClusterRun, 'source'> | undefined> {
  const provider = findProvider(cluster.system, cluster.provider);
  if (!provider) {
    const available = availableProviders(cluster.system);
    const message = available.length
      ? `provider "${cluster.provider}" is not available for ${cluster.system} in this version (available: ${available.join(', ')})`
      : `${cluster.system} clusters are not supported by this version of faultline yet`;
    problems.push({ path: ['clusters', index, available.length ? 'provider' : 'system'], message });
    return undefined;
  }
  const system = systemOf(cluster.system);
  const lagNeedsBrokerPublishTime =
    system.replicator.lagNeedsBrokerPublishTime &&
    (scenario.replication ?? []).some((r) => r.from === cluster.name || r.to === cluster.name);
  const choice = await chooseDriver(cluster, index, problems, lagNeedsBrokerPublishTime);
  if (!choice) return undefined;
  const { driver } = choice;
  const noFollowerFetching = driverFacts(cluster.system, driver.name)?.noFollowerFetching;
  if (cluster.followerFetching && noFollowerFetching) {
    problems.push({ path: ['clusters', index, 'followerFetching'], message: noFollowerFetching });
  }
  const topics = scenario.topics.filter((t) => t.cluster === undefined || t.cluster === cluster.name);
  const wanted = scenario.workload.topics;
  const loadTopics = wanted ? topics.filter((t) => wanted.includes(t.name)) : topics;
  // A cluster that only receives replication runs no workload of its own.
  if (loadTopics.length === 0 && !replicaOnly) {
    problems.push({
      path: ['clusters', index, 'name'],
      message: `the workload has no topic on cluster "${cluster.name}"`,
    });
  }
  // Workload-level options apply to every cluster; the cluster's own override them.
  const before = problems.length;
  checkOptions(driver.producerOptions, scenario.workload.producer, ['workload', 'producer'], driver, problems);
  checkOptions(driver.consumerOptions, scenario.workload.consumer, ['workload', 'consumer'], driver, problems);
  checkOptions(driver.producerOptions, cluster.producer, ['clusters', index, 'producer'], driver, problems);
  checkOptions(driver.consumerOptions, cluster.consumer, ['clusters', index, 'consumer'], driver, problems);
  if (problems.length === before) {
    // Each level is fine alone; together they may not be (idempotent on the workload, acks: 1 on the cluster).
    checkCombinedOptions(
      driver.producerOptions,
      scenario.workload.producer,
      cluster.producer,
      index,
      'producer',
      problems,
    );
    checkCombinedOptions(
      driver.consumerOptions,
      scenario.workload.consumer,
      cluster.consumer,
      index,
      'consumer',
      problems,
    );
  }
  const producerOptions = { ...scenario.workload.producer, ...cluster.producer };
  // Beside another system (a comparison), the system's own defaults that make both sides deliver alike.
  const comparison = new Set(scenario.clusters.map((c) => c.system)).size > 1;
  const consumerDefaults = comparison ? (system.comparisonConsumerDefaults ?? {}) : {};
  const consumerOptions = { ...consumerDefaults, ...scenario.workload.consumer, ...cluster.consumer };
  problems.push(...(system.checkPlan?.({ cluster, consumers: scenario.workload.consumers, consumerOptions }) ?? []));
  if (system.noTopicConfig) {
    scenario.topics.forEach((topic, i) => {
      if (topics.includes(topic) && Object.keys(topic.config).length > 0) {
        problems.push({
          path: ['topics', i, 'config'],
          message: `${system.noTopicConfig} (cluster "${cluster.name}" is ${system.label}: give the topic a cluster)`,
        });
      }
    });
  }
  await checkBrokerConfig(scenario, cluster, index, provider, topics, problems);
  // Faults act on the cluster the workload runs on; a replica-only cluster runs beside it.
  const faults = replicaOnly
    ? []
    : planFaults(scenario, cluster, loadTopics, problems, driver.name, topology, provider.controls);
  return {
    cluster,
    provider,
    driver,
    ...(choice.note ? { driverNote: choice.note } : {}),
    topics,
    loadTopics,
    producerOptions,
    consumerOptions,
    faults,
  };
}

/**
 * Broker and topic `config` against the broker's own definitions (the provider's check, from the jars it runs).
 * A check that cannot run (no JDK, jars unavailable) is said on stderr, not turned into a scenario error.
 */
async function checkBrokerConfig(
  scenario: Scenario,
  cluster: ClusterSpec,
  index: number,
  provider: ClusterProvider,
  topics: TopicSpec[],
  problems: Problem[],
): Promise<void> {
  if (!provider.checkConfig) return;
  const log = (line: string) => process.stderr.write(`faultline: ${line}\n`);
  let found: Awaited<ReturnType<NonNullable<ClusterProvider['checkConfig']>>>;
  try {
    found = await provider.checkConfig(cluster, topics, log);
  } catch (error) {
    log(
      `the config of cluster "${cluster.name}" was not checked against the broker's definitions: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
    return;
  }
  for (const problem of found) {
    const base =
      problem.topic === undefined
        ? ['clusters', index, 'config']
        : ['topics', scenario.topics.indexOf(topics[problem.topic]!), 'config'];
    const entry: Problem =
      problem.key === undefined
        ? { path: base, message: problem.message }
        : problem.unknownKey
          ? { path: base, key: problem.key, message: problem.message }
          : { path: [...base, problem.key], message: problem.message };
    // A topic on every cluster is checked once per cluster: say each problem once.
    if (
      !problems.some(
        (p) => p.message === entry.message && p.key === entry.key && p.path.join('/') === entry.path.join('/'),
      )
    )
      problems.push(entry);
  }
}

async function chooseDriver(
  cluster: ClusterSpec,
  index: number,
  problems: Problem[],
  lagNeedsBrokerPublishTime: boolean,
): Promise<{ driver: DriverFactory; note?: string } | undefined> {
  const candidates = driversFor(cluster.system);
  const names = candidates.map((d) => d.name);
  if (cluster.driver !== 'auto') {
    const driver = candidates.find((d) => d.name === cluster.driver);
    if (!driver) {
      problems.push({
        path: ['clusters', index, 'driver'],
        message: `"${cluster.driver}" is not a ${cluster.system} driver (${cluster.system} drivers: auto, ${names.join(', ')})`,
      });
      return undefined;
    }
    const reason = await driver.unavailableReason();
    if (reason) {
      problems.push({
        path: ['clusters', index, 'driver'],
        message: `the ${driver.name} driver cannot run here: ${reason}`,
      });
      return undefined;
    }
    return { driver };
  }
  const skipped: string[] = [];
  // Pulsar geo-replication: its lag counts from a time set in the source broker, so auto prefers a driver that
  // reads one (the others leave the lag unmeasured), on both ends, so clients that fail over to the replica use
  // the same client: a publish time set in the broker, or the broker's append time (its entry metadata, which
  // the brokers faultline starts add, local and docker alike: standalone-config.ts) read on the source. An external
  // cluster's brokers are not faultline's to configure: it keeps a driver whose publish time the broker sets.
  const measuresLag = (d: DriverFactory) =>
    d.publishTimeFromBroker === true || (d.readsBrokerAppendTime === true && cluster.provider !== 'external');
  const ordered = lagNeedsBrokerPublishTime
    ? [...candidates.filter(measuresLag), ...candidates.filter((d) => !measuresLag(d))]
    : candidates;
  if (lagNeedsBrokerPublishTime && ordered[0] !== candidates[0])
    skipped.push(
      `the cluster takes part in geo-replication, whose lag counts from a time set in the source broker, which ${ordered[0]!.name} reads and ${candidates[0]!.name} does not (name a driver to choose another)`,
    );
  for (const driver of ordered) {
    const reason = await driver.unavailableReason();
    if (!reason)
      return { driver, ...(skipped.length ? { note: `auto chose ${driver.name}: ${skipped.join('; ')}` } : {}) };
    skipped.push(`${driver.name} unavailable (${reason})`);
  }
  problems.push({
    path: ['clusters', index, 'driver'],
    message: `no ${cluster.system} driver can run here: ${skipped.join('; ')}`,
  });
  return undefined;
}

function checkOptions(
  schema: z.ZodType,
  options: Record<string, unknown>,
  path: Array<string | number>,
  driver: DriverFactory,
  problems: Problem[],
): void {
  const parsed = schema.safeParse(options);
  if (parsed.success) return;
  const known = knownOptionKeys(schema);
  for (const issue of parsed.error.issues) {
    const issuePath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        // Another driver's option (e.g. kafkajs's partitionsConsumedConcurrently under platformatic): say whose.
        const owner = driversFor(driver.system).find(
          (d) =>
            d !== driver &&
            knownOptionKeys(path.at(-1) === 'consumer' ? d.consumerOptions : d.producerOptions).includes(key),
        );
        problems.push({
          path,
          key,
          message: owner
            ? `an option of the ${owner.name} driver, not of ${driver.name} (the driver this cluster runs; choose with driver: ${owner.name}); ${driver.name} ${path.at(-1)} options: ${known.join(', ')}`
            : `not a ${driver.system} ${path.at(-1)} option${didYouMean(key, known)}; ${driver.system} ${path.at(-1)} options: ${known.join(', ')}`,
        });
      }
    } else {
      problems.push({ path: [...path, ...issuePath], message: issue.message });
    }
  }
}

/** Checks workload-level options merged with the cluster's; a problem is reported where its field was given. */
function checkCombinedOptions(
  schema: z.ZodType,
  workload: Record<string, unknown>,
  cluster: Record<string, unknown>,
  index: number,
  kind: 'producer' | 'consumer',
  problems: Problem[],
): void {
  const parsed = schema.safeParse({ ...workload, ...cluster });
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    const issuePath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const field = issuePath[0];
    const level = typeof field === 'string' && field in cluster ? ['clusters', index, kind] : ['workload', kind];
    const where =
      typeof field === 'string' && !(field in cluster) && !(field in workload)
        ? `${issue.message} (${field} is not set, so it is the default)`
        : issue.message;
    problems.push({ path: [...level, ...issuePath], message: where });
  }
}

function knownOptionKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
