/** What a containerised cluster ran, for result.json: each broker's image (tag and id), and the caps it had. */
import type { ClusterSpec } from '../../scenario/schema.js';
import type { RunningCluster } from '../provider.js';
import { resourceCaps } from './container-fields.js';

export interface ContainerFacts {
  /** The cgroup caps each broker ran under (provider docker with `resources`). */
  caps?: { cpus?: number; memoryBytes?: number };
  /** Per broker: the image it ran, by tag and by id. */
  containers?: Array<{ broker: number; image: string; imageId: string }>;
}

export function containerFacts(cluster: ClusterSpec, running: RunningCluster | undefined): ContainerFacts {
  const caps = resourceCaps(cluster);
  const containers = (running?.processes ?? []).flatMap(({ id, control }) => {
    const { image, imageId } = control.describe();
    return image && imageId ? [{ broker: id, image, imageId }] : [];
  });
  return { ...(caps ? { caps } : {}), ...(containers.length > 0 ? { containers } : {}) };
}
