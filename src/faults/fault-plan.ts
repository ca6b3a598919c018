/**
 * Checks a scenario's faults against the cluster they will hit, and expands a seeded nemesis into concrete
 * faults (the same seed gives the same list, which the results record so a run can be replayed).
 */
import type { Problem } from '../scenario/problems.js';
import type { ClusterSpec, Scenario, TopicSpec } from '../scenario/schema.js';
import { didYouMean } from '../scenario/suggest.js';
import { type FaultAction, type FaultSpec, networkActions, processActions } from './fault-schema.js';
import { type FaultTarget, formatTarget, parseTarget, seededRandom, TargetSyntaxError } from './targets.js';

export interface PlannedFault {
  id: string;
  /** Where it came from, for messages: faults[i] or nemesis. */
  origin: string;
  action: FaultAction;
  target: FaultTarget;
  atMs: number;
  /** Undefined: lasts until producing ends. */
  durationMs: number | undefined;
  groups?: number[][];
  latencyMs?: number;
  jitterMs?: number;
  rateBytesPerSec?: number;
  links: 'clients' | 'brokers' | 'all';
  stream: 'upstream' | 'downstream' | 'both';
}

const defaultsToAll: FaultAction[] = ['latency', 'bandwidth', 'reset', 'blackhole', 'cut-clients'];
const pulsarNetworkActions: FaultAction[] = ['isolate', 'latency', 'bandwidth', 'reset', 'blackhole', 'cut-clients'];

export function isNetworkAction(action: FaultAction): boolean {
  return (networkActions as readonly string[]).includes(action);
}

export function needsProxies(faults: PlannedFault[]): boolean {
  return faults.some((f) => isNetworkAction(f.action));
}

export function planFaults(scenario: Scenario, cluster: ClusterSpec, topics: TopicSpec[], problems: Problem[]): PlannedFault[] {
  const endMs = scenario.workload.warmup + scenario.workload.duration;
  const planned: PlannedFault[] = [];
  scenario.faults.forEach((spec, i) => {
    const fault = checkFault(spec, `faults[${i}]`, ['faults', i], cluster, topics, endMs, problems);
    if (fault) planned.push(fault);
  });
  if (scenario.nemesis) planned.push(...expandNemesis(scenario, cluster, endMs));
  planned.sort((a, b) => a.atMs - b.atMs);
  planned.forEach((fault, i) => (fault.id = `f${i + 1}`));
  if (planned.length > 0 && cluster.provider !== 'local') {
    problems.push({ path: ['clusters', scenario.clusters.indexOf(cluster), 'provider'], message: `faults need a local cluster: with provider ${cluster.provider}, faultline controls no broker process and no link` });
  }
  checkContradictions(scenario, planned, problems);
  return planned;
}

function checkFault(spec: FaultSpec, origin: string, path: Array<string | number>, cluster: ClusterSpec, topics: TopicSpec[], endMs: number, problems: Problem[]): PlannedFault | undefined {
  const problem = (field: string | undefined, message: string) => problems.push({ path: field ? [...path, field] : path, message });
  let target: FaultTarget = { kind: 'all' };
  if (spec.target !== undefined) {
    try {
      target = parseTarget(spec.target);
    } catch (error) {
      if (!(error instanceof TargetSyntaxError)) throw error;
      problem('target', error.message);
      return undefined;
    }
  } else if (!defaultsToAll.includes(spec.action) && spec.action !== 'partition') {
    problem(undefined, `${spec.action} needs a target: broker-N, random, leader(topic, partition), controller or all`);
    return undefined;
  }
  if (target.kind === 'broker' && (target.id < 1 || target.id > cluster.brokers)) {
    problem('target', `cluster "${cluster.name}" has no broker-${target.id} (it has ${cluster.brokers}: broker-1${cluster.brokers > 1 ? `…broker-${cluster.brokers}` : ''})`);
  }
  if (target.kind === 'leader') {
    const topic = topics.find((t) => t.name === target.topic);
    if (!topic) problem('target', `no topic "${target.topic}" on cluster "${cluster.name}"${didYouMean(target.topic, topics.map((t) => t.name))}`);
    else if (target.partition >= topic.partitions) problem('target', `topic ${topic.name} has partitions 0…${topic.partitions - 1}, not ${target.partition}`);
  }
  if (spec.action === 'partition') {
    const ids = spec.groups?.flat() ?? [];
    if (!spec.groups) problem(undefined, 'partition needs groups, e.g. groups: [[1], [2, 3]]');
    else if (new Set(ids).size !== ids.length) problem('groups', 'a broker may stand in one group only');
    const outside = ids.filter((id) => id > cluster.brokers);
    if (outside.length) problem('groups', `cluster "${cluster.name}" has ${cluster.brokers} broker(s); no broker ${outside.join(', ')}`);
  }
  if (spec.action === 'latency' && spec.latency === undefined) problem(undefined, 'latency needs latency: (e.g. latency: 100ms, jitter: 10ms)');
  if (spec.action === 'bandwidth' && spec.rate === undefined) problem(undefined, 'bandwidth needs rate: (bytes per second, e.g. rate: 1MiB)');
  if (cluster.system === 'pulsar' && isNetworkAction(spec.action) && (!pulsarNetworkActions.includes(spec.action) || spec.links === 'brokers')) {
    problem('action', `the local Pulsar standalone has no broker-to-broker links to cut: ${spec.action}${spec.links === 'brokers' ? ' on links: brokers' : ''} is not possible (client-link faults and process faults are)`);
  }
  if (spec.at >= endMs) problem('at', `producing ends at ${endMs / 1000} s (warm-up included); a fault at ${spec.at / 1000} s is past the end of the run`);
  else if (spec.duration !== undefined && spec.at + spec.duration > endMs) {
    problem('duration', `the fault would heal at ${(spec.at + spec.duration) / 1000} s, after producing ends at ${endMs / 1000} s`);
  }
  return {
    id: '',
    origin,
    action: spec.action,
    target,
    atMs: spec.at,
    durationMs: spec.action === 'restart' ? 0 : spec.duration,
    ...(spec.groups ? { groups: spec.groups } : {}),
    ...(spec.latency !== undefined ? { latencyMs: spec.latency } : {}),
    ...(spec.jitter !== undefined ? { jitterMs: spec.jitter } : {}),
    ...(spec.rate !== undefined ? { rateBytesPerSec: spec.rate } : {}),
    links: spec.links,
    stream: spec.stream,
  };
}

