/**
 * Samples the resource use of a run's processes once a second: each broker, MirrorMaker 2 and Toxiproxy process
 * (from /proc) and the harness itself (Node's counters), so a reader sees what the brokers cost and whether the load
 * generator was the bottleneck. Ticks fall on whole seconds of the load clock (monotonic), so an interval lines up
 * with the load timeline's seconds. A process is asked for its pid at every tick: a broker restarted by a fault
 * is followed to its new process (all of whose use falls after the previous tick, as it did not run then).
 * A broker in a container (provider docker) is read from its cgroup (see cgroup-readings.ts), its pid being the
 * container's process: a restarted container is a new process, followed the same way.
 */
import { readCgroup } from './cgroup-readings.js';
import { clockTicksPerSecond, type ProcessReading, readHarness, readProc } from './proc-readings.js';

export type ProcessKind = 'broker' | 'mirrormaker' | 'toxiproxy' | 'harness';

/** Where a process's use is read: /proc (a local process), or the cgroup of the container it runs in. */
export type ReadingSource = 'proc' | 'cgroup';

/** A process whose resource use is sampled; `pid()` is asked at every tick (undefined: not running now). */
export interface SampledProcess {
  name: string;
  kind: ProcessKind;
  pid(): number | undefined;
  /** 'cgroup': the pid is a container's process, read from the container's cgroup. Default 'proc'. */
  source?: ReadingSource;
}

/** One process over one interval: cores used (CPU-seconds per second), RSS at the end, bytes read and written. */
export interface ProcessPoint {
  cpu: number;
  rssBytes: number;
  readBytes: number | null;
  writeBytes: number | null;
}

/** One tick: the interval [tMs - ms, tMs) of the load clock; `atMs` is the wall-clock time of the reading (epoch ms). */
export interface ResourcePoint {
  tMs: number;
  ms: number;
  atMs: number;
  /** By process name; null when the process was not running at the tick (or at the one before: unmeasured). */
  processes: Record<string, ProcessPoint | null>;
}

/** What the sampler hands to the result: which processes (with every pid they had), how, and the timeline. */
export interface ResourceSamples {
  /** 'proc+cgroup': some process (a container) was read from its cgroup; see each process's `source`. */
  source: 'proc' | 'proc+cgroup';
  intervalMs: number;
  clockTicksPerSec: number;
  processes: Array<{ name: string; kind: ProcessKind; pids: number[]; source?: ReadingSource }>;
  timeline: ResourcePoint[];
}

export interface SamplerOptions {
  intervalMs?: number;
  /** Reads one process (default: /proc, or Node's counters for the harness). */
  read?: (process: SampledProcess, pid: number) => ProcessReading | undefined;
}

/** Cumulative use of a process since sampling began (what a Prometheus counter exposes). */
export interface ProcessTotals {
  kind: ProcessKind;
  cpuSeconds: number;
  readBytes: number;
  writeBytes: number;
  rssBytes: number | null;
}

/** The harness as a sampled process: its own pid, read through Node. */
export const harnessProcess: SampledProcess = { name: 'harness', kind: 'harness', pid: () => process.pid };

function defaultRead(sampled: SampledProcess, pid: number): ProcessReading | undefined {
  if (sampled.source === 'cgroup') return readCgroup(pid);
  return sampled.kind === 'harness' && pid === process.pid ? readHarness() : readProc(pid);
}

export class ResourceSampler {
  private readonly intervalMs: number;
  private readonly read: NonNullable<SamplerOptions['read']>;
  private readonly last = new Map<string, { pid: number; reading: ProcessReading } | undefined>();
  private readonly pids = new Map<string, number[]>();
  private readonly totals = new Map<string, ProcessTotals>();
  private readonly timeline: ResourcePoint[] = [];
  private lastTickMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners: Array<(point: ResourcePoint, totals: ReadonlyMap<string, ProcessTotals>) => void> = [];

  constructor(
    private readonly processes: SampledProcess[],
    private readonly now: () => number,
    options: SamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.read = options.read ?? defaultRead;
    for (const p of processes)
      this.totals.set(p.name, { kind: p.kind, cpuSeconds: 0, readBytes: 0, writeBytes: 0, rssBytes: null });
  }

