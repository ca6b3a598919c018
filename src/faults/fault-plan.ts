/**
 * Checks a scenario's faults against the cluster they will hit, and expands a seeded nemesis into concrete
 * faults (the same seed gives the same list, which the results record so a run can be replayed).
 */
import type { Problem } from '../scenario/problems.js';
import type { ClusterSpec, Scenario, TopicSpec } from '../scenario/schema.js';
import { didYouMean } from '../scenario/suggest.js';
import { driverFacts, factsOf } from '../systems/facts.js';
import type { Topology } from '../topology/topology.js';
import type { OptionalField } from './fault-family.js';
import { faultFamilies, familyOf } from './fault-families.js';
import { FOREVER, type FaultAction, type FaultSpec, faultSchema } from './fault-schema.js';
import { type FaultTarget, formatTarget, parseTarget, seededRandom, TargetSyntaxError } from './targets.js';

export interface PlannedFault {
  id: string;
  /** Where it came from, for messages: faults[i] or nemesis. */
  origin: string;
  action: FaultAction;
  target: FaultTarget;
  atMs: number;
  /** Undefined: lasts until producing ends, or for ever (`duration: forever`: untilMs is +Infinity). */
  durationMs: number | undefined;
  groups?: number[][];
  latencyMs?: number;
  jitterMs?: number;
  rateBytesPerSec?: number;
  links: 'clients' | 'brokers' | 'all';
  stream: 'upstream' | 'downstream' | 'both';
  /**
   * When it is planned to heal: at + duration, or the end of producing (ms since load start); for
   * `duration: forever`, Number.POSITIVE_INFINITY: never during the run (see lastsForever).
   */
  untilMs?: number;
  /** link-down, link-degrade: the region pair. */
  between?: [string, string];
  /** region-outage: kill the workload cluster's brokers in target.region (target.ids), or isolate the region. */
  mode?: 'kill' | 'isolate';
  /** Region faults: where the cluster's brokers sit, and the region of clients whose link names none. */
  regions?: { brokerRegions: string[]; defaultClientRegion: string };
}

/** Every field a fault may have besides at and action, in the schema's order (target and duration first). */
const optionalFields = Object.keys(faultSchema.shape).filter(
  (field) => field !== 'at' && field !== 'action',
) as OptionalField[];

/** The fields `action` takes besides at, action and duration. */
const takesOf = (action: FaultAction): readonly OptionalField[] => familyOf(action).takes[action] ?? [];

/** `restart`: over as soon as it is applied (no duration, no heal). */
export function isInstant(action: FaultAction): boolean {
  return familyOf(action).instant?.actions.includes(action) ?? false;
}

/** A nemesis expands into at most this many faults (more is a mistake, e.g. every: 1ms). */
export const MAX_NEMESIS_FAULTS = 1000;
export function isNetworkAction(action: FaultAction): boolean {
  return familyOf(action).network;
}

/** Breaks processes (kill, stop, pause, restart, a region-outage that kills). */
export function isProcessFault(fault: Pick<PlannedFault, 'action' | 'mode'>): boolean {
  return familyOf(fault.action).breaks(fault) === 'processes';
}

/** `duration: forever`: never healed during the run, the drain included (teardown stops everything). */
export function lastsForever(fault: Pick<PlannedFault, 'untilMs'>): boolean {
  return fault.untilMs === Number.POSITIVE_INFINITY;
}

/**
 * Criteria that ask what a cluster does once a fault never heals: the recovery figures (`failover.*`: leader
 * election, throughput and consumers back without the lost broker). Without one, and without replication from
 * the cluster, a `forever` fault would only keep the fault through the drain.
 */
const ASKS_FOR_A_LASTING_FAULT = /^\s*failover\./;

/** Some fault breaks links (a network fault, a region isolated): the run routes every link through Toxiproxy. */
export function needsProxies(faults: PlannedFault[]): boolean {
  return faults.some((f) => !isProcessFault(f));
}

