/**
 * provider: docker — the same Kafka and Pulsar layouts as the local provider (ports, listeners, config files,
 * data directories), on the container runtime. Each cluster gets a runtime of its own that gives its brokers the
 * cluster's `image` and `resources` caps; Kafka's storage tool runs in the same image uncapped, and MirrorMaker 2
 * (on the target cluster's provider runtime) in the default Kafka image.
 */
import type { ClusterSpec } from '../../scenario/schema.js';
import { kafkaProvider } from '../kafka/local-kafka.js';
import type { ClusterProvider } from '../provider.js';
import { pulsarProvider } from '../pulsar/local-pulsar.js';
import type { LaunchSpec, Runtime } from '../runtime.js';
import { resourceCaps } from './container-fields.js';
import { containerRuntime } from './container-runtime.js';

export function clusterContainerRuntime(cluster: Pick<ClusterSpec, 'image' | 'resources'>): Runtime {
  const image = cluster.image ? { image: cluster.image } : {};
  const caps = resourceCaps(cluster);
  const broker = (spec: LaunchSpec): LaunchSpec => ({ ...spec, ...image, ...(caps ? { resources: caps } : {}) });
  return {
    name: 'container',
    requireReady: () => containerRuntime.requireReady(),
    launch: (spec, registry) => containerRuntime.launch(broker(spec), registry),
    runTool: (spec, registry) => containerRuntime.runTool({ ...spec, ...image }, registry),
  };
}

function dockerProvider(make: typeof kafkaProvider): ClusterProvider {
  const shared = make({ name: 'docker', runtime: containerRuntime });
  return {
    ...shared,
    start: (spec, context) => make({ name: 'docker', runtime: clusterContainerRuntime(spec) }).start(spec, context),
  };
}

export const dockerKafkaProvider = dockerProvider(kafkaProvider);
export const dockerPulsarProvider = dockerProvider(pulsarProvider);
