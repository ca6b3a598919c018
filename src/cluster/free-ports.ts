/**
 * TCP ports on 127.0.0.1 for brokers, proxies and Toxiproxy, chosen so they cannot collide:
 *   - never from the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), from which every
 *     outgoing connection takes its local port and every listen(0) its port — a port chosen there and bound
 *     seconds later (a broker starts slowly) can meanwhile be taken by the run's own connections or proxies;
 *   - never shared between faultline processes running at the same time: each process reserves a block of
 *     ports with a lock file (owner pid inside; a dead owner's block is taken over) and hands its ports out in
 *     turn, so a port is not handed out again until the process has used its whole block;
 *   - each port is checked free to bind right now (other software may listen in the block), all held open
 *     until every one is chosen.
 */
import {
  accessSync,
  chmodSync,
  constants,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfrastructureError } from '../errors.js';
import { isAlive } from './pid.js';

export const PORT_BLOCK_SIZE = 200;
/** Blocks one process may hold before it goes round its blocks again. */
const MAX_BLOCKS_PER_PROCESS = 4;
const LOWEST_PORT = 10_000;

export interface PortRange {
  first: number;
  last: number;
}

/** The kernel's ephemeral port range (Linux), else the IANA range other systems use. */
export function ephemeralPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): PortRange {
  try {
    const [first, last] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (first && last && first <= last) return { first, last };
  } catch {
    /* not Linux */
  }
  return { first: 49_152, last: 65_535 };
}

/** The start of every whole block of ports at or above 10000 and outside the ephemeral range. */
export function portBlocks(ephemeral: PortRange, blockSize = PORT_BLOCK_SIZE): number[] {
  const starts: number[] = [];
  for (const range of [
    { first: LOWEST_PORT, last: ephemeral.first - 1 },
    { first: Math.max(LOWEST_PORT, ephemeral.last + 1), last: 65_535 },
  ]) {
    for (let start = range.first; start + blockSize - 1 <= range.last; start += blockSize) starts.push(start);
  }
  return starts;
}

/** Where port blocks are reserved: shared by every faultline process on the machine. */
export function portLockDir(): string {
  return process.env.FAULTLINE_PORT_LOCKS || join(tmpdir(), 'faultline-ports');
}

/** Reserves a free block with a lock file; undefined when every block is held by a live process. */
export function reserveBlock(dir: string, starts: number[], owner = process.pid): number | undefined {
  mkdirSync(dir, { recursive: true });
  // Start at a spot that depends on the pid, so processes starting together rarely try the same block first.
  const offset = owner % Math.max(1, starts.length);
  for (let i = 0; i < starts.length; i++) {
    const start = starts[(offset + i) % starts.length]!;
    const file = join(dir, `block-${start}.lock`);
    if (tryCreate(file, owner)) return start;
    const holder = Number(readFileSafe(file));
    if (holder > 0 && holder !== owner && isAlive(holder)) continue;
    if (holder === owner) continue;
    // A dead owner (or a file being written this instant: holder 0): take the block over only if dead.
    if (holder > 0) {
      try {
        unlinkSync(file);
      } catch {
        /* another process took it over first */
      }
      if (tryCreate(file, owner)) return start;
    }
  }
  return undefined;
}

function tryCreate(file: string, owner: number): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(owner));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The blocks this process holds and the next port it will offer. */
class PortPool {
  private readonly blocks: number[] = [];
  private cursor = 0;
  private released = false;

  constructor(
    private readonly dir: string,
    private readonly starts: number[],
  ) {}

  /** Ports in turn from the held blocks, reserving another block when the held ones are used up. */
  next(): number {
    if (this.cursor >= this.blocks.length * PORT_BLOCK_SIZE) {
      const start = this.blocks.length < MAX_BLOCKS_PER_PROCESS ? reserveBlock(this.dir, this.starts) : undefined;
      if (start !== undefined) {
        if (this.blocks.length === 0) process.once('exit', () => this.release());
        this.blocks.push(start);
      } else if (this.blocks.length === 0) {
        throw new InfrastructureError(
          `no free block of ${PORT_BLOCK_SIZE} ports to reserve in ${this.dir}: every block is held by a running faultline process`,
        );
      } else {
        this.cursor = 0;
      }
    }
    const port = this.blocks[Math.floor(this.cursor / PORT_BLOCK_SIZE)]! + (this.cursor % PORT_BLOCK_SIZE);
    this.cursor++;
    return port;
  }

  get capacity(): number {
    return MAX_BLOCKS_PER_PROCESS * PORT_BLOCK_SIZE;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const start of this.blocks) {
      const file = join(this.dir, `block-${start}.lock`);
      if (Number(readFileSafe(file)) === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      }
    }
  }
}

let pool: PortPool | undefined;

/** The shared lock directory, or this user's own when the shared one is not writable. */
function writableLockDir(): string {
  const shared = portLockDir();
  try {
    if (!existsSync(shared)) {
      mkdirSync(shared, { recursive: true });
      // Ports are the machine's, not one user's: every user's runs reserve here (world-writable, sticky, like /tmp).
      chmodSync(shared, 0o1777);
    }
    accessSync(shared, constants.W_OK);
    return shared;
  } catch {
    return `${shared}-${process.getuid?.() ?? 'user'}`;
  }
}

/** `count` ports free on 127.0.0.1 right now, outside the ephemeral range, not handed to any other faultline process. */
export async function freePorts(count: number): Promise<number[]> {
  pool ??= new PortPool(writableLockDir(), portBlocks(ephemeralPortRange()));
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let tried = 0; ports.length < count; tried++) {
      if (tried >= pool.capacity)
        throw new InfrastructureError(`could not find ${count} free ports in this process's reserved port blocks`);
      const port = pool.next();
      const server = await listenOn(port);
      if (!server) continue;
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** A server listening on `port`, or undefined when the port is taken. */
function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}
