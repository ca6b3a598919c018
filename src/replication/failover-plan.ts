/**
 * The `failover:` of a scenario, checked and resolved: clients leave the workload's cluster for a replica of it
 * when the source's region goes down (the first region-outage of a region holding its brokers), `after` a
 * detection delay. Everything that can be refused before a broker starts is refused here, with its field.
 */
import type { PlannedFault } from '../faults/fault-plan.js';
import type { Problem } from '../scenario/problems.js';
import type { Scenario, TopicSpec } from '../scenario/schema.js';
import { didYouMean } from '../scenario/suggest.js';
import type { Topology } from '../topology/topology.js';
import { type JoinedClusters, type PlannedReplication, targetTopicName } from './replication-plan.js';

export interface PlannedFailover {
  from: string;
  to: string;
  system: 'kafka' | 'pulsar';
  afterMs: number;
  /** The region-outage that takes the source away: the outage RTO is measured from. */
  trigger: { faultId: string; region: string; atMs: number };
  /** Clients switch at trigger.atMs + afterMs (load clock). */
  switchAtMs: number;
  /** The replication the clients rely on. */
  replication: PlannedReplication;
  /** Each workload topic on the source, and its name on the target. */
  topicOnTarget: (source: TopicSpec) => TopicSpec;
}

export interface FailoverInput {
  scenario: Scenario;
  topology: Topology;
  replication: PlannedReplication[];
  joined: JoinedClusters[];
  /** The planned faults of the cluster the workload runs on (by cluster name). */
  faultsOf: (cluster: string) => PlannedFault[] | undefined;
  /** The workload's topics on a cluster. */
  loadTopicsOf: (cluster: string) => TopicSpec[];
}

/**
 * With `to`, one failover; without it, one per joined group: its workload cluster's clients move to that
 * cluster's replica (so a Kafka pair and a Pulsar pair in one scenario fail over alike, for a comparison).
 */
export function planFailovers(input: FailoverInput, problems: Problem[]): PlannedFailover[] {
  const spec = input.scenario.failover;
  if (!spec) return [];
  if (input.replication.length === 0) {
    problems.push({
      path: ['failover'],
      message:
        'failover moves clients to a replica of their cluster, and this scenario has no replication: add replication: from the workload cluster to the failover target',
    });
    return [];
  }
  if (spec.to !== undefined) {
    const planned = planFailover(input, spec.from, spec.to, problems);
    return planned ? [planned] : [];
  }
  const names = input.scenario.clusters.map((c) => c.name);
  if (spec.from !== undefined && !names.includes(spec.from)) {
    problems.push({
      path: ['failover', 'from'],
      message: `no cluster named "${spec.from}"${didYouMean(spec.from, names)}; clusters: ${names.join(', ')}`,
    });
    return [];
  }
  const planned: PlannedFailover[] = [];
  for (const from of spec.from !== undefined ? [spec.from] : input.joined.map((g) => g.workload)) {
    const replicas = input.replication.filter((r) => r.from.name === from).map((r) => r.to.name);
    if (replicas.length !== 1) {
      const why =
        replicas.length === 0
          ? `"${from}" has no replica`
          : `the clients on "${from}" could move to ${replicas.join(' or ')}`;
      problems.push({ path: ['failover'], message: `${why}: name the target (failover.to)` });
      continue;
    }
    const one = planFailover(input, from, replicas[0]!, problems);
    if (one) planned.push(one);
  }
  return planned;
}

