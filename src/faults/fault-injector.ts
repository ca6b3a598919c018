/**
 * Runs a fault timeline against a running cluster while the load runs: at each fault's time it resolves the
 * target (random, partition leader, controller), breaks what the action says — processes through the provider's
 * broker controls, links through the proxied network — and heals it after its duration. At the end of producing
 * (and on Ctrl-C or error) everything still broken is healed. Every fault is recorded with what it hit and when.
 */
import type { BrokerControl, RunningCluster } from '../cluster/provider.js';
import type { Collector } from '../metrics/collector.js';
import type { RecoveryFigures } from '../metrics/recovery-tracker.js';
import type { Link, ProxiedNetwork, ToxicSpec } from '../net/proxied-network.js';
import type { PlannedFault } from './fault-plan.js';
import { formatTarget } from './targets.js';

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
  error?: string;
  /** For a leader(topic, partition) target: the partition's leader just before healing (did leadership move?). */
  leaderBeforeHeal?: number | null;
  /** For a controller target: the active controller just before healing (did the quorum elect another?). */
  controllerBeforeHeal?: number | null;
  recovery: RecoveryFigures;
}

interface ActiveFault {
  fault: PlannedFault;
  record: FaultRecord;
  watch: number;
  heal: () => Promise<void>;
  healTimer?: NodeJS.Timeout;
}

export interface InjectorDeps {
  clock: () => number;
  collector: Collector;
  network: ProxiedNetwork | undefined;
  random: () => number;
  log: (line: string) => void;
}

