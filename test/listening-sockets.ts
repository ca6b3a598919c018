/**
 * The listening sockets of a run, for the loopback-only checks: the CLI runs as a child; while it runs, its
 * processes' listening TCP and UDP sockets (the CLI, its descendants and every process carrying its owner marker;
 * /proc/net/tcp{,6} and udp{,6} joined with /proc/<pid>/fd) are sampled again and again until the run exits.
 * Moved out of test/integration/loopback-only.test.ts, so that a test file whose run another check needs too
 * can watch it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { collect, startCli, tempDir, writeScenario } from './helpers.js';

export interface ListeningSocket {
  pid: number;
  /** What the process is, shortly (its main class, or its program). */
  what: string;
  /** Its command line, NUL-separated, as read while it ran. */
  cmdline: string;
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
}

/** /proc/net/tcp{,6} addresses: IPv4 as one little-endian word, IPv6 as four. */
function decodeAddress(hex: string): string {
  const word = (w: string) => w.toLowerCase().match(/../g)!.reverse().join('');
  if (hex.length === 8)
    return word(hex)
      .match(/../g)!
      .map((b) => parseInt(b, 16))
      .join('.');
  const bytes = Array.from({ length: 4 }, (_, i) => word(hex.slice(8 * i, 8 * i + 8))).join('');
  if (bytes.startsWith('00000000000000000000ffff')) return `::ffff:${decodeAddress(word(bytes.slice(24)))}`;
  const groups = bytes.match(/..../g)!.map((g) => parseInt(g, 16).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/**
 * Socket inode → listening address, for every socket on the machine that accepts traffic from whoever sends it:
 * TCP in LISTEN state, and UDP bound but not connected.
 */
function listeningByInode(): Map<string, { protocol: 'tcp' | 'udp'; address: string; port: number }> {
  const found = new Map<string, { protocol: 'tcp' | 'udp'; address: string; port: number }>();
  const files = [
    { file: '/proc/net/tcp', protocol: 'tcp', state: '0A' },
    { file: '/proc/net/tcp6', protocol: 'tcp', state: '0A' },
    { file: '/proc/net/udp', protocol: 'udp', state: '07' },
    { file: '/proc/net/udp6', protocol: 'udp', state: '07' },
  ] as const;
  for (const { file, protocol, state } of files) {
    for (const line of read(file).split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== state) continue;
      const [address, port] = fields[1]!.split(':') as [string, string];
      found.set(fields[9]!, { protocol, address: decodeAddress(address), port: parseInt(port, 16) });
    }
  }
  return found;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The CLI, every process under it, and every process that carries its owner marker. */
function runProcesses(cliPid: number): number[] {
  const parents = new Map<number, number>();
  const marked: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = read(`/proc/${pid}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(pid, ppid);
    const args = read(`/proc/${pid}/cmdline`).split('\0');
    if (args.includes(`faultline.owner=${cliPid}`) || args.includes(`-Dfaultline.owner=${cliPid}`)) marked.push(pid);
  }
  const ours = new Set([cliPid, ...marked]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!ours.has(pid) && ours.has(ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  return [...ours];
}

function describe(cmdline: string): string {
  const args = cmdline.split('\0').filter(Boolean);
  const classpath = args.indexOf('-cp');
  if (args[0]?.endsWith('java') && classpath > 0) return args[classpath + 2] ?? 'java'; // the main class
  return args[0]?.split('/').pop() ?? '?';
}

function listeningSocketsOf(pids: number[]): ListeningSocket[] {
  const listening = listeningByInode();
  const sockets: ListeningSocket[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone meanwhile
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const socket = inode ? listening.get(inode) : undefined;
      if (!socket) continue;
      const cmdline = read(`/proc/${pid}/cmdline`);
      sockets.push({ pid, what: describe(cmdline), cmdline, ...socket });
    }
  }
  return sockets;
}

const LOOPBACK = new Set(['127.0.0.1', '::ffff:127.0.0.1', '::1']);

export interface Watched {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every listening socket seen, once each. */
  sockets: ListeningSocket[];
  /** Every process of the run seen while sampling: pid → what it is (as last seen). */
  processes: Map<number, string>;
  /** Samples taken while the load ran. */
  samplesUnderLoad: number;
}

/** Runs the CLI on `yaml` and lists its processes' listening sockets from start to exit. */
export async function runWatchingSockets(yaml: string, timeoutMs: number, out = tempDir()): Promise<Watched> {
  const child = startCli(['run', writeScenario(yaml), '--out', out]);
  const seen = new Map<string, ListeningSocket>();
  const processes = new Map<number, string>();
  let loadStarted = false;
  let samplesUnderLoad = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const pids = runProcesses(child.pid!);
      for (const pid of pids) {
        const cmdline = read(`/proc/${pid}/cmdline`);
        if (cmdline) processes.set(pid, describe(cmdline)); // a zombie's is empty
      }
      for (const socket of listeningSocketsOf(pids))
        seen.set(`${socket.pid} ${socket.protocol} ${socket.address} ${socket.port}`, socket);
      if (loadStarted && sampling) samplesUnderLoad++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const run = await collect(child, timeoutMs, (stderr) => {
    if (/load started/.test(stderr)) loadStarted = true;
  });
  sampling = false;
  await sampler;
  return {
    code: run.code,
    stdout: run.stdout,
    stderr: run.stderr,
    sockets: [...seen.values()],
    processes,
    samplesUnderLoad,
  };
}

export function assertLoopbackOnly(watched: Watched): void {
  const listing = watched.sockets
    .map((s) => `${s.what} (pid ${s.pid}) ${s.protocol} ${s.address}:${s.port}`)
    .join('\n  ');
  console.log(`listening sockets of the run:\n  ${listing}`);
  assert.equal(watched.code, 0, watched.stderr);
  assert.ok(watched.samplesUnderLoad >= 3, `sockets listed while the load ran (${watched.samplesUnderLoad} samples)`);
  const wide = watched.sockets
    .filter((s) => !LOOPBACK.has(s.address))
    .map((s) => `${s.what} (pid ${s.pid}) ${s.protocol} ${s.address}:${s.port}`);
  assert.deepEqual(wide, [], 'every listening socket is bound to loopback');
}
