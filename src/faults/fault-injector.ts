/**
 * Runs a fault timeline against a running cluster while the load runs. Each fault is injected at its planned
 * time and healed at its planned time (absolute, from the load clock — not "duration after it landed"); a heal
 * due at the same instant as an injection runs first. What a fault breaks is held by reference: a link stays cut
 * while any fault holds it (link-cuts.ts), a broker stays down or paused while any fault holds it
 * (process-holds.ts), so a heal restores only what no other active fault still needs.
 *
 * Target lookups (partition leader, active controller) are time-boxed and never stand in front of a heal: heals
 * run on their own path. At the end of producing (and on Ctrl-C or error) `healAll` heals every fault on its own,
 * then resets the whole network and continues/starts every broker, whatever failed before; no fault lands after.
 * A `duration: forever` fault is the exception: `healAll` leaves what it holds broken (the drain runs without the
 * lost region; no network reset while it holds a link), and the run's teardown stops everything.
 * Every fault is recorded with what it hit and when — a fault only partly applied is rolled back and recorded
 * as not injected, a heal that failed is recorded as such.
 */
import type { BrokerProcess, RunningCluster } from '../cluster/provider.js';
import type { ProcessControl } from '../cluster/runtime.js';
import type { Collector } from '../metrics/collector.js';
import type { RecoveryFigures } from '../metrics/recovery-tracker.js';
import type { Link } from '../net/proxied-network.js';
import type { ClusterPaths, NetworkSwitch } from '../net/run-network.js';
import { familyOf } from './fault-families.js';
import { isInstant, isProcessFault, lastsForever, type PlannedFault } from './fault-plan.js';
import { LinkCuts } from './link-cuts.js';
import { ProcessHolds } from './process-holds.js';
import { formatTarget } from './targets.js';
import { timeBoxed } from '../time-box.js';

export interface FaultRecord {
  id: string;
  origin: string;
  action: string;
  target: string;
  /** The broker(s) the target resolved to when the fault was injected. */
  resolvedTarget: string | null;
  /** Planned time (ms since load start). */
  at: number;
  /** When it was actually in force, and healed (ms since load start); null if it never was. */
  injectedAt: number | null;
  healedAt: number | null;
  /** Why it was not injected (or not entirely: then it was rolled back). */
  error?: string;
  /** Why its heal failed; healedAt is then when the final reset of the run healed it, or null if nothing did. */
  healError?: string;
  /** `duration: forever`: never healed during the run (healedAt stays null); teardown stopped what it broke. */
  forever?: true;
  /** For a leader(topic, partition) target: the partition's leader just before healing (did leadership move?). */
  leaderBeforeHeal?: number | null;
  /** For a controller target: the active controller just before healing (did the quorum elect another?). */
  controllerBeforeHeal?: number | null;
  recovery: RecoveryFigures;
}

/**
 * How long resolving a target may take before the fault is recorded as not injected (heals never wait for it;
 * a lookup answering after the fault's planned heal injects nothing). Generous: a loaded 2-core machine is slow.
 */
export const LEADER_LOOKUP_TIMEOUT_MS = 5_000;
/** The active controller comes from Kafka's metadata-quorum tool, a JVM start: longer. */
export const CONTROLLER_LOOKUP_TIMEOUT_MS = 15_000;
/** leaderBeforeHeal / controllerBeforeHeal: looked up over this last stretch before the heal, the latest answer kept. */
export const BEFORE_HEAL_LOOKUP_WINDOW_MS = 6_000;
const BEFORE_HEAL_LOOKUP_PACE_MS = 2_000;

export interface InjectorDeps {
  clock: () => number;
  collector: Collector;
  /** Switches every link below: the cluster's own, and, with `paths`, those of every cluster of the run. */
  network: NetworkSwitch | undefined;
  /**
   * Every proxied path of the run, each cluster's with where its brokers sit: what region faults cut (a region
   * pair's bytes cross other clusters' proxies too: a Pulsar peer's, for geo-replication). Default: this cluster's.
   */
  paths?: ClusterPaths[];
  random: () => number;
  log: (line: string) => void;
  /** Process control of each MirrorMaker 2, by the cluster it replicates into (target mirrormaker(cluster)). */
  mirrorMakers?: ReadonlyMap<string, ProcessControl>;
  /** The brokers of the run's other clusters, by cluster: what a region-outage in mode kill also takes down. */
  peers?: ReadonlyMap<string, readonly BrokerProcess[]>;
}

