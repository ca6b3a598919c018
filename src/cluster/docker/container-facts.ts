/** What a containerised cluster ran, for result.json: each broker's image (tag and id), and the caps it had. */
import type { ClusterSpec } from '../../scenario/schema.js';
import type { RunningCluster } from '../provider.js';
import { resourceCaps } from './container-fields.js';
import type { ImageSource } from './image-choice.js';

export interface ContainerFacts {
  /** The cgroup caps each broker ran under (provider docker with `resources`). */
  caps?: { cpus?: number; memoryBytes?: number };
  /** Per broker: the image it ran, by tag and by id, and how it was chosen (image-choice.ts). */
  containers?: Array<{
    broker: number;
    image: string;
    imageId: string;
    imageSource?: ImageSource;
    imageSourceReason?: string;
  }>;
}

export function containerFacts(cluster: ClusterSpec, running: RunningCluster | undefined): ContainerFacts {
  const caps = resourceCaps(cluster);
  const containers = (running?.processes ?? []).flatMap(({ id, control }) => {
    const { image, imageId, imageChoice } = control.describe();
    if (!image || !imageId) return [];
    const how = imageChoice
      ? { imageSource: imageChoice.source, ...(imageChoice.reason ? { imageSourceReason: imageChoice.reason } : {}) }
      : {};
    return [{ broker: id, image, imageId, ...how }];
  });
  return { ...(caps ? { caps } : {}), ...(containers.length > 0 ? { containers } : {}) };
}