export function planFaults(
  scenario: Scenario,
  cluster: ClusterSpec,
  topics: TopicSpec[],
  problems: Problem[],
  driver?: string,
  topology?: Topology,
  /** What the cluster's provider lets faults act on (default: its processes and its links). */
  controls: { processes: boolean; links: boolean } = { processes: true, links: true },
): PlannedFault[] {
  const endMs = scenario.workload.warmup + scenario.workload.duration;
  const replicated = scenario.replication.some((r) => r.from === cluster.name);
  const foreverAllowed = replicated || scenario.criteria.some((c) => ASKS_FOR_A_LASTING_FAULT.test(c));
  const mirroredInto = factsOf(cluster.system).replicator.ownProcess
    ? scenario.replication.filter((r) => r.from === cluster.name && r.replicator !== 'external').map((r) => r.to)
    : [];
  const context: FaultContext = {
    cluster,
    topics,
    endMs,
    driver,
    topology,
    foreverAllowed,
    mirroredInto,
    runClusters: clustersJoinedWith(cluster.name, scenario),
    mirrorMakersInto: mirrorMakerTargets(clustersJoinedWith(cluster.name, scenario), scenario),
    clientRegions: topology
      ? [...topology.producerRegions, ...(scenario.workload.consumers > 0 ? topology.consumerRegions : [])]
      : [],
  };
  const planned: PlannedFault[] = [];
  scenario.faults.forEach((spec, i) => {
    const fault = checkFault(
      spec,
      `faults[${i}]`,
      (field) => (field ? ['faults', i, field] : ['faults', i]),
      context,
      problems,
    );
    if (fault) planned.push(fault);
  });
  if (scenario.nemesis) planned.push(...expandNemesis(scenario, context, problems));
  planned.sort((a, b) => a.atMs - b.atMs);
  planned.forEach((fault, i) => (fault.id = `f${i + 1}`));
  const uncontrolled = uncontrolledBy(planned, cluster.provider, controls);
  if (uncontrolled)
    problems.push({ path: ['clusters', scenario.clusters.indexOf(cluster), 'provider'], message: uncontrolled });
  checkContradictions(scenario, planned, problems);
  return planned;
}

/**
 * Why the provider cannot carry these faults, or undefined: a process fault on a broker needs a provider that runs
 * the brokers' processes, a network fault one that routes the links through Toxiproxy. (A MirrorMaker 2 is always
 * faultline's own process.)
 */
function uncontrolledBy(
  planned: PlannedFault[],
  provider: string,
  controls: { processes: boolean; links: boolean },
): string | undefined {
  const onBrokers = planned.some((f) => isProcessFault(f) && f.target.kind !== 'mirrormaker');
  const onLinks = planned.some((f) => !isProcessFault(f));
  const lacksProcesses = onBrokers && !controls.processes;
  const lacksLinks = onLinks && !controls.links;
  if (!controls.processes && !controls.links && (lacksProcesses || lacksLinks))
    return `faults need a local cluster: with provider ${provider}, faultline controls no broker process and no link`;
  if (lacksProcesses)
    return `process faults need a cluster whose brokers faultline runs: with provider ${provider}, it controls no broker process`;
  if (lacksLinks)
    return `network faults need a cluster whose links go through faultline's proxies: with provider ${provider}, they do not`;
  return undefined;
}

export interface FaultContext {
  cluster: ClusterSpec;
  topics: TopicSpec[];
  endMs: number;
  /** The driver the cluster runs with (resolved from auto), when known. */
  driver: string | undefined;
  /** Regions and who sits where (region faults need it). */
  topology: Topology | undefined;
  /** `duration: forever` is allowed: the cluster is a replication source, or a criterion asks for it. */
  foreverAllowed: boolean;
  /** Clusters a MirrorMaker 2 replicates this cluster into (Kafka replications from it). */
  mirroredInto: string[];
  /** Every cluster of the run: this one and those joined with it by replication (started together). */
  runClusters: string[];
  /** Clusters of the run a MirrorMaker 2 replicates into (from any Kafka cluster of the run). */
  mirrorMakersInto?: string[];
  /** Where the workload's producers and consumers sit (before any failover moves them). */
  clientRegions: string[];
}

