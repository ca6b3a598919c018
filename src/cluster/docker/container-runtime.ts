/**
 * The container runtime: a launch spec becomes a container (testcontainers) of the image that holds the spec's
 * jars, on the host network (the ports the layout chose, loopback only, so Toxiproxy sits on every path as for
 * local JVMs), with every directory of `spec.paths` mounted at the same path and the harness's working directory
 * as its own. The run id, the process's name and the harness pid are labels (faultline.run, faultline.name,
 * faultline.owner), so the watchdog and `faultline clean` remove a crashed run's containers; `spec.resources`
 * become cgroup caps (--cpus, --memory). Readiness is the caller's (no wait strategy here).
 *
 * kill is `docker kill`, stop `docker stop -t grace`, pause/resume `docker pause`/`unpause`. A container that has
 * exited is removed once its output is in `spec.outputFile`; `start()` after an exit runs a new container with the
 * same command and mounts (the same configuration and data).
 */
import { appendFileSync, createWriteStream, readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type Dockerode from 'dockerode';
import { InfrastructureError } from '../../errors.js';
import { type ProcessRegistry, processMarkers } from '../process-registry.js';
import type { LaunchSpec, ProcessControl, Runtime } from '../runtime.js';
import { startupFailureReason } from '../startup-failure.js';
import { containerClient } from './container-client.js';
import { requireDaemon } from './docker-cli.js';
import { type Announce, containerClasspath, type ResolvedImage, resolveImage } from './container-image.js';

export const RUN_LABEL = 'faultline.run';
export const NAME_LABEL = 'faultline.name';
export const OWNER_LABEL = 'faultline.owner';

const TAIL_LINES = 50;
/** How long an exited container's output may take to reach its file before the container is removed. */
const LOG_FLUSH_MS = 5_000;

interface ContainerRun {
  container: Dockerode.Container;
  id: string;
  pid: number | undefined;
  state: 'running' | 'paused' | 'exited';
  killedByUs: boolean;
  oomKilled: boolean;
  exited: Promise<number | null>;
}

/** Every directory the process needs, absolute, without those already inside another. */
export function mountPoints(spec: Pick<LaunchSpec, 'paths' | 'logFile'>): string[] {
  const wanted = [...(spec.paths ?? []), ...(spec.logFile ? [dirname(spec.logFile)] : [])].map((p) => resolve(p));
  const sorted = [...new Set(wanted)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const path of sorted) if (!kept.some((k) => path === k || path.startsWith(`${k}${sep}`))) kept.push(path);
  return kept;
}

/** `docker run`'s command after the `java` entrypoint: JVM flags, the run markers, classpath, main class, args. */
export function javaCommand(spec: LaunchSpec, classpath: string, runId: string): string[] {
  return [...spec.jvmArgs, ...processMarkers(runId), '-cp', classpath, spec.mainClass, ...spec.args];
}

class ContainerControl implements ProcessControl {
  private run: ContainerRun | undefined;
  private starts = 0;

  constructor(
    private readonly spec: LaunchSpec,
    private readonly image: ResolvedImage,
    private readonly command: string[],
    private readonly registry: ProcessRegistry,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.run !== undefined && this.run.state !== 'exited';
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.starts > 0)
      appendFileSync(this.spec.outputFile, `\n--- faultline: starting ${this.spec.name} again ---\n`);
    this.starts++;
    this.run = await this.create();
  }

  async kill(): Promise<void> {
    const run = this.run;
    if (!run || run.state === 'exited') return;
    run.killedByUs = true;
    await ignoreGone(run.container.kill());
    await run.exited;
  }

  async stop(graceMs = 10_000): Promise<void> {
    const run = this.run;
    if (!run || run.state === 'exited') return;
    if (run.state === 'paused') await this.resume();
    run.killedByUs = true;
    await ignoreGone(run.container.stop({ t: Math.max(1, Math.ceil(graceMs / 1000)) }));
    await run.exited;
  }

  async pause(): Promise<void> {
    const run = this.run;
    if (run?.state !== 'running') return;
    await run.container.pause();
    run.state = 'paused';
  }

  async resume(): Promise<void> {
    const run = this.run;
    if (run?.state !== 'paused') return;
    await run.container.unpause();
    run.state = 'running';
  }

  exited(): Promise<number | null> {
    return this.run?.exited ?? Promise.resolve(null);
  }

  logTail(lines = TAIL_LINES): string[] {
    return readLines(this.spec.logFile ?? this.spec.outputFile)
      .filter((line) => line.length > 0)
      .slice(-lines);
  }

  failureReason(): string {
    const memory = this.spec.resources?.memoryBytes;
    const oom = this.run?.oomKilled
      ? `killed by the kernel: out of memory in its container${memory ? ` (memory cap ${Math.round(memory / 2 ** 20)} MiB)` : ''}; `
      : '';
    const reason = startupFailureReason(readLines(this.spec.logFile), readLines(this.spec.outputFile).slice(-200));
    return `${oom}${reason} (container ${this.run?.id.slice(0, 12) ?? 'never created'} of ${this.image.ref}; log: ${this.spec.logFile ?? this.spec.outputFile})`;
  }

  describe() {
    return {
      ...(this.run && this.run.state !== 'exited'
        ? { containerId: this.run.id, ...(this.run.pid ? { pid: this.run.pid } : {}) }
        : {}),
      image: this.image.ref,
      imageId: this.image.id,
      imageChoice: this.image.choice,
    };
  }

  private async create(): Promise<ContainerRun> {
    const { tc, client } = await containerClient();
    const { spec } = this;
    let createdId: string | undefined;
    class Tracked extends tc.GenericContainer {
      protected override async containerCreated(id: string): Promise<void> {
        createdId = id;
      }
    }
    let logsDone: () => void = () => {};
    const logsFlushed = new Promise<void>((done) => (logsDone = done));
    let container = withoutHubPrefix(() => new Tracked(this.image.ref))
      .withNetworkMode('host')
      .withEntrypoint([this.image.java])
      .withCommand(this.command)
      .withWorkingDir(process.cwd())
      .withLabels({
        [RUN_LABEL]: this.registry.runId,
        [NAME_LABEL]: spec.name,
        [OWNER_LABEL]: String(process.pid),
      })
      .withBindMounts(mountPoints(spec).map((path) => ({ source: path, target: path, mode: 'rw' as const })))
      .withWaitStrategy(callerWaits)
      .withLogConsumer((stream) => {
        const out = createWriteStream(spec.outputFile, { flags: 'a' });
        stream.pipe(out);
        out.on('close', logsDone);
        out.on('error', logsDone);
      });
    // The host's user, whatever the image's USER (the official images run as their own non-root user): the mounted
    // directories are the host user's.
    const uid = process.getuid?.();
    if (uid !== undefined) container = container.withUser(`${uid}:${process.getgid?.() ?? uid}`);
    if (uid !== undefined && uid !== 0) container = container.withEnvironment({ HOME: '/tmp' });
    const { cpus, memoryBytes } = spec.resources ?? {};
    if (cpus !== undefined || memoryBytes !== undefined)
      container = container.withResourcesQuota({
        ...(cpus !== undefined ? { cpu: cpus } : {}),
        ...(memoryBytes !== undefined ? { memory: memoryBytes / 1024 ** 3 } : {}),
      });
    let started: Awaited<ReturnType<typeof container.start>>;
    try {
      started = await container.start();
    } catch (error) {
      if (createdId) await ignoreGone(client.container.getById(createdId).remove({ force: true }));
      throw new InfrastructureError(
        `could not start the container of ${spec.name} (${this.image.ref}): ${(error as Error).message.split('\n')[0]}`,
      );
    }
    const handle = client.container.getById(started.getId());
    const pid = await handle
      .inspect()
      .then((info) => info.State.Pid || undefined)
      .catch(() => undefined);
    if (pid) this.registry.addProcess(pid, spec.name);
    const run: ContainerRun = {
      container: handle,
      id: started.getId(),
      pid,
      state: 'running',
      killedByUs: false,
      oomKilled: false,
      exited: Promise.resolve(null),
    };
    run.exited = this.watchExit(run, logsFlushed);
    return run;
  }

  /** Resolves with the exit code once the container has exited, its output is in the file and it is removed. */
  private async watchExit(run: ContainerRun, logsFlushed: Promise<void>): Promise<number | null> {
    let code: number | null = null;
    try {
      code = ((await run.container.wait()) as { StatusCode: number }).StatusCode;
    } catch {
      code = null;
    }
    run.state = 'exited';
    run.oomKilled = await run.container
      .inspect()
      .then((info) => info.State.OOMKilled === true)
      .catch(() => false);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([logsFlushed, new Promise<void>((done) => (timer = setTimeout(done, LOG_FLUSH_MS)))]);
    clearTimeout(timer);
    if (run.pid) this.registry.removeProcess(run.pid);
    await ignoreGone(run.container.remove({ force: true }));
    // As for a JVM: SIGKILL (docker kill, a stop past its grace) is "killed by a signal", not an exit code.
    return run.killedByUs && code === 137 ? null : code;
  }
}