function planFailover(
  input: FailoverInput,
  fromName: string | undefined,
  toName: string,
  problems: Problem[],
): PlannedFailover | undefined {
  const { scenario, topology, replication, joined } = input;
  const spec = { ...scenario.failover!, from: fromName, to: toName };
  const path = ['failover'];
  const names = scenario.clusters.map((c) => c.name);
  for (const field of ['from', 'to'] as const) {
    const name = spec[field];
    if (name !== undefined && !names.includes(name)) {
      problems.push({
        path: [...path, field],
        message: `no cluster named "${name}"${didYouMean(name, names)}; clusters: ${names.join(', ')}`,
      });
      return undefined;
    }
  }
  const group = joined.find((g) => g.clusters.includes(spec.to));
  const from = spec.from ?? group?.workload ?? names[0]!;
  if (from === spec.to) {
    problems.push({
      path: [...path, 'to'],
      message: `clients cannot fail over from "${from}" to itself: name its replica`,
    });
    return undefined;
  }
  const workloadCluster = joined.find((g) => g.clusters.includes(from))?.workload;
  if (workloadCluster !== from) {
    problems.push({
      path: [...path, 'from'],
      message: `clients run on "${workloadCluster ?? names[0]}", not on "${from}": failover moves them from the cluster the workload runs on`,
    });
    return undefined;
  }
  const edge = replication.find((r) => r.from.name === from && r.to.name === spec.to);
  if (!edge) {
    const replicas = replication.filter((r) => r.from.name === from).map((r) => r.to.name);
    problems.push({
      path: [...path, 'to'],
      message: `"${spec.to}" is not a replica of "${from}": no replication ${from} → ${spec.to}${replicas.length ? `; replicas of ${from}: ${replicas.join(', ')}` : ''}`,
    });
    return undefined;
  }
  const loadTopics = input.loadTopicsOf(from);
  const missing = loadTopics.filter((t) => !edge.topics.some((r) => r.name === t.name)).map((t) => t.name);
  if (missing.length > 0) {
    problems.push({
      path: [...path, 'to'],
      message: `replication ${from} → ${spec.to} does not carry workload topic(s) ${missing.join(', ')}: clients could not find them on the target (add them to replication[${edge.index}].topics)`,
    });
    return undefined;
  }
  const sourceRegions = topology.clusters.get(from)?.brokerRegions ?? [];
  const targetRegions = topology.clusters.get(spec.to)?.brokerRegions ?? [];
  const outage = (input.faultsOf(from) ?? []).find(
    (f) => f.action === 'region-outage' && f.target.kind === 'region' && sourceRegions.includes(f.target.region),
  );
  if (outage?.target.kind !== 'region') {
    problems.push({
      path,
      message: `failover is triggered by a region-outage of the source's region (${sourceRegions.join(', ') || 'none declared: give the clusters regions'}); add one to faults, e.g. {at: 20s, action: region-outage, region: ${sourceRegions[0] ?? '<region>'}, duration: 10s}`,
    });
    return undefined;
  }
  const region = outage.target.region;
  const producingEndsMs = scenario.workload.warmup + scenario.workload.duration;
  if (outage.atMs + spec.after >= producingEndsMs) {
    problems.push({
      path: [...path, 'after'],
      message: `clients would move at ${(outage.atMs + spec.after) / 1000} s (${outage.id} at ${outage.atMs / 1000} s + after), when producing has ended (${producingEndsMs / 1000} s): shorten after, or move the outage earlier`,
    });
    return undefined;
  }
  if (targetRegions.includes(region)) {
    problems.push({
      path: [...path, 'to'],
      message: `"${spec.to}" has brokers in ${region}, the region that goes down: a failover target must survive the outage`,
    });
    return undefined;
  }
  return {
    from,
    to: spec.to,
    system: edge.from.system,
    afterMs: spec.after,
    trigger: { faultId: outage.id, region, atMs: outage.atMs },
    switchAtMs: outage.atMs + spec.after,
    replication: edge,
    topicOnTarget: (topic) => ({ ...topic, name: targetTopicName(edge, topic.name), cluster: spec.to }),
  };
}

/** One line for `faultline validate`. */
export function describeFailover(failover: PlannedFailover): string {
  return `failover: producers and consumers move ${failover.from} → ${failover.to} ${failover.afterMs} ms after ${failover.trigger.faultId} (region-outage of ${failover.trigger.region} at ${failover.trigger.atMs} ms)`;
}