export class FaultInjector {
  private readonly records: FaultRecord[] = [];
  private readonly watches = new Map<FaultRecord, number>();
  private readonly active = new Set<ActiveFault>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly faults: PlannedFault[], private readonly cluster: RunningCluster, private readonly deps: InjectorDeps) {}

  start(): void {
    for (const fault of this.faults) {
      const record: FaultRecord = {
        id: fault.id,
        origin: fault.origin,
        action: fault.action,
        target: fault.groups ? `groups ${JSON.stringify(fault.groups)}` : formatTarget(fault.target),
        resolvedTarget: null,
        at: fault.atMs,
        injectedAt: null,
        healedAt: null,
        recovery: { firstAckMs: null, throughputRecoveredMs: null, consumerResumedMs: null },
      };
      this.records.push(record);
      const delay = Math.max(0, fault.atMs - this.deps.clock());
      this.timers.push(setTimeout(() => this.serialise(() => this.inject(fault, record)), delay));
    }
  }

  /** Heals everything still broken and cancels faults not yet injected. */
  async healAll(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.serialise(async () => {
      for (const active of [...this.active]) await this.healOne(active);
      await this.deps.network?.healAll().catch((error: unknown) => this.deps.log(`healing the network failed: ${String(error)}`));
      for (const control of this.cluster.controls ?? []) {
        control.signal('SIGCONT');
        if (!control.running) await control.start();
      }
    });
  }

  /** The records, with recovery figures computed from what was collected up to `untilMs`. */
  results(untilMs: number): FaultRecord[] {
    for (const record of this.records) {
      const watch = this.watches.get(record);
      if (watch !== undefined) record.recovery = this.deps.collector.recovery.figures(watch, untilMs);
    }
    return this.records;
  }

  private serialise(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step).catch((error: unknown) => this.deps.log(`fault step failed: ${String(error)}`));
    return this.queue;
  }

  private async inject(fault: PlannedFault, record: FaultRecord): Promise<void> {
    if (this.stopped) return;
    try {
      const brokers = await this.resolve(fault);
      record.resolvedTarget = fault.groups ? JSON.stringify(fault.groups) : brokers.map((b) => `broker-${b}`).join(',');
      const heal = await this.apply(fault, brokers);
      record.injectedAt = Math.round(this.deps.clock());
      const watch = this.deps.collector.recovery.watch(record.injectedAt);
      this.watches.set(record, watch);
      this.deps.log(`fault ${fault.id}: ${fault.action} ${record.target} → ${record.resolvedTarget} at ${record.injectedAt} ms`);
      const active: ActiveFault = { fault, record, watch, heal };
      this.active.add(active);
      if (fault.durationMs !== undefined) {
        active.healTimer = setTimeout(() => this.serialise(() => this.healOne(active)), fault.durationMs);
      }
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      this.deps.log(`fault ${fault.id} (${fault.action}) could not be injected: ${record.error}`);
    }
  }

  private async healOne(active: ActiveFault): Promise<void> {
    if (!this.active.delete(active)) return;
    clearTimeout(active.healTimer);
    const target = active.fault.target;
    if (target.kind === 'leader') {
      active.record.leaderBeforeHeal = (await this.cluster.leaderOf?.(target.topic, target.partition).catch(() => undefined)) ?? null;
    } else if (target.kind === 'controller') {
      active.record.controllerBeforeHeal = (await this.cluster.controller?.().catch(() => undefined)) ?? null;
    }
    await active.heal();
    active.record.healedAt = Math.round(this.deps.clock());
    this.deps.log(`fault ${active.fault.id}: healed at ${active.record.healedAt} ms`);
  }

  private async resolve(fault: PlannedFault): Promise<number[]> {
    const ids = (this.cluster.controls ?? []).map((c) => c.id);
    const target = fault.target;
    switch (target.kind) {
      case 'broker':
        return [target.id];
      case 'all':
        return fault.groups ? fault.groups.flat() : ids;
      case 'random': {
        const running = (this.cluster.controls ?? []).filter((c) => c.running).map((c) => c.id);
        const pool = running.length > 0 ? running : ids;
        return [pool[Math.floor(this.deps.random() * pool.length)]!];
      }
      case 'leader': {
        const leader = await this.cluster.leaderOf?.(target.topic, target.partition);
        if (leader === undefined) throw new Error(`no leader known for ${target.topic}/${target.partition}`);
        return [leader];
      }
      case 'controller': {
        const controller = await this.cluster.controller?.();
        if (controller === undefined) throw new Error('the active controller could not be determined');
        return [controller];
      }
    }
  }

  private control(id: number): BrokerControl {
    const control = this.cluster.controls?.find((c) => c.id === id);
    if (!control) throw new Error(`no process control for broker ${id}`);
    return control;
  }

  /** Breaks what the fault says; returns how to heal it. */
  private async apply(fault: PlannedFault, brokers: number[]): Promise<() => Promise<void>> {
    switch (fault.action) {
      case 'kill':
      case 'stop': {
        const controls = brokers.map((id) => this.control(id));
        for (const control of controls) {
          if (fault.action === 'kill') control.signal('SIGKILL');
          else void control.stop(30_000);
        }
        return async () => {
          for (const control of controls) {
            await control.exited();
            if (!control.running) await control.start();
          }
        };
      }
      case 'pause': {
        const controls = brokers.map((id) => this.control(id));
        for (const control of controls) control.signal('SIGSTOP');
        return async () => controls.forEach((control) => control.signal('SIGCONT'));
      }
      case 'restart': {
        for (const id of brokers) {
          const control = this.control(id);
          await control.stop(30_000);
          await control.start();
        }
        return async () => {};
      }
      default:
        return this.applyNetwork(fault, brokers);
    }
  }

  private async applyNetwork(fault: PlannedFault, brokers: number[]): Promise<() => Promise<void>> {
    const network = this.deps.network;
    const all = this.cluster.links;
    if (!network || !all) throw new Error(`${fault.action} needs the proxied network, which this cluster does not have`);
    const inScope = (link: Link) => fault.links === 'all' || (fault.links === 'clients' ? link.kind === 'client' : link.kind !== 'client');
    const touching = (link: Link) => brokers.includes(link.to) || (typeof link.from === 'number' && brokers.includes(link.from));
    let links: Link[];
    switch (fault.action) {
      case 'partition': {
        const side = new Map<number, number>();
        fault.groups!.forEach((group, i) => group.forEach((id) => side.set(id, i)));
        links = all.filter((l) => l.kind !== 'client' && typeof l.from === 'number' && side.has(l.from) && side.has(l.to) && side.get(l.from) !== side.get(l.to));
        break;
      }
      case 'cut-clients':
        links = all.filter((l) => l.kind === 'client' && brokers.includes(l.to));
        break;
      default:
        links = all.filter((l) => inScope(l) && touching(l));
    }
    if (['isolate', 'partition', 'cut-clients'].includes(fault.action)) {
      await network.setEnabled(links, false);
      return () => network.setEnabled(links, true);
    }
    const streams = fault.stream === 'both' ? (['upstream', 'downstream'] as const) : [fault.stream];
    for (const stream of streams) await network.addToxic(fault.id, links, toxicFor(fault, stream));
    return () => network.removeToxics(fault.id);
  }
}

function toxicFor(fault: PlannedFault, stream: 'upstream' | 'downstream'): ToxicSpec {
  switch (fault.action) {
    case 'latency':
      return { type: 'latency', attributes: { latency: Math.round(fault.latencyMs ?? 0), jitter: Math.round(fault.jitterMs ?? 0) }, stream };
    case 'bandwidth':
      return { type: 'bandwidth', attributes: { rate: Math.max(1, Math.round((fault.rateBytesPerSec ?? 0) / 1024)) }, stream };
    case 'reset':
      return { type: 'reset_peer', attributes: { timeout: 0 }, stream };
    case 'blackhole':
      return { type: 'timeout', attributes: { timeout: 0 }, stream };
    default:
      throw new Error(`no toxic for ${fault.action}`);
  }
}