/** MirrorMaker 2 processes are held like brokers, under ids above every broker's: MIRROR_MAKER_IDS + i. */
const MIRROR_MAKER_IDS = 100_000;
/** Other clusters' brokers are held under PEER_IDS + PEER_STRIDE × (cluster's index) + broker id. */
const PEER_IDS = 200_000;
const PEER_STRIDE = 1_000;

interface FaultRun {
  fault: PlannedFault;
  record: FaultRecord;
  /** Its planned heal passed (or healAll began) before it was applied. */
  windowOver: boolean;
  /** Set when its target is known and it is being applied; settles when that ended (in force, or rolled back). */
  applied?: Promise<void>;
  /** How to heal it, once in force. */
  undo?: () => Promise<void>;
  healing?: Promise<void>;
  beforeHeal?: { latest: number | undefined; stopped: boolean };
}

interface TimelineEvent {
  atMs: number;
  kind: 'heal' | 'inject';
  seq: number;
  run: FaultRun;
}

export class FaultInjector {
  private readonly runs: FaultRun[] = [];
  private readonly watches = new Map<FaultRecord, number>();
  private readonly active = new Set<FaultRun>();
  private events: TimelineEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private healingAll: Promise<void> | undefined;
  private readonly network: NetworkSwitch | undefined;
  private readonly cuts: LinkCuts | undefined;
  private readonly processes: ProcessHolds;
  private readonly listeners: Array<(record: FaultRecord) => void> = [];
  private readonly mirrorMakerIds: ReadonlyMap<string, number>;
  /** `cluster/broker-N` of another cluster of the run → its id here. */
  private readonly peerIds: ReadonlyMap<string, number>;
  /** broker-N, or mirrormaker(cluster) for a MirrorMaker 2's id. */
  private readonly processName: (id: number) => string;

  constructor(
    private readonly faults: PlannedFault[],
    private readonly cluster: RunningCluster,
    private readonly deps: InjectorDeps,
  ) {
    this.network = deps.network;
    this.cuts = deps.network ? new LinkCuts(deps.network) : undefined;
    const mirrorMakers = [...(deps.mirrorMakers ?? new Map<string, ProcessControl>())].map(([into, control], i) => ({
      into,
      process: { id: MIRROR_MAKER_IDS + i, control } satisfies BrokerProcess,
    }));
    this.mirrorMakerIds = new Map(mirrorMakers.map(({ into, process }) => [into, process.id]));
    const peers = [...(deps.peers ?? new Map<string, BrokerProcess[]>())].flatMap(([name, processes], i) =>
      processes.map((p) => ({
        name: `${name}/broker-${p.id}`,
        process: { id: PEER_IDS + PEER_STRIDE * i + p.id, control: p.control } satisfies BrokerProcess,
      })),
    );
    this.peerIds = new Map(peers.map(({ name, process }) => [name, process.id]));
    const names = new Map([
      ...mirrorMakers.map(({ into, process }) => [process.id, `mirrormaker(${into})`] as const),
      ...peers.map(({ name, process }) => [process.id, name] as const),
    ]);
    this.processName = (id) => names.get(id) ?? `broker-${id}`;
    this.processes = new ProcessHolds(
      [...(cluster.processes ?? []), ...mirrorMakers.map((m) => m.process), ...peers.map((p) => p.process)],
      deps.clock,
      deps.log,
      this.processName,
    );
  }

  start(): void {
    for (const fault of this.faults) {
      const record: FaultRecord = {
        id: fault.id,
        origin: fault.origin,
        action: fault.action,
        target: familyOf(fault.action).label?.(fault) ?? formatTarget(fault.target),
        resolvedTarget: null,
        at: fault.atMs,
        injectedAt: null,
        healedAt: null,
        recovery: { firstAckMs: null, throughputRecoveredMs: null, consumerResumedMs: null },
        ...(lastsForever(fault) ? { forever: true as const } : {}),
      };
      const run: FaultRun = { fault, record, windowOver: false };
      this.runs.push(run);
      this.events.push({ atMs: fault.atMs, kind: 'inject', seq: this.events.length, run });
      if (fault.durationMs !== undefined && !isInstant(fault.action)) {
        this.events.push({ atMs: fault.atMs + fault.durationMs, kind: 'heal', seq: this.events.length, run });
      }
    }
    // In time order; at the same instant, heals before injections.
    this.events.sort(
      (a, b) => a.atMs - b.atMs || (a.kind === b.kind ? 0 : a.kind === 'heal' ? -1 : 1) || a.seq - b.seq,
    );
    this.scheduleNext();
  }

