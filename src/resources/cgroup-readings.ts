/**
 * What a container has used so far (provider docker). CPU from its cgroup: cpuacct.usage (cgroup v1, ns) or
 * cpu.stat usage_usec (v2) — every thread of every process in the container, exactly as the kernel accounts it (what
 * `docker stats` reads too). RSS and disk bytes from /proc of the container's process (the JVM is its entrypoint and
 * only process), as for a local broker, so both providers' figures mean the same: the cgroup's memory.stat charges a
 * shared file page (the image's libjvm.so, mapped by every container of the image) to the first cgroup that read
 * it, and the v1 blkio counters miss buffered writes (the kernel's flusher does them; they read 0 here even for
 * direct writes).
 *
 * The cgroup is found from the container's process (its host pid, which the runtime knows): /proc/PID/cgroup
 * names its path in each hierarchy, /proc/self/mountinfo where each hierarchy is mounted (the cgroupfs and the
 * systemd drivers alike). Parsers are pure (fixtures test them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcessReading, readProc } from './proc-readings.js';

/** A hierarchy a process belongs to: v1 controllers ("cpu,cpuacct"), or "" for the v2 (unified) one. */
export interface CgroupMembership {
  controllers: string[];
  path: string;
}

/** The lines of /proc/PID/cgroup: "ID:CONTROLLERS:PATH". */
export function parseProcCgroup(text: string): CgroupMembership[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const first = line.indexOf(':');
      const second = line.indexOf(':', first + 1);
      if (first < 0 || second < 0) throw new Error(`not a /proc/PID/cgroup line: "${line}"`);
      const controllers = line.slice(first + 1, second);
      return { controllers: controllers === '' ? [] : controllers.split(','), path: line.slice(second + 1) };
    });
}

/** A mounted cgroup hierarchy: where (mount point), which part of it (root), v1 with its controllers or v2. */
export interface CgroupMount {
  version: 1 | 2;
  controllers: string[];
  root: string;
  mountPoint: string;
}

/** The cgroup mounts of /proc/self/mountinfo ("ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE SRC SUPEROPTS"). */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions = ''] = right.split(' ');
    const root = unescapeMountPath(fields[3] ?? '/');
    const mountPoint = unescapeMountPath(fields[4] ?? '');
    if (fsType === 'cgroup2') mounts.push({ version: 2, controllers: [], root, mountPoint });
    else if (fsType === 'cgroup')
      mounts.push({
        version: 1,
        controllers: superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro' && !o.includes('=')),
        root,
        mountPoint,
      });
  }
  return mounts;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Where a process's CPU account is: the v1 cpuacct directory, or the v2 (unified) one. */
export interface CgroupCpu {
  version: 1 | 2;
  dir: string;
}

/** The process's CPU account: v1 when cpuacct is mounted as a v1 hierarchy, else v2; undefined: neither, or root. */
export function cgroupCpu(memberships: CgroupMembership[], mounts: CgroupMount[]): CgroupCpu | undefined {
  for (const version of [1, 2] as const) {
    const membership = memberships.find((m) =>
      version === 2 ? m.controllers.length === 0 : m.controllers.includes('cpuacct'),
    );
    const mount = mounts.find((m) => m.version === version && (version === 2 || m.controllers.includes('cpuacct')));
    // The root cgroup is the whole machine, not a container.
    if (!membership || !mount || membership.path === '/') continue;
    // A path outside the mount's root (another cgroup namespace) cannot be reached from here.
    const root = mount.root === '/' ? '' : mount.root;
    if (root && membership.path !== root && !membership.path.startsWith(`${root}/`)) continue;
    return { version, dir: join(mount.mountPoint, membership.path.slice(root.length)) };
  }
  return undefined;
}

/** CPU-seconds so far: cpuacct.usage (v1, ns) or cpu.stat's usage_usec (v2). */
export function parseCpuUsage(version: 1 | 2, text: string): number {
  if (version === 1) {
    const ns = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(ns)) throw new Error(`not a cpuacct.usage: "${text.slice(0, 40)}"`);
    return ns / 1e9;
  }
  const match = /^usage_usec (\d+)$/m.exec(text);
  if (!match) throw new Error('no usage_usec in cpu.stat');
  return Number(match[1]) / 1e6;
}

export function cpuUsageFile(cpu: CgroupCpu): string {
  return join(cpu.dir, cpu.version === 1 ? 'cpuacct.usage' : 'cpu.stat');
}

const cpuByPid = new Map<number, CgroupCpu | null>();
let mounts: CgroupMount[] | undefined;

/** The CPU account of a (container's) process, found once per pid; undefined when it cannot be found. */
export function cgroupOf(pid: number): CgroupCpu | undefined {
  const known = cpuByPid.get(pid);
  if (known !== undefined) return known ?? undefined;
  let cpu: CgroupCpu | undefined;
  try {
    mounts ??= parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
    cpu = cgroupCpu(parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8')), mounts);
  } catch {
    return undefined; // the process is gone
  }
  cpuByPid.set(pid, cpu ?? null);
  return cpu;
}

/** A container's use so far: CPU from the cgroup of its process `pid`, the rest from that process's /proc. */
export function readCgroup(pid: number): ProcessReading | undefined {
  const cpu = cgroupOf(pid);
  if (!cpu) return undefined;
  let cpuSeconds: number;
  try {
    cpuSeconds = parseCpuUsage(cpu.version, readFileSync(cpuUsageFile(cpu), 'utf8'));
  } catch {
    return undefined; // the container is gone
  }
  const proc = readProc(pid);
  return proc && { ...proc, cpuSeconds };
}
