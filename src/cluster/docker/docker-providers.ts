/**
 * provider: docker — the same Kafka and Pulsar layouts as the local provider (ports, listeners, config files,
 * data directories), on the container runtime. Each cluster gets a runtime of its own that gives its brokers the
 * cluster's `image` and `resources` caps; Kafka's storage tool runs in the same image uncapped, and MirrorMaker 2
 * (on the target cluster's provider runtime) in the default Kafka image. The line saying which image runs (pulled,
 * present, or the local build and why: container-image.ts) goes to the run's progress.
 */
import type { ClusterSpec } from '../../scenario/schema.js';
import { kafkaProvider } from '../kafka/local-kafka.js';
import type { ClusterProvider } from '../provider.js';
import { pulsarProvider } from '../pulsar/local-pulsar.js';
import type { LaunchSpec, Runtime } from '../runtime.js';
import { resourceCaps } from './container-fields.js';
import type { Announce } from './container-image.js';
import { containerRuntime, launchContainer, runContainerTool } from './container-runtime.js';

export function clusterContainerRuntime(
  cluster: Pick<ClusterSpec, 'image' | 'resources'>,
  announce?: Announce,
): Runtime {
  const image = cluster.image ? { image: cluster.image } : {};
  const caps = resourceCaps(cluster);
  const broker = (spec: LaunchSpec): LaunchSpec => ({ ...spec, ...image, ...(caps ? { resources: caps } : {}) });
  return {
    name: 'container',
    requireReady: () => containerRuntime.requireReady(),
    launch: (spec, registry) => launchContainer(broker(spec), registry, announce),
    runTool: (spec, registry) => runContainerTool({ ...spec, ...image }, registry, announce),
  };
}

function dockerProvider(make: typeof kafkaProvider): ClusterProvider {
  const shared = make({ name: 'docker', runtime: containerRuntime });
  return {
    ...shared,
    start: (spec, context) =>
      make({ name: 'docker', runtime: clusterContainerRuntime(spec, context.info) }).start(spec, context),
  };
}

export const dockerKafkaProvider = dockerProvider(kafkaProvider);
export const dockerPulsarProvider = dockerProvider(pulsarProvider);
