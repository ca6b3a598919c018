/**
 * The `replication:` entries of a scenario, checked and resolved: which cluster replicates which topics to
 * which, under what topic name, and which clusters are therefore joined (started together, one workload).
 * Everything that can be rejected before a broker starts is rejected here, with the field it concerns.
 */
import type { Problem } from '../scenario/problems.js';
import type { ClusterSpec, ReplicationSpec, Scenario, TopicSpec } from '../scenario/schema.js';
import { didYouMean } from '../scenario/suggest.js';
import { allSystemFacts, factsOf } from '../systems/facts.js';
import { checkReplicator } from './external-replicator.js';

export interface PlannedReplication {
  /** Position in the scenario's replication list. */
  index: number;
  from: ClusterSpec;
  to: ClusterSpec;
  /** Source topics replicated. */
  topics: TopicSpec[];
  policy: ReplicationSpec['policy'];
  syncGroupOffsets: boolean;
  checkpointIntervalMs: number;
  exactlyOnce: boolean;
  /** replicator: external — a MirrorMaker 2 someone else runs copies the topics; faultline starts none. */
  external?: boolean;
}

/** Clusters joined by replication: started together, the workload on `workload`. */
export interface JoinedClusters {
  /** Cluster names in scenario order. */
  clusters: string[];
  /** Where producers and consumers run: the first cluster that only sends (else the first one). */
  workload: string;
  replications: PlannedReplication[];
}

/** The name a replicated topic gets on the target (MirrorMaker 2's identity or default policy). */
export function targetTopicName(replication: Pick<PlannedReplication, 'policy' | 'from'>, topic: string): string {
  return replication.policy === 'identity' ? topic : `${replication.from.name}.${topic}`;
}

/** The topics a replication creates on its target: the source's, under their target name. */
export function targetTopics(replication: PlannedReplication): TopicSpec[] {
  return replication.topics.map((topic) => ({
    ...topic,
    name: targetTopicName(replication, topic.name),
    cluster: replication.to.name,
  }));
}