/** The clusters among `run` a MirrorMaker 2 replicates into: targets of a replication from a Kafka cluster. */
function mirrorMakerTargets(run: string[], scenario: Scenario): string[] {
  const isKafka = (name: string) => scenario.clusters.find((c) => c.name === name)?.system === 'kafka';
  const ours = scenario.replication.filter((r) => run.includes(r.to) && isKafka(r.from) && r.replicator !== 'external');
  return [...new Set(ours.map((r) => r.to))];
}

/** `name` and every cluster connected to it through replication, either way (one run, one set of proxies). */
function clustersJoinedWith(name: string, scenario: Scenario): string[] {
  const found = new Set([name]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { from, to } of scenario.replication) {
      if (found.has(from) === found.has(to)) continue;
      found.add(from);
      found.add(to);
      grew = true;
    }
  }
  return [...found];
}

/** mirrormaker(target): a process fault on the MirrorMaker 2 that replicates this Kafka cluster into `target`. */
function checkMirrorMakerTarget(
  spec: FaultSpec,
  into: string,
  context: FaultContext,
  problem: (field: string | undefined, message: string) => void,
): void {
  const { cluster, mirroredInto } = context;
  if (!familyOf(spec.action).mirrorMakers) {
    const actions = faultFamilies.filter((f) => f.mirrorMakers).flatMap((f) => f.actions as readonly string[]);
    problem(
      'target',
      `${spec.action} cannot act on a MirrorMaker 2: it is a process (${actions.slice(0, -1).join(', ')} or ${actions.at(-1)}), not a broker with links`,
    );
  } else if (!mirroredInto.includes(into)) {
    problem(
      'target',
      mirroredInto.length === 0
        ? `no MirrorMaker 2 replicates cluster "${cluster.name}" (it needs a Kafka replication from it: replication: [{from: ${cluster.name}, to: …}])`
        : `no MirrorMaker 2 replicates cluster "${cluster.name}" into "${into}"${didYouMean(into, mirroredInto)}; it replicates into ${mirroredInto.join(', ')}`,
    );
  }
}

