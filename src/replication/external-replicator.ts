/**
 * `replicator: external` — a MirrorMaker 2 that someone else runs (e.g. compose/kafka-mm2.yml's) already copies
 * the topics: faultline starts none and only measures it, as it measures its own (per-message lag from the
 * source's append time, what was never copied, duplicates). Its plan-time checks, and the stand-in the run holds
 * where a replicator of its own would be: no process (faults cannot target it), nothing to stop.
 */
import type { Problem } from '../scenario/problems.js';
import type { ClusterSpec, ReplicationSpec } from '../scenario/schema.js';
import type { RunningReplicator } from './mirror-maker.js';

/** Problems with `replicator: external` on replication[index] (`earlier`: the replications planned before it). */
export function checkReplicator(
  spec: ReplicationSpec,
  from: ClusterSpec,
  to: ClusterSpec,
  earlier: ReadonlyArray<{ index: number; to: ClusterSpec; external?: boolean }>,
  path: Array<string | number>,
  problems: Problem[],
): void {
  const external = spec.replicator === 'external';
  const at = [...path, 'replicator'];
  if (external && from.system !== 'kafka') {
    problems.push({
      path: at,
      message: `Pulsar geo-replication is set up by faultline on the clusters themselves: replicator: external is for a MirrorMaker 2 that already runs (Kafka)`,
    });
    return;
  }
  if (external && spec.exactlyOnce)
    problems.push({
      path: [...path, 'exactlyOnce'],
      message:
        'exactlyOnce configures the MirrorMaker 2 faultline starts; with replicator: external, its own configuration decides: leave exactlyOnce out',
    });
  const other = earlier.find((p) => p.to.name === to.name && (p.external ?? false) !== external);
  if (other && from.system === 'kafka')
    problems.push({
      path: at,
      message: `replication[${other.index}] into "${to.name}" has replicator: ${other.external ? 'external' : 'faultline'}: one MirrorMaker 2 serves each target, so every replication into it must agree`,
    });
}

/** What the run holds for an external MirrorMaker 2: measured from now, nothing to fault, nothing to stop. */
export function externalReplicator(target: string, info: (line: string) => void): RunningReplicator {
  info(`replication into ${target}: an external MirrorMaker 2 copies the topics (replicator: external); measuring it`);
  return { name: `external replicator into ${target}`, startedAtMs: performance.now(), stop: async () => {} };
}
