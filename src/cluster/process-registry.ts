/**
 * Every process a run starts is recorded twice: in a run record in the cache (pid, data dirs, results dir), and
 * in the process's own command line (-Dfaultline.run=ID -Dfaultline.owner=PID for JVMs, a trailing
 * faultline.run=ID faultline.owner=PID for the Toxiproxy server). If the harness dies, the
 * watchdog it started — or a later `faultline clean` — finds the orphans by either, stops them, removes their
 * data and marks the partial results as interrupted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './cache.js';
import { type RemovedContainer, removeOrphanedContainers, removeRunContainers } from './docker/container-orphans.js';
import { isAlive } from './pid.js';

export interface RunRecord {
  runId: string;
  harnessPid: number;
  startedAt: string;
  resultDir: string;
  cleanupDirs: string[];
  processes: Array<{ pid: number; name: string }>;
}

export interface CleanReport {
  killed: Array<{ pid: number; runId: string; name: string }>;
  /** Containers removed (labelled with a run's id; see docker/container-runtime.ts). */
  containers: RemovedContainer[];
  runsClosed: string[];
}

const runsDir = () => cacheDir('runs');

export function processMarkers(runId: string): string[] {
  return [`-Dfaultline.run=${runId}`, `-Dfaultline.owner=${process.pid}`];
}

export class ProcessRegistry {
  private constructor(
    private readonly record: RunRecord,
    private readonly file: string,
  ) {}

  static open(runId: string, resultDir: string): ProcessRegistry {
    mkdirSync(runsDir(), { recursive: true });
    const record: RunRecord = {
      runId,
      harnessPid: process.pid,
      startedAt: new Date().toISOString(),
      resultDir,
      cleanupDirs: [],
      processes: [],
    };
    const registry = new ProcessRegistry(record, join(runsDir(), `${runId}.json`));
    registry.save();
    startWatchdog(runId);
    return registry;
  }

  get runId(): string {
    return this.record.runId;
  }

  addProcess(pid: number, name: string): void {
    this.record.processes.push({ pid, name });
    this.save();
  }

  removeProcess(pid: number): void {
    this.record.processes = this.record.processes.filter((p) => p.pid !== pid);
    this.save();
  }

  addCleanupDir(dir: string): void {
    this.record.cleanupDirs.push(dir);
    this.save();
  }

  /** Last resort (second Ctrl-C, fatal error): SIGKILL everything still recorded, synchronously. */
  killAllSync(): void {
    for (const { pid } of this.record.processes) killIfOurs(pid, this.record.runId);
    removeRunContainers(this.record.runId);
  }

  close(): void {
    for (const dir of this.record.cleanupDirs) rmSync(dir, { recursive: true, force: true });
    rmSync(this.file, { force: true });
  }

  private save(): void {
    writeFileSync(this.file, JSON.stringify(this.record, null, 2));
  }
}

function startWatchdog(runId: string): void {
  if (process.env.FAULTLINE_NO_WATCHDOG === '1') return;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'orphan-watchdog.js');
  if (!existsSync(script)) return;
  const child = spawn(process.execPath, [script, runId, String(process.pid)], { detached: true, stdio: 'ignore' });
  child.unref();
}

/** Stops what runs whose harness is gone left behind (with `all`, every faultline run's processes). */
export function cleanOrphans(options: { all?: boolean } = {}): CleanReport {
  const report: CleanReport = { killed: [], containers: [], runsClosed: [] };
  const records = existsSync(runsDir()) ? readdirSync(runsDir()).filter((f) => f.endsWith('.json')) : [];
  for (const file of records) {
    const record = readRecord(join(runsDir(), file));
    if (!record) continue;
    if (!options.all && record.harnessPid !== process.pid && isAlive(record.harnessPid)) continue;
    closeRun(record, report);
  }
  for (const orphan of markedProcesses()) {
    if (!options.all && isAlive(orphan.owner)) continue;
    if (killIfOurs(orphan.pid, orphan.runId))
      report.killed.push({ pid: orphan.pid, runId: orphan.runId, name: 'unrecorded' });
  }
  report.containers.push(...removeOrphanedContainers(isAlive, options.all ?? false));
  return report;
}

/** Closes one run whose harness is gone: used by the watchdog and by `faultline clean`. */
export function closeOrphanedRun(runId: string): CleanReport {
  const report: CleanReport = { killed: [], containers: [], runsClosed: [] };
  const record = readRecord(join(runsDir(), `${runId}.json`));
  if (record) closeRun(record, report);
  else report.containers.push(...removeRunContainers(runId));
  for (const orphan of markedProcesses()) {
    if (orphan.runId === runId && killIfOurs(orphan.pid, runId))
      report.killed.push({ pid: orphan.pid, runId, name: 'unrecorded' });
  }
  return report;
}

export function runRecordExists(runId: string): boolean {
  return existsSync(join(runsDir(), `${runId}.json`));
}

function closeRun(record: RunRecord, report: CleanReport): void {
  for (const { pid, name } of record.processes) {
    if (killIfOurs(pid, record.runId)) report.killed.push({ pid, runId: record.runId, name });
  }
  report.containers.push(...removeRunContainers(record.runId));
  for (const dir of record.cleanupDirs) rmSync(dir, { recursive: true, force: true });
  markResultsInterrupted(record);
  try {
    unlinkSync(join(runsDir(), `${record.runId}.json`));
  } catch {
    /* already gone */
  }
  report.runsClosed.push(record.runId);
}

/** A crashed run's checkpointed result.json files say "running"; they become "interrupted", kept as partial results. */
function markResultsInterrupted(record: RunRecord): void {
  for (const file of findResultFiles(record.resultDir)) {
    try {
      const result = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (result.status !== 'running') continue;
      result.status = 'interrupted';
      result.partial = true;
      result.statusReason = 'the harness process died; closed by faultline clean';
      writeFileSync(file, JSON.stringify(result, null, 2));
    } catch {
      /* unreadable: leave it */
    }
  }
}

function findResultFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === 'result.json') out.push(join(dir, entry.name));
    if (entry.isDirectory()) {
      const nested = join(dir, entry.name, 'result.json');
      if (existsSync(nested)) out.push(nested);
    }
  }
  return out;
}

function readRecord(file: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

interface MarkedProcess {
  pid: number;
  runId: string;
  owner: number;
}

function markedProcesses(): MarkedProcess[] {
  let listing: string;
  try {
    listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return [];
  }
  const found: MarkedProcess[] = [];
  for (const line of listing.split('\n')) {
    const run = /(?:-D|\s)faultline\.run=(\S+)/.exec(line);
    const owner = /(?:-D|\s)faultline\.owner=(\d+)/.exec(line);
    const pid = Number(line.trim().split(/\s+/, 1)[0]);
    if (run && owner && pid > 0 && pid !== process.pid) found.push({ pid, runId: run[1]!, owner: Number(owner[1]) });
  }
  return found;
}

/** SIGKILLs pid only if its command line still carries this run's marker (pids get reused). */
function killIfOurs(pid: number, runId: string): boolean {
  if (!isAlive(pid) || !commandLine(pid).includes(`faultline.run=${runId}`)) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }
}
