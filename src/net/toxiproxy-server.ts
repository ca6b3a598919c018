/**
 * The Toxiproxy server: built once from the Go module proxy (pinned version) into the cache, started per run on
 * a free 127.0.0.1 port, recorded in the run registry like a broker (its command line carries the run marker as
 * a trailing argument the server ignores), and stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../cluster/cache.js';
import { freePorts } from '../cluster/free-ports.js';
import type { ProcessRegistry } from '../cluster/process-registry.js';
import { requireTool } from '../cluster/toolchain.js';
import { InfrastructureError } from '../errors.js';

export const TOXIPROXY_VERSION = 'v2.12.0';
const MODULE = 'github.com/Shopify/toxiproxy/v2/cmd/server';

export async function ensureToxiproxy(log: (line: string) => void): Promise<string> {
  const dir = cacheDir('tools', `toxiproxy-${TOXIPROXY_VERSION}`);
  const binary = join(dir, 'toxiproxy-server');
  if (existsSync(binary)) return binary;
  requireTool('go');
  log(`building Toxiproxy ${TOXIPROXY_VERSION} from the Go module proxy into ${dir} (once)`);
  const staging = `${dir}.building-${process.pid}`;
  await mkdir(staging, { recursive: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('go', ['install', `${MODULE}@${TOXIPROXY_VERSION}`], {
        env: { ...process.env, GOBIN: staging },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.on('error', (error) => reject(new InfrastructureError(`could not run go: ${error.message}`)));
      child.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(
              new InfrastructureError(
                `go install ${MODULE}@${TOXIPROXY_VERSION} failed:\n${errors.trim().split('\n').slice(-10).join('\n')}`,
              ),
            ),
      );
    });
    await mkdir(dir, { recursive: true });
    await rename(join(staging, 'server'), binary);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return binary;
}

export class ToxiproxyServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start(
    registry: ProcessRegistry,
    outputFile: string,
    log: (line: string) => void,
  ): Promise<ToxiproxyServer> {
    const binary = await ensureToxiproxy(log);
    const [port] = (await freePorts(1)) as [number];
    const { openSync, closeSync } = await import('node:fs');
    const out = openSync(outputFile, 'a');
    const child = spawn(
      binary,
      [
        '-host',
        '127.0.0.1',
        '-port',
        String(port),
        `faultline.run=${registry.runId}`,
        `faultline.owner=${process.pid}`,
      ],
      {
        stdio: ['ignore', out, out],
        detached: true,
      },
    );
    closeSync(out);
    if (child.pid === undefined) throw new InfrastructureError('could not start the Toxiproxy server');
    registry.addProcess(child.pid, 'toxiproxy');
    const exited = new Promise<void>((resolve) =>
      child.on('exit', () => {
        registry.removeProcess(child.pid!);
        resolve();
      }),
    );
    const server = new ToxiproxyServer(`http://127.0.0.1:${port}`, child, exited);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${server.url}/version`)).ok) return server;
      } catch {
        /* not listening yet */
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await server.stop();
    throw new InfrastructureError(`the Toxiproxy server did not answer on ${server.url}`);
  }

  /** Its OS process id (undefined once it exited), for resource sampling. */
  get pid(): number | undefined {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