  /** Takes the baseline reading now and ticks on every whole interval of the clock until stop(). */
  start(): this {
    this.lastTickMs = this.now();
    for (const p of this.processes) this.last.set(p.name, this.readNow(p));
    this.schedule();
    return this;
  }

  /** Takes a last reading (the interval since the last tick) and stops ticking. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.now() - this.lastTickMs >= 1) this.tick();
  }

  /** Called after each tick (the live endpoint). */
  listen(listener: (point: ResourcePoint, totals: ReadonlyMap<string, ProcessTotals>) => void): void {
    this.listeners.push(listener);
  }

  samples(): ResourceSamples {
    const fromCgroup = this.processes.some((p) => p.source === 'cgroup');
    return {
      source: fromCgroup ? 'proc+cgroup' : 'proc',
      intervalMs: this.intervalMs,
      clockTicksPerSec: clockTicksPerSecond(),
      processes: this.processes.map((p) => ({
        name: p.name,
        kind: p.kind,
        pids: this.pids.get(p.name) ?? [],
        ...(fromCgroup ? { source: p.source ?? 'proc' } : {}),
      })),
      timeline: [...this.timeline],
    };
  }

  /** One tick: every process's use since the previous tick. Public for tests; the timer calls it. */
  tick(): ResourcePoint {
    const tMs = this.now();
    const ms = tMs - this.lastTickMs;
    const point: ResourcePoint = { tMs: Math.round(tMs), ms: Math.round(ms), atMs: Date.now(), processes: {} };
    for (const p of this.processes) {
      const before = this.last.get(p.name);
      const after = this.readNow(p);
      this.last.set(p.name, after);
      point.processes[p.name] = after && ms > 0 ? this.used(p.name, before, after, ms) : null;
    }
    this.lastTickMs = tMs;
    this.timeline.push(point);
    for (const listener of this.listeners) listener(point, this.totals);
    return point;
  }

  private used(
    name: string,
    before: { pid: number; reading: ProcessReading } | undefined,
    after: { pid: number; reading: ProcessReading },
    ms: number,
  ): ProcessPoint | null {
    // The same process as at the last tick: the difference. A process first seen at this tick (restarted, or
    // started late) did not run at the last one, so all it used so far falls in this interval. A process seen
    // before but unreadable at the last tick: this interval is unmeasured.
    const same = before?.pid === after.pid;
    if (!same && this.firstSeenAtTick.get(`${name}:${after.pid}`) !== this.timeline.length) return null;
    const base = same ? before!.reading : { cpuSeconds: 0, rssBytes: 0, readBytes: 0, writeBytes: 0 };
    const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
    const cpuSeconds = after.reading.cpuSeconds - base.cpuSeconds;
    const readBytes = delta(after.reading.readBytes, base.readBytes);
    const writeBytes = delta(after.reading.writeBytes, base.writeBytes);
    const totals = this.totals.get(name)!;
    totals.cpuSeconds += cpuSeconds;
    totals.readBytes += readBytes ?? 0;
    totals.writeBytes += writeBytes ?? 0;
    totals.rssBytes = after.reading.rssBytes;
    return { cpu: cpuSeconds / (ms / 1000), rssBytes: after.reading.rssBytes, readBytes, writeBytes };
  }

  /** By "name:pid": the tick (timeline index) at which that process was first read. */
  private readonly firstSeenAtTick = new Map<string, number>();

  private readNow(p: SampledProcess): { pid: number; reading: ProcessReading } | undefined {
    const pid = p.pid();
    if (pid === undefined) return undefined;
    const seen = this.pids.get(p.name) ?? [];
    if (!seen.includes(pid)) {
      this.pids.set(p.name, [...seen, pid]);
      this.firstSeenAtTick.set(`${p.name}:${pid}`, this.timeline.length);
    }
    const reading = this.read(p, pid);
    return reading ? { pid, reading } : undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    // The next whole interval at least half an interval away: no sliver of an interval (10 ms CPU ticks over
    // 20 ms would read as a spike).
    const next = Math.ceil((this.now() + this.intervalMs / 2) / this.intervalMs) * this.intervalMs;
    this.timer = setTimeout(
      () => {
        this.tick();
        this.schedule();
      },
      Math.max(1, next - this.now()),
    );
    this.timer.unref();
  }
}
