/** Which provider runs a cluster of a given system, and which driver talks to it. */
import type { DriverFactory } from '../drivers/driver.js';
import { kafkajsDriver } from '../drivers/kafka/kafkajs-driver.js';
import { platformaticDriver } from '../drivers/kafka/platformatic-driver.js';
import { pulsarBinaryDriver } from '../drivers/pulsar/binary/binary-driver.js';
import { pulsarNativeDriver } from '../drivers/pulsar/pulsar-native-driver.js';
import { pulsarWebSocketDriver } from '../drivers/pulsar/pulsar-websocket-driver.js';
import type { ClusterSpec } from '../scenario/schema.js';
import { dockerKafkaProvider, dockerPulsarProvider } from './docker/docker-providers.js';
import { externalProvider } from './external.js';
import { localKafkaProvider } from './kafka/local-kafka.js';
import { localPulsarProvider } from './pulsar/local-pulsar.js';
import type { ClusterProvider } from './provider.js';

type System = ClusterSpec['system'];
type ProviderName = ClusterSpec['provider'];

const providers: Record<System, Partial<Record<ProviderName, ClusterProvider>>> = {
  kafka: { local: localKafkaProvider, docker: dockerKafkaProvider, external: externalProvider('kafka') },
  pulsar: { local: localPulsarProvider, docker: dockerPulsarProvider, external: externalProvider('pulsar') },
};

const drivers: Record<System, DriverFactory[]> = {
  // auto: kafkajs (the reference); platformatic when a cluster names it.
  kafka: [kafkajsDriver, platformaticDriver],
  // auto: the native addon when it loads, else the binary protocol in TypeScript; the WebSocket API on request.
  pulsar: [pulsarNativeDriver, pulsarBinaryDriver, pulsarWebSocketDriver],
};

export function findProvider(system: System, provider: ProviderName): ClusterProvider | undefined {
  return providers[system][provider];
}

export function availableProviders(system: System): ProviderName[] {
  return Object.keys(providers[system]) as ProviderName[];
}

export function driversFor(system: System): DriverFactory[] {
  return drivers[system];
}
