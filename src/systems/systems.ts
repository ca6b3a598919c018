/**
 * The registry of broker systems with their runtime parts: what plan, run and CLI ask of a cluster's system.
 * facts.ts lists the same systems for the scenario layer (in the same order). A new system: its folder, one
 * line here and one in facts.ts; a new driver: its factory and its facts in its system's folder.
 */
import type { ClusterProvider } from '../cluster/provider.js';
import type { DriverFactory } from '../drivers/driver.js';
import type { ClusterSpec } from '../scenario/schema.js';
import type { SystemName } from './facts.js';
import { kafkaSystem } from './kafka/kafka-system.js';
import { pulsarSystem } from './pulsar/pulsar-system.js';
import type { BrokerSystem } from './system.js';

export const allSystems: readonly BrokerSystem[] = [kafkaSystem, pulsarSystem];

export function systemOf(name: SystemName): BrokerSystem {
  const found = allSystems.find((s) => s.name === name);
  if (!found) throw new Error(`no broker system "${name}" is registered`);
  return found;
}

export function findProvider(system: SystemName, provider: ClusterSpec['provider']): ClusterProvider | undefined {
  return systemOf(system).providers[provider];
}

export function availableProviders(system: SystemName): Array<ClusterSpec['provider']> {
  return Object.keys(systemOf(system).providers) as Array<ClusterSpec['provider']>;
}

/** The system's driver factories, in the order `driver: auto` tries them. */
export function driversFor(system: SystemName): DriverFactory[] {
  const s = systemOf(system);
  return s.drivers.map((d) => {
    const factory = s.driverFactories[d.name];
    if (!factory) throw new Error(`${s.label} names a driver "${d.name}" it has no factory for`);
    return factory;
  });
}
