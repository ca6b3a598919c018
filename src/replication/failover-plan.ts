/**
 * The `failover:` of a scenario, checked and resolved: clients leave the workload's cluster for a replica of it
 * when the source's region goes down (the first region-outage of a region holding its brokers): `after` a fixed
 * delay counted from when the outage was in force, or when a rule on what the clients see holds
 * (`trigger: {noAckFor}`). Everything that can be refused before a broker starts is refused here, with its field.
 */
import type { PlannedFault } from '../faults/fault-plan.js';
import type { Problem } from '../scenario/problems.js';
import type { Scenario, TopicSpec } from '../scenario/schema.js';
import { didYouMean } from '../scenario/suggest.js';
import type { SystemName } from '../systems/facts.js';
import type { Topology } from '../topology/topology.js';
import { type JoinedClusters, type PlannedReplication, targetTopicName } from './replication-plan.js';

/**
 * What moves the clients: `after` — a fixed delay from the outage's injection (assumed detection: the harness
 * knows when the outage happened, a client would not); `noAckFor` — the producers had no acknowledgement for `ms`
 * while a send was waiting (measured detection: what a client sees).
 */
export type FailoverDetection = { rule: 'after'; ms: number } | { rule: 'noAckFor'; ms: number };

/** Default `after` when neither after nor trigger is given. */
export const DEFAULT_AFTER_MS = 5000;

/** Trigger fields naming figures only the harness knows: refused, with why. */
const NOT_SEEN_BY_CLIENTS: Record<string, string> = {
  outage: 'when the outage was injected',
  regionOutage: 'when the outage was injected',
  brokerDown: 'whether a broker process is up',
  brokersDown: 'whether a broker process is up',
  replicationLag: 'the replication lag (the harness reads both clusters)',
  lag: 'the replication lag (the harness reads both clusters)',
  rpo: 'what the replica lacks',
  notReplicated: 'what the replica lacks',
  fault: 'the fault timeline',
  healed: 'the fault timeline',
};

export interface PlannedFailover {
  from: string;
  to: string;
  system: SystemName;
  /** The fixed delay with `after` (also when defaulted); with a trigger, the rule's `ms`. */
  afterMs: number;
  detection: FailoverDetection;
  /** The region-outage that takes the source away: the outage RTO is measured from (its planned time here). */
  trigger: { faultId: string; region: string; atMs: number };
  /**
   * Planned: trigger.atMs + afterMs (load clock). At run time the move is timed from the outage's injection
   * (`after`) or from the rule firing (`noAckFor`), not from this.
   */
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
  checkFailoverCriteria(input.scenario, problems);
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
  const detection = detectionOf(spec, problems);
  if (!detection) return undefined;
  const field = detection.rule === 'after' ? 'after' : 'trigger';
  const fieldPath = detection.rule === 'after' ? [...path, 'after'] : [...path, 'trigger', 'noAckFor'];
  const moveAtMs = outage.atMs + detection.ms;
  const producingEndsMs = scenario.workload.warmup + scenario.workload.duration;
  if (moveAtMs >= producingEndsMs) {
    problems.push({
      path: fieldPath,
      message: `clients would move at ${moveAtMs / 1000} s (${outage.id} at ${outage.atMs / 1000} s + ${field}), when producing has ended (${producingEndsMs / 1000} s): shorten ${field}, or move the outage earlier`,
    });
    return undefined;
  }
  // A planned heal of Infinity (or none) never comes: the outage lasts.
  const healsAtMs = outage.untilMs ?? Number.POSITIVE_INFINITY;
  if (moveAtMs >= healsAtMs) {
    problems.push({
      path: fieldPath,
      message: `clients would move at ${moveAtMs / 1000} s (${outage.id} at ${outage.atMs / 1000} s + ${field}), when the outage has healed (${healsAtMs / 1000} s): the clients would leave a source that is back, and no RTO could be measured; shorten ${field}, or lengthen the outage`,
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
    afterMs: detection.ms,
    detection,
    trigger: { faultId: outage.id, region, atMs: outage.atMs },
    switchAtMs: moveAtMs,
    replication: edge,
    topicOnTarget: (topic) => ({ ...topic, name: targetTopicName(edge, topic.name), cluster: spec.to }),
  };
}

/** `after` or `trigger` (not both); a trigger names one rule on what the clients see. */
function detectionOf(spec: NonNullable<Scenario['failover']>, problems: Problem[]): FailoverDetection | undefined {
  const { trigger } = spec;
  if (trigger === undefined) return { rule: 'after', ms: spec.after ?? DEFAULT_AFTER_MS };
  const path = ['failover', 'trigger'];
  if (spec.after !== undefined) {
    problems.push({
      path: ['failover', 'after'],
      message: 'give after (a fixed delay from the outage) or trigger (a rule on what the clients see), not both',
    });
    return undefined;
  }
  const rules = ['noAckFor'];
  for (const key of Object.keys(trigger).filter((k) => !rules.includes(k))) {
    const hidden = NOT_SEEN_BY_CLIENTS[key];
    problems.push({
      path: [...path, key],
      message: hidden
        ? `a failover trigger must be something the clients see, and ${hidden} is known to the harness only; triggers: ${rules.join(', ')}`
        : `unknown trigger "${key}"${didYouMean(key, rules)}; triggers: ${rules.join(', ')} (what the clients see)`,
    });
  }
  if (problems.some((p) => p.path[0] === 'failover' && p.path[1] === 'trigger')) return undefined;
  if (trigger.noAckFor === undefined) {
    problems.push({ path, message: `name the rule that moves the clients, e.g. trigger: {noAckFor: 3s}` });
    return undefined;
  }
  if (trigger.noAckFor <= 0) {
    problems.push({ path: [...path, 'noAckFor'], message: 'must be more than 0: how long without an acknowledgement' });
    return undefined;
  }
  return { rule: 'noAckFor', ms: trigger.noAckFor };
}

/** `rto.consume` / `rto.consumedAgain` need consumers that move: refused with `consumers: 0`. */
function checkFailoverCriteria(scenario: Scenario, problems: Problem[]): void {
  if (!scenario.failover || scenario.workload.consumers > 0) return;
  scenario.criteria.forEach((expression, i) => {
    if (/^\s*rto\.(consume|consumedAgain)\b/.test(expression))
      problems.push({
        path: ['criteria', i],
        message: 'an RTO consume figure needs consumers that move to the replica, and this workload has consumers: 0',
      });
  });
}

/** One line for `faultline validate`. */
export function describeFailover(failover: PlannedFailover): string {
  const move =
    failover.detection.rule === 'after'
      ? `${failover.detection.ms} ms after ${failover.trigger.faultId} is in force`
      : `when the producers have had no acknowledgement for ${failover.detection.ms} ms (detection measured)`;
  return `failover: producers and consumers move ${failover.from} → ${failover.to} ${move} (region-outage of ${failover.trigger.region} planned at ${failover.trigger.atMs} ms)`;
}