/**
 * testcontainers puts TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX before every image name without a registry when a
 * container is constructed; faultline has already applied it to the official names (image-choice.ts), and a local
 * build (`faultline/kafka:…`) must not get it: the container runs exactly the image that was resolved.
 */
function withoutHubPrefix<T>(make: () => T): T {
  const prefix = process.env.TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX;
  delete process.env.TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX;
  try {
    return make();
  } finally {
    if (prefix !== undefined) process.env.TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX = prefix;
  }
}

/** testcontainers' wait strategy that returns at once: the caller waits on the broker's own readiness. */
const callerWaits = {
  waitUntilReady: async () => {},
  withStartupTimeout() {
    return this;
  },
  isStartupTimeoutSet: () => false,
  getStartupTimeout: () => 0,
};

/** A container that is already gone (or not running) needs no stopping. */
async function ignoreGone(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 304 || status === 404 || status === 409) return;
    throw error;
  }
}

function readLines(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

export const containerRuntime: Runtime & { requireReady(): Promise<void> } = {
  name: 'container',
  async requireReady() {
    // The docker CLI first: it asks exactly the daemon DOCKER_HOST names (testcontainers would fall back to the
    // default socket), and faultline needs it anyway (images, clean-up by label).
    await requireDaemon();
    await containerClient();
  },
  launch: (spec, registry) => launchContainer(spec, registry),
  runTool: (spec, registry) => runContainerTool(spec, registry),
};

/** A container for `spec`; `announce`: where the line about the image chosen goes (stderr when not given). */
export async function launchContainer(
  spec: LaunchSpec,
  registry: ProcessRegistry,
  announce?: Announce,
): Promise<ProcessControl> {
  const image = await resolveImage(spec, announce);
  const command = javaCommand(spec, containerClasspath(spec.classpath, image.classpathDirs, image.ref), registry.runId);
  const control = new ContainerControl(spec, image, command, registry);
  await control.start();
  return control;
}

export async function runContainerTool(
  spec: LaunchSpec,
  registry: ProcessRegistry,
  announce?: Announce,
): Promise<void> {
  const control = await launchContainer(spec, registry, announce);
  const code = await control.exited();
  if (code !== 0) throw new InfrastructureError(`${spec.name} failed (exit ${code}): ${control.failureReason()}`);
}