export function planReplication(scenario: Scenario, problems: Problem[]): PlannedReplication[] {
  const names = scenario.clusters.map((c) => c.name);
  const planned: PlannedReplication[] = [];
  const seen = new Map<string, number>();
  scenario.replication.forEach((spec, i) => {
    const path = ['replication', i];
    const cluster = (field: 'from' | 'to') => {
      const found = scenario.clusters.find((c) => c.name === spec[field]);
      if (!found)
        problems.push({
          path: [...path, field],
          message: `no cluster named "${spec[field]}"${didYouMean(spec[field], names)}; clusters: ${names.join(', ')}`,
        });
      return found;
    };
    const from = cluster('from');
    const to = cluster('to');
    if (!from || !to) return;
    if (from.name === to.name) {
      problems.push({
        path: [...path, 'to'],
        message: `a cluster cannot replicate to itself ("${from.name}"): name another cluster`,
      });
      return;
    }
    if (from.system !== to.system) {
      problems.push({
        path: [...path, 'to'],
        message: `replication joins clusters of one system: "${from.name}" is ${from.system}, "${to.name}" is ${to.system}`,
      });
      return;
    }
    const replicator = factsOf(from.system).replicator;
    if (!replicator.renamesTopics && spec.policy !== 'identity')
      problems.push({
        path: [...path, 'policy'],
        message: `${replicator.label} keeps topic names: policy must be identity`,
      });
    if (spec.exactlyOnce && !replicator.exactlyOnce) {
      const withIt = allSystemFacts.filter((s) => s.replicator.exactlyOnce).map((s) => s.replicator.label);
      problems.push({
        path: [...path, 'exactlyOnce'],
        message: `${replicator.label} has no exactly-once mode: set false${withIt.length ? ` (exactly-once is for ${withIt.join(', ')})` : ''}`,
      });
    }
    const sameTarget = planned.find((p) => p.to.name === to.name && p.exactlyOnce !== spec.exactlyOnce);
    if (sameTarget && replicator.onePerTarget) {
      problems.push({
        path: [...path, 'exactlyOnce'],
        message: `replication[${sameTarget.index}] into "${to.name}" has exactlyOnce: ${sameTarget.exactlyOnce}: one ${replicator.label} serves each target, so every replication into it must agree`,
      });
    }
    checkReplicator(spec, from, to, planned, path, problems);
    const key = `${from.name}->${to.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({
        path,
        message: `duplicate replication ${from.name} → ${to.name}: replication[${earlier}] already sets it`,
      });
      return;
    }
    seen.set(key, i);
    const onSource = scenario.topics.filter((t) => t.cluster === undefined || t.cluster === from.name);
    const wanted = spec.topics ?? scenario.workload.topics ?? onSource.map((t) => t.name);
    const topics: TopicSpec[] = [];
    wanted.forEach((topicName, j) => {
      const topic = onSource.find((t) => t.name === topicName);
      if (topic) {
        topics.push(topic);
        const reserved = replicator.reservedTopicConfig;
        if (reserved && reserved.key in topic.config) {
          problems.push({
            path: ['topics', scenario.topics.indexOf(topic), 'config', reserved.key],
            message: `topic "${topic.name}" is replicated: ${reserved.why}; leave it out`,
          });
        }
        if (factsOf(to.system).replicator.createsTargetTopics && topic.replicationFactor > to.brokers) {
          problems.push({
            path: spec.topics ? [...path, 'topics', j] : [...path, 'to'],
            message: `topic "${topic.name}" has replication factor ${topic.replicationFactor}, but target cluster "${to.name}" has ${to.brokers} broker(s): its replica topic could not be created`,
          });
        }
      } else {
        const choices = onSource.map((t) => t.name);
        problems.push({
          path: spec.topics ? [...path, 'topics', j] : [...path, 'from'],
          message: `no topic "${topicName}" on cluster "${from.name}"${didYouMean(topicName, choices)}; its topics: ${choices.join(', ') || '(none)'}`,
        });
      }
    });
    planned.push({
      index: i,
      from,
      to,
      topics,
      policy: spec.policy,
      syncGroupOffsets: spec.syncGroupOffsets,
      checkpointIntervalMs: spec.checkpointInterval,
      exactlyOnce: spec.exactlyOnce,
      ...(spec.replicator === 'external' ? { external: true } : {}),
    });
  });
  checkCycles(planned, problems);
  return planned;
}

/**
 * A cycle of replications loops records forever unless the naming policy tells a replicated topic from a local
 * one: MirrorMaker 2's default policy does (the source-cluster prefix), the identity policy does not.
 */
function checkCycles(planned: PlannedReplication[], problems: Problem[]): void {
  // A replicator that marks what it copied (Pulsar geo-replication) never sends it back: its cycles are fine.
  for (const edge of planned.filter((e) => factsOf(e.from.system).replicator.loopsOnCycles)) {
    const cycle = pathBack(planned, edge.to.name, edge.from.name, [edge]);
    if (!cycle || cycle.every((e) => e.policy !== 'identity')) continue;
    if (cycle.some((e) => e.index > edge.index)) continue; // reported once, at the entry that closes it (the last)
    const route = [...cycle.map((e) => e.from.name), edge.from.name].join(' → ');
    problems.push({
      path: ['replication', edge.index, 'policy'],
      message: `replication cycle ${route} with the identity policy: records would loop forever (the identity policy keeps topic names, so a replicated topic looks local); use policy: default on the cycle, or replicate one way`,
    });
  }
}

function pathBack(
  planned: PlannedReplication[],
  at: string,
  goal: string,
  route: PlannedReplication[],
): PlannedReplication[] | undefined {
  if (at === goal) return route;
  for (const next of planned.filter((e) => e.from.name === at && !route.includes(e))) {
    const found = pathBack(planned, next.to.name, goal, [...route, next]);
    if (found) return found;
  }
  return undefined;
}

/** Groups clusters joined by replication (connected through any replication, either way), in scenario order. */
export function joinClusters(scenario: Scenario, planned: PlannedReplication[]): JoinedClusters[] {
  const groupOf = new Map<string, Set<string>>();
  for (const cluster of scenario.clusters) groupOf.set(cluster.name, new Set([cluster.name]));
  for (const edge of planned) {
    const a = groupOf.get(edge.from.name)!;
    const b = groupOf.get(edge.to.name)!;
    if (a === b) continue;
    for (const name of b) {
      a.add(name);
      groupOf.set(name, a);
    }
  }
  const groups: JoinedClusters[] = [];
  for (const set of new Set(groupOf.values())) {
    if (set.size < 2) continue;
    const clusters = scenario.clusters.map((c) => c.name).filter((n) => set.has(n));
    const replications = planned.filter((e) => set.has(e.from.name));
    const onlySends = clusters.find((n) => !replications.some((e) => e.to.name === n));
    groups.push({ clusters, workload: onlySends ?? clusters[0]!, replications });
  }
  return groups;
}

/** A few lines for `faultline validate`: what replicates where, under which name, and what runs together. */
export function describeReplication(plan: { replication: PlannedReplication[]; joined: JoinedClusters[] }): string[] {
  const lines = plan.replication.map((r) => {
    const topics = r.topics
      .map((t) => (targetTopicName(r, t.name) === t.name ? t.name : `${t.name} → ${targetTopicName(r, t.name)}`))
      .join(', ');
    const how = factsOf(r.from.system).replicator.describe(r);
    return `replication ${r.from.name} → ${r.to.name}: ${topics} (${how})`;
  });
  for (const group of plan.joined)
    lines.push(`run together: ${group.clusters.join(', ')}; the workload runs on ${group.workload}`);
  return lines;
}
