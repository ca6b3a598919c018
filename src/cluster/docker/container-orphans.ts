/**
 * Containers a crashed run left behind, found by their labels (faultline.run, faultline.owner; see
 * container-runtime.ts) and removed with `docker rm -f`. Synchronous, for the watchdog, `faultline clean` and the
 * harness's last-resort exit. Where no docker command or daemon answers, there is nothing to remove.
 */
import { execFileSync } from 'node:child_process';

export interface RemovedContainer {
  id: string;
  runId: string;
  name: string;
}

const TIMEOUT_MS = 30_000;

function labelled(filter: string): Array<RemovedContainer & { owner: number }> {
  let listing: string;
  try {
    listing = execFileSync(
      'docker',
      [
        'ps',
        '--all',
        '--filter',
        `label=${filter}`,
        '--format',
        '{{.ID}}\t{{.Label "faultline.run"}}\t{{.Label "faultline.owner"}}\t{{.Label "faultline.name"}}',
      ],
      { encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] },
    );
  } catch {
    return [];
  }
  return listing
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [id = '', runId = '', owner = '', name = ''] = line.split('\t');
      return { id, runId, owner: Number(owner), name };
    });
}

function remove(containers: RemovedContainer[]): RemovedContainer[] {
  if (containers.length === 0) return [];
  try {
    execFileSync('docker', ['rm', '--force', ...containers.map((c) => c.id)], {
      timeout: TIMEOUT_MS,
      stdio: 'ignore',
    });
    return containers;
  } catch {
    // Some may be gone already: remove one by one, report those removed.
    return containers.filter((c) => {
      try {
        execFileSync('docker', ['rm', '--force', c.id], { timeout: TIMEOUT_MS, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
  }
}

/** Removes every container of one run. */
export function removeRunContainers(runId: string): RemovedContainer[] {
  return remove(labelled(`faultline.run=${runId}`).map(({ id, name }) => ({ id, runId, name })));
}

/** Removes the containers of runs whose harness is gone (`all`: of every run). */
export function removeOrphanedContainers(harnessAlive: (pid: number) => boolean, all = false): RemovedContainer[] {
  return remove(
    labelled('faultline.run')
      .filter((c) => all || !(c.owner > 0 && harnessAlive(c.owner)))
      .map(({ id, runId, name }) => ({ id, runId, name })),
  );
}
