/**
 * What the kernel says a process has used so far, read from /proc: CPU time (/proc/PID/stat utime + stime, in
 * clock ticks), resident memory (/proc/PID/status VmRSS) and bytes it caused to be read from and written to the
 * storage layer (/proc/PID/io read_bytes, write_bytes). Parsers are pure (fixtures test them); `readProc` reads
 * the three files of one process at once.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Cumulative use of one process since it started. Disk counters are null when /proc/PID/io cannot be read. */
export interface ProcessReading {
  cpuSeconds: number;
  rssBytes: number;
  readBytes: number | null;
  writeBytes: number | null;
}

/** utime + stime of /proc/PID/stat, in clock ticks. The command name (field 2) may hold spaces and parentheses. */
export function parseStatTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/PID/stat line: "${stat.slice(0, 80)}"`);
  // After "(comm) ": field 3 (state) is index 0, so utime (field 14) is index 11 and stime (field 15) index 12.
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime))
    throw new Error(`no utime/stime in /proc/PID/stat: "${stat.slice(0, 80)}"`);
  return utime + stime;
}

/** VmRSS of /proc/PID/status, in bytes (the kernel writes kB: 1024 bytes). 0 for a zombie, which has no VmRSS. */
export function parseStatusRss(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** read_bytes and write_bytes of /proc/PID/io: what went to (or would have gone to) the storage layer. */
export function parseIo(io: string): { readBytes: number; writeBytes: number } {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(io);
    if (!match) throw new Error(`no ${name} in /proc/PID/io`);
    return Number(match[1]);
  };
  return { readBytes: field('read_bytes'), writeBytes: field('write_bytes') };
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (getconf CLK_TCK), asked once. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (!Number.isInteger(value) || value <= 0) throw new Error(`getconf CLK_TCK said "${value}"`);
    ticksPerSecond = value;
  }
  return ticksPerSecond;
}

/** One process's use so far, or undefined when it no longer exists (or /proc is not there). */
export function readProc(pid: number, ticks = clockTicksPerSecond()): ProcessReading | undefined {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return { cpuSeconds: parseStatTicks(stat) / ticks, rssBytes: parseStatusRss(status), ...readIo(pid) };
}

/** The harness itself: Node's own counters (every thread, workers included), its disk from /proc/self/io. */
export function readHarness(): ProcessReading {
  const cpu = process.cpuUsage();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage.rss(), ...readIo('self') };
}

function readIo(pid: number | 'self'): { readBytes: number | null; writeBytes: number | null } {
  try {
    return parseIo(readFileSync(`/proc/${pid}/io`, 'utf8'));
  } catch {
    return { readBytes: null, writeBytes: null };
  }
}
