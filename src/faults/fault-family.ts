/**
 * One fault family — e.g. the process faults (kill, stop, pause, restart) or the Toxiproxy toxics (latency,
 * bandwidth, reset, blackhole) — is one module that owns everything about its actions: the scenario fields it
 * introduces, which fields each action takes, its plan-time check, what a seeded nemesis draws for it, and how it
 * is applied and undone against a running cluster. The families are listed once, in fault-families.ts; the
 * schema, the plan, the nemesis and the injector ask that list instead of switching on action names. A new fault
 * is one file and one line there.
 */
import type { z } from 'zod';
import type { Link, ToxicSpec } from '../net/proxied-network.js';
import type { ClusterPaths, NetworkSwitch } from '../net/run-network.js';
import type { FaultContext, PlannedFault } from './fault-plan.js';
import type { FaultSpec } from './fault-schema.js';
import type { LinkCuts } from './link-cuts.js';
import type { ProcessHolds } from './process-holds.js';
import type { FaultTarget } from './targets.js';

/** A fault's fields besides at and action (target and duration are every family's). */
export type OptionalField = Exclude<keyof FaultSpec, 'at' | 'action'>;

/** Reports a problem with a field of the fault (undefined: the fault as a whole). */
export type ProblemAt = (field: string | undefined, message: string) => void;

/** What a seeded nemesis drew for one fault: the broker it picked, and the draw for anything more. */
export interface NemesisDraw {
  broker: number;
  brokers: number[];
  context: FaultContext;
  pick: <T>(items: readonly T[]) => T;
}

/** What a family's `apply` works with: the fault, its resolved target and the run's processes and network. */
export interface FaultApplication {
  fault: PlannedFault;
  /** The broker (or MirrorMaker 2) ids its target resolved to. */
  brokers: number[];
  /** That resolution as recorded (broker-1,broker-2; partition groups). */
  resolvedTarget: string;
  processes: ProcessHolds;
  /** The run's network switch, when the cluster's links are proxied. */
  network: NetworkSwitch | undefined;
  cuts: LinkCuts | undefined;
  /** This cluster's proxied links. */
  clusterLinks: readonly Link[] | undefined;
  /** Every proxied path of the run, each cluster's with where its brokers sit (region faults). */
  paths: ClusterPaths[] | undefined;
  clock: () => number;
  /** False once producing ended: a step queued behind another must not land. */
  proceed: () => boolean;
  processName: (id: number) => string;
  log: (line: string) => void;
  /** How to heal it: given before breaking anything, so a fault that fails part-way is rolled back. */
  undoWith(undo: () => Promise<void>): void;
  /** It is in force since `atMs` (on `links`, for a network fault). */
  inForce(atMs: number, links?: Link[]): void;
  /** An instant fault (restart) is over by itself: recorded as healed now, whose time it returns. */
  over(): number;
}

export interface FaultFamily<A extends string, S extends z.ZodRawShape = Record<never, never>> {
  /** Its actions, in the order the scenario schema lists them. */
  readonly actions: readonly A[];
  /** The fields it introduces into a fault's schema (fields it shares with an earlier family are that family's). */
  readonly fields: S;
  /** The fields each action takes besides at, action and duration. */
  readonly takes: Readonly<Record<A, readonly OptionalField[]>>;
  /** Whether its actions name a target: one must be given (`required`), or it defaults to all brokers (`all`). */
  readonly target?: 'required' | 'all';
  /** Actions that are over as soon as they are applied (no duration, no heal), and why they take no duration. */
  readonly instant?: { actions: readonly A[]; why: string };
  /** Its actions act on the network (Toxiproxy), as opposed to processes or a mix decided by `breaks`. */
  readonly network: boolean;
  /** It needs broker-to-broker links (a single Pulsar standalone has none). */
  readonly brokerLinksOnly?: boolean;
  /** Its actions may hit a MirrorMaker 2's process (target mirrormaker(cluster)), not only brokers. */
  readonly mirrorMakers?: boolean;
  /** What a planned fault of it breaks: processes (the provider must run them) or links (through Toxiproxy). */
  breaks(fault: Pick<PlannedFault, 'action' | 'mode'>): 'processes' | 'links';
  /** Plan-time checks of its own fields; what it adds to the planned fault (a resolved target, extra fields). */
  check?(
    spec: FaultSpec,
    context: FaultContext,
    problem: ProblemAt,
  ): { target?: FaultTarget; extra?: Partial<PlannedFault> } | undefined;
  /** The fields a seeded nemesis gives one of its actions (the target it hits, its parameters). */
  nemesis(action: A, draw: NemesisDraw): Partial<FaultSpec>;
  /** How the fault is shown in its record when not by its target (e.g. partition groups, a region pair). */
  label?(fault: PlannedFault): string;
  /** What its target resolved to, for the record, when not the processes it hits. */
  resolvedLabel?(fault: PlannedFault): string;
  /** Breaks what the fault says; gives its undo (`undoWith`) before breaking and says when it is in force. */
  apply(app: FaultApplication): Promise<void>;
  /** Network families: the links the fault acts on when its target resolved to `brokers` (this cluster's links). */
  linksOf?(fault: PlannedFault, brokers: number[], all: readonly Link[]): Link[];
  /** Toxic families: the toxics it adds to each of its links. */
  toxicsOf?(fault: PlannedFault): ToxicSpec[];
}