function expandNemesis(scenario: Scenario, cluster: ClusterSpec, endMs: number): PlannedFault[] {
  const nemesis = scenario.nemesis!;
  const random = seededRandom(nemesis.seed);
  const each = nemesis.duration ?? nemesis.every / 2;
  const faults: PlannedFault[] = [];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const brokers = Array.from({ length: cluster.brokers }, (_, i) => i + 1);
  for (let at = nemesis.from ?? Math.max(nemesis.every, scenario.workload.warmup); at + each <= endMs; at += nemesis.every) {
    const action = pick(nemesis.actions);
    const broker = pick(brokers);
    const base = { id: '', origin: 'nemesis', action, atMs: at, durationMs: action === 'restart' ? 0 : each, links: 'all' as const, stream: 'upstream' as const };
    switch (action) {
      case 'partition': {
        const groups = [[broker], brokers.filter((b) => b !== broker)];
        faults.push({ ...base, target: { kind: 'all' }, groups });
        break;
      }
      case 'latency':
        faults.push({ ...base, target: { kind: 'broker', id: broker }, latencyMs: 100, jitterMs: 10 });
        break;
      case 'bandwidth':
        faults.push({ ...base, target: { kind: 'broker', id: broker }, rateBytesPerSec: 100 * 1024 });
        break;
      default:
        faults.push({ ...base, target: { kind: 'broker', id: broker } });
    }
  }
  return faults;
}

/** Two faults that would undo each other's work while both are active. */
function checkContradictions(scenario: Scenario, faults: PlannedFault[], problems: Problem[]): void {
  const cuts: FaultAction[] = ['isolate', 'partition', 'cut-clients'];
  const kind = (f: PlannedFault) => ((processActions as readonly string[]).includes(f.action) ? 'process' : cuts.includes(f.action) ? 'cut' : 'toxic');
  const endMs = scenario.workload.warmup + scenario.workload.duration;
  const until = (f: PlannedFault) => f.atMs + (f.durationMs ?? endMs);
  const brokersOf = (f: PlannedFault): number[] | 'any' => (f.target.kind === 'broker' ? [f.target.id] : f.groups ? f.groups.flat() : 'any');
  for (let i = 0; i < faults.length; i++) {
    for (let j = i + 1; j < faults.length; j++) {
      const a = faults[i]!;
      const b = faults[j]!;
      if (kind(a) === 'toxic' || kind(a) !== kind(b)) continue;
      if (!(a.atMs < until(b) && b.atMs < until(a))) continue;
      const x = brokersOf(a);
      const y = brokersOf(b);
      const shared = x === 'any' || y === 'any' || x.some((id) => y.includes(id));
      if (!shared) continue;
      const where = b.origin.startsWith('faults[') ? ['faults', Number(/\d+/.exec(b.origin)![0])] : ['nemesis'];
      problems.push({
        path: where,
        message: `${b.action} on ${formatTarget(b.target)} at ${b.atMs / 1000} s overlaps ${a.origin} (${a.action} on ${formatTarget(a.target)} at ${a.atMs / 1000} s) on the same broker(s): healing one would undo the other`,
      });
    }
  }
}