function checkFault(
  spec: FaultSpec,
  origin: string,
  at: (field?: string) => Array<string | number>,
  context: FaultContext,
  problems: Problem[],
): PlannedFault | undefined {
  const { cluster, topics, endMs } = context;
  const before = problems.length;
  const problem = (field: string | undefined, message: string) => problems.push({ path: at(field), message });
  const family = familyOf(spec.action);
  const instant = isInstant(spec.action);
  const takes = takesOf(spec.action);
  for (const field of optionalFields) {
    if (spec[field] === undefined || takes.includes(field)) continue;
    if (field === 'duration' && !instant) continue;
    const owners = faultFamilies
      .flatMap((f) => f.actions as readonly FaultAction[])
      .filter((action) => takesOf(action).includes(field));
    const why = field === 'duration' ? family.instant!.why : `that field is for ${owners.join(', ')}`;
    problem(
      field,
      `${spec.action} takes no ${field}: ${why}; ${spec.action} takes at, action${instant ? '' : ', duration'}${takes.length ? `, ${takes.join(', ')}` : ''}`,
    );
  }
  let target: FaultTarget = { kind: 'all' };
  if (spec.target !== undefined && takes.includes('target')) {
    try {
      target = parseTarget(spec.target);
    } catch (error) {
      if (!(error instanceof TargetSyntaxError)) throw error;
      problem('target', error.message);
      return undefined;
    }
  } else if (spec.target === undefined && family.target === 'required') {
    problem(
      undefined,
      `${spec.action} needs a target: broker-N, random, leader(topic, partition), controller, all or mirrormaker(cluster)`,
    );
    return undefined;
  }
  if (target.kind === 'mirrormaker') checkMirrorMakerTarget(spec, target.cluster, context, problem);
  if (target.kind === 'broker' && (target.id < 1 || target.id > cluster.brokers)) {
    problem(
      'target',
      `cluster "${cluster.name}" has no broker-${target.id} (it has ${cluster.brokers}: broker-1${cluster.brokers > 1 ? `…broker-${cluster.brokers}` : ''})`,
    );
  }
  if (target.kind === 'leader') {
    const topic = topics.find((t) => t.name === target.topic);
    if (!topic)
      problem(
        'target',
        `no topic "${target.topic}" on cluster "${cluster.name}"${didYouMean(
          target.topic,
          topics.map((t) => t.name),
        )}`,
      );
    else if (target.partition >= topic.partitions)
      problem('target', `topic ${topic.name} has partitions 0…${topic.partitions - 1}, not ${target.partition}`);
  }
  const own = family.check?.(spec, context, problem);
  const forever = spec.duration === FOREVER;
  const durationMs = spec.duration === FOREVER ? undefined : spec.duration;
  if (durationMs !== undefined && durationMs <= 0 && !instant)
    problem('duration', 'must be more than 0 s: a fault of no length breaks nothing');
  if (forever && !instant && !context.foreverAllowed) {
    problem(
      'duration',
      `forever keeps the fault through the drain, and cluster "${cluster.name}" replicates to no other cluster: here it would only hide what the drain catches up. Give it a duration, replicate the cluster (a region lost for good: rpo.lost), or add a failover.* criterion that asks how the cluster copes without what it lost`,
    );
  }
  if (family.network) {
    const facts = factsOf(cluster.system);
    const bypass = driverFacts(cluster.system, context.driver)?.bypassesClientProxies;
    if (facts.noBrokerLinks && (family.brokerLinksOnly || spec.links === 'brokers')) {
      problem(
        'action',
        `${facts.noBrokerLinks}: ${spec.action}${spec.links === 'brokers' ? ' on links: brokers' : ''} is not possible (client-link faults and process faults are)`,
      );
    } else if (bypass) {
      const through = facts.drivers.filter((d) => !d.bypassesClientProxies).map((d) => d.name);
      problem(
        'action',
        `with the ${context.driver} ${facts.label} driver, ${spec.action} might not touch the messages: ${bypass.why} (use driver: ${through.join(' or ')}, or a process fault)`,
      );
    }
  }
  if (spec.at >= endMs)
    problem(
      'at',
      `producing ends at ${endMs / 1000} s (warm-up included); a fault at ${spec.at / 1000} s is past the end of the run`,
    );
  else if (durationMs !== undefined && spec.at + durationMs > endMs) {
    problem(
      'duration',
      `the fault would heal at ${(spec.at + durationMs) / 1000} s, after producing ends at ${endMs / 1000} s`,
    );
  }
  if (problems.length > before) return undefined;
  const plannedMs = instant ? 0 : durationMs;
  return {
    id: '',
    origin,
    action: spec.action,
    target: own?.target ?? target,
    atMs: spec.at,
    durationMs: plannedMs,
    ...(own?.extra ?? {}),
    ...(spec.groups ? { groups: spec.groups } : {}),
    ...(spec.latency !== undefined ? { latencyMs: spec.latency } : {}),
    ...(spec.jitter !== undefined ? { jitterMs: spec.jitter } : {}),
    ...(spec.rate !== undefined ? { rateBytesPerSec: spec.rate } : {}),
    links: spec.links ?? 'all',
    stream: spec.stream ?? 'upstream',
    untilMs: forever ? Number.POSITIVE_INFINITY : plannedMs === undefined ? endMs : spec.at + plannedMs,
  };
}

/**
 * The seeded nemesis as concrete faults, each checked like a fault of faults[] (a problem is reported once, at
 * the nemesis action that causes it). The same seed draws the same faults.
 */
