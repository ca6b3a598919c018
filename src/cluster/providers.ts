/** Which provider runs a cluster of a given system, and which driver talks to it. */
import type { DriverFactory } from '../drivers/driver.js';
import { kafkajsDriver } from '../drivers/kafka/kafkajs-driver.js';
import type { ClusterSpec } from '../scenario/schema.js';
import { externalProvider } from './external.js';
import { localKafkaProvider } from './kafka/local-kafka.js';
import type { ClusterProvider } from './provider.js';

type System = ClusterSpec['system'];
type ProviderName = ClusterSpec['provider'];

const providers: Record<System, Partial<Record<ProviderName, ClusterProvider>>> = {
  kafka: { local: localKafkaProvider, external: externalProvider('kafka') },
  pulsar: {},
};

const drivers: Record<System, DriverFactory[]> = {
  kafka: [kafkajsDriver],
  pulsar: [],
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
