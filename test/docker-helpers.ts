/**
 * For tests on containers: a container runtime (started with scripts/containers.sh when none answers and this is
 * root) and the images, built once and shared (cached by content). Where no runtime can be started, the reason is
 * returned: the test is skipped with it printed.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { daemonVersion } from '../src/cluster/docker/docker-cli.js';
import { buildImages, wantedImages } from '../src/cluster/docker/images-command.js';

const repoRoot = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

let ready: Promise<string | undefined> | undefined;

/** undefined when containers can run here (and the default images exist); else why not. */
export function containersUnavailable(): Promise<string | undefined> {
  ready ??= (async () => {
    let answer = await daemonVersion();
    if ('reason' in answer && process.getuid?.() === 0) {
      try {
        execFileSync('bash', [resolve(repoRoot, 'scripts', 'containers.sh')], { stdio: 'inherit', timeout: 600_000 });
      } catch {
        /* reported below */
      }
      answer = await daemonVersion();
    }
    if ('reason' in answer) return `no container runtime could be started: ${answer.reason}`;
    await buildImages(wantedImages([]), { info: (line) => process.stderr.write(`# ${line}\n`), detail: () => {} });
    return undefined;
  })();
  return ready;
}

/** Containers (running or not) carrying a run's label. */
export function runContainers(runId: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=faultline.run=${runId}`], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.length > 0);
}

export function inspectContainer(id: string): Record<string, any> {
  return JSON.parse(
    execFileSync('docker', ['inspect', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  )[0];
}

/** Containers (running or not) a harness process started (label faultline.owner). */
export function ownedContainers(harnessPid: number): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=faultline.owner=${harnessPid}`], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.length > 0);
}