  /** Told, with its record, each time a fault comes into force or heals (a region failover follows its outage). */
  listen(listener: (record: FaultRecord) => void): void {
    this.listeners.push(listener);
  }

  private changed(record: FaultRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.deps.log(`fault ${record.id}: a listener failed: ${message(error)}`);
      }
    }
  }

  /**
   * Heals everything still broken but what `forever` faults hold, and cancels faults not yet injected. Called
   * before the drain and again at teardown (the same healing: safe to call more than once).
   */
  healAll(): Promise<void> {
    this.healingAll ??= this.healEverything();
    return this.healingAll;
  }

  /** The records, with recovery figures computed from what was collected up to `untilMs`. */
  results(untilMs: number): FaultRecord[] {
    for (const { record } of this.runs) {
      const watch = this.watches.get(record);
      if (watch !== undefined) record.recovery = this.deps.collector.recovery.figures(watch, untilMs);
    }
    return this.runs.map((run) => run.record);
  }

  private scheduleNext(): void {
    const next = this.events[0];
    if (this.stopped || !next) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next.atMs - this.deps.clock()));
  }

  private tick(): void {
    const now = this.deps.clock();
    while (!this.stopped && this.events[0] && this.events[0].atMs <= now) {
      const event = this.events.shift()!;
      if (event.kind === 'heal') void this.heal(event.run);
      else this.inject(event.run);
    }
    this.scheduleNext();
  }

  private async healEverything(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.events = [];
    for (const run of this.runs) run.windowOver = true;
    // Each heal on its own: one that fails does not stop the others. Heals already under way are waited for.
    const lasting = [...this.active].filter((run) => lastsForever(run.fault));
    for (const run of this.active) if (!lasting.includes(run)) void this.heal(run);
    await Promise.all(this.runs.map((run) => run.healing));
    // A forever fault still applying (e.g. a kill queued behind another step) stays what it is: waited for, kept.
    await Promise.all(lasting.map((run) => run.applied));
    let resetFailed: string | undefined;
    const keptCut = lasting.some((run) => !isProcessFault(run.fault));
    if (keptCut) {
      resetFailed = 'not run: a forever fault holds links cut';
      this.deps.log(
        'no reset of the whole network: a forever fault holds links (each other fault released its own holds)',
      );
    } else if (this.network) {
      await this.cuts!.settled();
      try {
        await this.network.healAll();
        this.cuts!.resetAllOpen();
      } catch (error) {
        resetFailed = message(error);
        this.deps.log(`resetting the network (every proxy enabled, every toxic removed) failed: ${resetFailed}`);
      }
    }
    const processErrors = await this.processes.releaseAll(
      new Set(lasting.filter((run) => isProcessFault(run.fault)).map((run) => run.fault.id)),
    );
    for (const error of processErrors) this.deps.log(`continuing or starting a broker failed: ${error}`);
    const endMs = Math.round(this.deps.clock());
    for (const { record, fault } of this.runs) {
      if (record.injectedAt === null || record.healedAt !== null || lastsForever(fault)) continue;
      const failed = isProcessFault(fault) ? processErrors.length > 0 : resetFailed !== undefined;
      if (failed) continue;
      record.healedAt = endMs;
      if (record.healError) record.healError += `; healed by the final reset at ${endMs} ms`;
      this.changed(record);
    }
  }

  private inject(run: FaultRun): void {
    const { fault } = run;
    let resolved: number[] | Promise<number[]>;
    try {
      resolved = this.resolve(fault);
    } catch (error) {
      this.notInjected(run, message(error));
      return;
    }
    if (Array.isArray(resolved)) {
      this.apply(run, resolved);
      return;
    }
    const started = this.deps.clock();
    void resolved.then(
      (brokers) => {
        if (this.stopped)
          return this.notInjected(
            run,
            `producing ended while its target was being looked up (${Math.round(this.deps.clock() - started)} ms)`,
          );
        if (run.windowOver)
          return this.notInjected(
            run,
            `its target was looked up only at ${Math.round(this.deps.clock())} ms, after its planned heal`,
          );
        return this.apply(run, brokers);
      },
      (error: unknown) => this.notInjected(run, message(error)),
    );
  }

  private notInjected(run: FaultRun, reason: string): void {
    run.record.error = reason;
    this.deps.log(`fault ${run.fault.id} (${run.fault.action} ${run.record.target}) could not be injected: ${reason}`);
  }

  /** Breaks what the fault says on `brokers` (its family applies it); a fault that fails part-way is rolled back. */
  private apply(run: FaultRun, brokers: number[]): Promise<void> {
    const { fault, record } = run;
    const family = familyOf(fault.action);
    const resolvedTarget = family.resolvedLabel?.(fault) ?? brokers.map(this.processName).join(',');
    record.resolvedTarget = resolvedTarget;
    this.active.add(run);
    // Inside an async function: a step that throws at once (an unknown process) rolls back like one that rejects.
    const applying = (async () =>
      family.apply({
        fault,
        brokers,
        resolvedTarget,
        processes: this.processes,
        network: this.network,
        cuts: this.cuts,
        clusterLinks: this.cluster.links,
        paths: this.deps.paths,
        clock: this.deps.clock,
        proceed: () => !this.stopped,
        processName: this.processName,
        log: this.deps.log,
        undoWith: (undo) => {
          run.undo = undo;
        },
        inForce: (atMs, links) => this.inForce(run, atMs, links),
        over: () => {
          this.active.delete(run);
          record.healedAt = Math.round(this.deps.clock());
          return record.healedAt;
        },
      }))().catch(async (error: unknown) => {
      await this.rollBack(run, message(error));
    });
    run.applied = applying;
    return applying;
  }

  /** The fault is in force since `atMs`: record it and watch the recovery — unless healAll began meanwhile. */
  private inForce(run: FaultRun, atMs: number, links?: Link[]): void {
    const { fault, record } = run;
    if (this.stopped) throw new Error('producing ended while it was being injected');
    record.injectedAt = Math.round(atMs);
    this.watches.set(record, this.deps.collector.recovery.watch(record.injectedAt));
    this.deps.log(
      `fault ${fault.id}: ${fault.action} ${record.target} → ${record.resolvedTarget}${links ? ` (${links.length} link(s))` : ''} at ${record.injectedAt} ms`,
    );
    this.followTargetUntilHeal(run);
    this.changed(record);
  }

  private async rollBack(run: FaultRun, reason: string): Promise<void> {
    const { fault, record } = run;
    this.active.delete(run);
    let rolledBack = 'rolled back';
    if (run.undo) {
      try {
        await run.undo();
        rolledBack = `rolled back at ${Math.round(this.deps.clock())} ms`;
      } catch (error) {
        rolledBack = `rolling back failed (${message(error)}): in force until the final reset`;
      }
    }
    if (record.injectedAt !== null && isInstant(fault.action)) {
      // A restart whose SIGTERM went out was in force: the broker is down until the final sweep starts it.
      record.error = `${reason}; the broker stays down until the end of producing`;
    } else {
      record.injectedAt = null;
      this.watches.delete(record);
      record.error = run.undo ? `${reason}; ${rolledBack}` : reason;
    }
    this.deps.log(`fault ${fault.id} (${fault.action} ${record.target}) could not be injected: ${record.error}`);
  }

  /** Heals `run` at its planned time (or in healAll): releases only its own holds. Never throws. */
  private heal(run: FaultRun): Promise<void> {
    if (!run.applied) {
      run.windowOver = true; // still looking its target up (or not injected): it will not be applied
      return Promise.resolve();
    }
    run.healing ??= (async () => {
      await run.applied;
      if (!this.active.delete(run)) return;
      const { fault, record } = run;
      if (run.beforeHeal) {
        run.beforeHeal.stopped = true;
        const value = run.beforeHeal.latest ?? null;
        if (fault.target.kind === 'leader') record.leaderBeforeHeal = value;
        else record.controllerBeforeHeal = value;
      }
      try {
        await run.undo?.();
        record.healedAt = Math.round(this.deps.clock());
        this.deps.log(`fault ${fault.id}: healed at ${record.healedAt} ms`);
        this.changed(record);
      } catch (error) {
        record.healError = message(error);
        this.deps.log(`fault ${fault.id}: healing failed: ${record.healError}`);
      }
    })();
    return run.healing;
  }

  /** Resolves the target: at once for broker-N, all and random; time-boxed lookups for leader and controller. */
  private resolve(fault: PlannedFault): number[] | Promise<number[]> {
    const ids = (this.cluster.processes ?? []).map((p) => p.id);
    const target = fault.target;
    switch (target.kind) {
      case 'broker':
        return [target.id];
      case 'all':
        return ids;
      case 'random': {
        const up = (this.cluster.processes ?? [])
          .filter((p) => p.control.running && this.processes.downHolders(p.id).length === 0)
          .map((p) => p.id);
        const pool = up.length > 0 ? up : ids;
        return [pool[Math.floor(this.deps.random() * pool.length)]!];
      }
      case 'leader': {
        const what = `the leader of ${target.topic}/${target.partition}`;
        const lookup = this.cluster.leaderOf?.(target.topic, target.partition) ?? Promise.resolve(undefined);
        return timeBoxed(
          lookup,
          LEADER_LOOKUP_TIMEOUT_MS,
          `${what} could not be looked up within ${LEADER_LOOKUP_TIMEOUT_MS / 1000} s`,
        ).then((id) => [knownBroker(id, ids, `${target.topic}/${target.partition} has no leader`)]);
      }
      case 'region': {
        // mode kill: also the other clusters' brokers and the MirrorMaker 2 workers there that faultline runs.
        const peers = (target.peers ?? []).flatMap(({ cluster, ids }) =>
          ids.flatMap((id) => this.peerIds.get(`${cluster}/broker-${id}`) ?? []),
        );
        const mirrorMakers = (target.mirrorMakers ?? []).flatMap((into) => this.mirrorMakerIds.get(into) ?? []);
        return [...target.ids, ...peers, ...mirrorMakers];
      }
      case 'mirrormaker': {
        const id = this.mirrorMakerIds.get(target.cluster);
        if (id === undefined) throw new Error(`no MirrorMaker 2 runs into cluster "${target.cluster}"`);
        return [id];
      }
      case 'controller': {
        const lookup = this.cluster.controller?.() ?? Promise.resolve(undefined);
        return timeBoxed(
          lookup,
          CONTROLLER_LOOKUP_TIMEOUT_MS,
          `the active controller could not be looked up within ${CONTROLLER_LOOKUP_TIMEOUT_MS / 1000} s`,
        ).then((id) => [knownBroker(id, ids, 'there is no active controller')]);
      }
    }
  }

  /**
   * leaderBeforeHeal / controllerBeforeHeal: looks the target up, time-boxed, over the last stretch before the
   * planned heal and keeps the latest answer. The heal never waits for it.
   */
  private followTargetUntilHeal(run: FaultRun): void {
    const { fault } = run;
    const target = fault.target;
    if (target.kind !== 'leader' && target.kind !== 'controller') return;
    const healAt = fault.durationMs !== undefined ? fault.atMs + fault.durationMs : fault.untilMs;
    const state = { latest: undefined as number | undefined, stopped: false };
    run.beforeHeal = state;
    // A forever fault is never healed: nothing to look up before a heal (and setTimeout takes no Infinity).
    if (healAt === undefined || !Number.isFinite(healAt)) return;
    const look = () =>
      (target.kind === 'leader'
        ? this.cluster.leaderOf?.(target.topic, target.partition)
        : this.cluster.controller?.()) ?? Promise.resolve(undefined);
    const lookOnce = async () => {
      if (state.stopped || this.stopped) return;
      const startedAt = this.deps.clock();
      const value = await timeBoxed(look(), Math.max(1, healAt - startedAt), 'no answer before the heal').catch(
        () => undefined,
      );
      if (state.stopped || this.stopped) return;
      if (value !== undefined && value >= 0) state.latest = value;
      const next = Math.max(0, startedAt + BEFORE_HEAL_LOOKUP_PACE_MS - this.deps.clock());
      if (this.deps.clock() + next < healAt) setTimeout(() => void lookOnce(), next).unref?.();
    };
    const first = Math.max(0, healAt - BEFORE_HEAL_LOOKUP_WINDOW_MS - this.deps.clock());
    setTimeout(() => void lookOnce(), first).unref?.();
  }
}

/** A broker id the cluster has, or an error saying what came back instead (-1, undefined, an unknown id). */
function knownBroker(id: number | undefined, ids: number[], none: string): number {
  if (id !== undefined && ids.includes(id)) return id;
  throw new Error(
    `${none} (the cluster answered ${id === undefined ? 'nothing' : id}${id !== undefined && id >= 0 ? `, not one of brokers ${ids.join(', ')}` : ''})`,
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
