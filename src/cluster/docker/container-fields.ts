/**
 * Plan-time checks of the fields only a container runtime can apply (`image`, `resources`): refused on a provider
 * that cannot apply them, and caps that cannot work (more CPUs than this machine has, less memory than the
 * broker's heap and what a JVM needs beside it) refused with the field they concern.
 */
import { availableParallelism } from 'node:os';
import type { Problem } from '../../scenario/problems.js';
import type { ClusterSpec } from '../../scenario/schema.js';

/** What a broker JVM needs outside its heap (metaspace, code cache, thread stacks, buffers), at least. */
export const NON_HEAP_BYTES = 256 * 2 ** 20;
export const DEFAULT_HEAP_BYTES = 2 ** 30;

/** Providers whose runtime applies per-broker images and cgroup caps. */
const CONTAINER_PROVIDERS: ReadonlyArray<ClusterSpec['provider']> = ['docker'];

export function checkContainerFields(
  cluster: ClusterSpec,
  index: number,
  problems: Problem[],
  machineCpus = availableParallelism(),
): void {
  const at = (...path: string[]) => ['clusters', index, ...path];
  if (!CONTAINER_PROVIDERS.includes(cluster.provider)) {
    for (const field of ['image', 'resources'] as const) {
      if (cluster[field] === undefined) continue;
      problems.push({
        path: at(field),
        message: `${field} applies to provider docker only (this cluster's provider is ${cluster.provider}); use provider: docker, or leave ${field} out`,
      });
    }
    return;
  }
  const { cpus, memory } = cluster.resources ?? {};
  if (cpus !== undefined && cpus > machineCpus) {
    problems.push({
      path: at('resources', 'cpus'),
      message: `${cpus} CPUs is more than this machine has (${machineCpus}): a cap above it caps nothing`,
    });
  }
  const heap = cluster.heap ?? DEFAULT_HEAP_BYTES;
  if (memory !== undefined && memory < heap + NON_HEAP_BYTES) {
    problems.push({
      path: at('resources', 'memory'),
      message: `${mib(memory)} is below what the broker needs: its heap (${mib(heap)}${cluster.heap === undefined ? ', the default' : ''}) plus ${mib(NON_HEAP_BYTES)} outside the heap; raise memory to at least ${mib(heap + NON_HEAP_BYTES)} or lower heap`,
    });
  }
}

function mib(bytes: number): string {
  return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}GiB` : `${Math.round(bytes / 2 ** 20)}MiB`;
}

/** The caps a launch applies, from the cluster's fields. */
export function resourceCaps(
  cluster: Pick<ClusterSpec, 'resources'>,
): { cpus?: number; memoryBytes?: number } | undefined {
  if (!cluster.resources) return undefined;
  const { cpus, memory } = cluster.resources;
  return { ...(cpus !== undefined ? { cpus } : {}), ...(memory !== undefined ? { memoryBytes: memory } : {}) };
}