function expandNemesis(scenario: Scenario, context: FaultContext, problems: Problem[]): PlannedFault[] {
  const nemesis = scenario.nemesis!;
  const { cluster, endMs } = context;
  if (nemesis.every <= 0) {
    problems.push({
      path: ['nemesis', 'every'],
      message: 'must be more than 0 s (the time between two nemesis faults)',
    });
    return [];
  }
  if (nemesis.duration !== undefined && nemesis.duration <= 0) {
    problems.push({
      path: ['nemesis', 'duration'],
      message: 'must be more than 0 s: a fault of no length breaks nothing',
    });
    return [];
  }
  const each = nemesis.duration ?? nemesis.every / 2;
  const from = nemesis.from ?? Math.max(nemesis.every, scenario.workload.warmup);
  const count = from + each <= endMs ? Math.floor((endMs - each - from) / nemesis.every) + 1 : 0;
  if (count === 0) {
    problems.push({
      path: ['nemesis', nemesis.from !== undefined ? 'from' : 'every'],
      message: `no nemesis fault fits: the first, at ${from / 1000} s, would heal at ${(from + each) / 1000} s, after producing ends at ${endMs / 1000} s`,
    });
    return [];
  }
  if (count > MAX_NEMESIS_FAULTS) {
    problems.push({
      path: ['nemesis', 'every'],
      message: `a fault every ${nemesis.every / 1000} s from ${from / 1000} s to ${endMs / 1000} s makes ${count} faults; at most ${MAX_NEMESIS_FAULTS} are allowed`,
    });
    return [];
  }
  const random = seededRandom(nemesis.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const brokers = Array.from({ length: cluster.brokers }, (_, i) => i + 1);
  const faults: PlannedFault[] = [];
  const found: Problem[] = [];
  for (let at = from; at + each <= endMs; at += nemesis.every) {
    const action = pick(nemesis.actions);
    const broker = pick(brokers);
    const spec = {
      at,
      action,
      ...(isInstant(action) ? {} : { duration: each }),
      ...familyOf(action).nemesis(action, { broker, brokers, context, pick }),
    } as FaultSpec;
    const index = nemesis.actions.indexOf(action);
    const fault = checkFault(spec, 'nemesis', () => ['nemesis', 'actions', index], context, found);
    if (fault) faults.push(fault);
  }
  const seen = new Set<string>();
  for (const problem of found) {
    const key = `${problem.path.join('.')}: ${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ ...problem, message: `picked by the nemesis: ${problem.message}` });
  }
  return found.length > 0 ? [] : faults;
}

/**
 * Two process faults on one broker at once have no single meaning (a pause of a killed broker, a restart of a
 * stopped one): refused. Network cuts and toxics may overlap: each link is held cut by reference (a heal opens
 * only what no other fault still holds), and toxics are per fault.
 */
function checkContradictions(scenario: Scenario, faults: PlannedFault[], problems: Problem[]): void {
  const isProcess = isProcessFault;
  const endMs = scenario.workload.warmup + scenario.workload.duration;
  const until = (f: PlannedFault) => f.untilMs ?? endMs;
  // The processes a fault may hit: its brokers ('any': a broker resolved at run time), or its MirrorMaker 2.
  const brokersOf = (f: PlannedFault): Array<number | string> | 'any' =>
    f.target.kind === 'broker'
      ? [f.target.id]
      : f.target.kind === 'region'
        ? [...f.target.ids, ...(f.target.mirrorMakers ?? []).map((into) => `mirrormaker(${into})`)]
        : f.target.kind === 'mirrormaker'
          ? [formatTarget(f.target)]
          : 'any';
  const sameProcess = (x: Array<number | string> | 'any', y: Array<number | string> | 'any'): boolean => {
    if (x === 'any') return y === 'any' || y.some((p) => typeof p === 'number');
    return y === 'any' ? sameProcess(y, x) : x.some((p) => y.includes(p));
  };
  for (let i = 0; i < faults.length; i++) {
    for (let j = i + 1; j < faults.length; j++) {
      const a = faults[i]!;
      const b = faults[j]!;
      if (!isProcess(a) || !isProcess(b)) continue;
      if (!(a.atMs < until(b) && b.atMs < until(a))) continue;
      const x = brokersOf(a);
      const y = brokersOf(b);
      if (!sameProcess(x, y)) continue;
      const where = b.origin.startsWith('faults[') ? ['faults', Number(/\d+/.exec(b.origin)![0])] : ['nemesis'];
      problems.push({
        path: where,
        message: `${b.action} on ${formatTarget(b.target)} at ${b.atMs / 1000} s overlaps ${a.origin} (${a.action} on ${formatTarget(a.target)} at ${a.atMs / 1000} s) on the same broker(s): two process faults on one broker at once have no single meaning`,
      });
    }
  }
}
