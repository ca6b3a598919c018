/**
 * The registry of broker systems as the scenario layer sees them (facts only: nothing here loads a client or a
 * broker). The scenario schema's lists of systems and drivers come from here; systems.ts registers the same
 * systems with their runtime parts. A new system: its folder, one line here and one in systems.ts.
 */
import { kafkaFacts } from './kafka/kafka-facts.js';
import { pulsarFacts } from './pulsar/pulsar-facts.js';
import type { DriverFacts, SystemFacts } from './system-facts.js';

export const allSystemFacts = [kafkaFacts, pulsarFacts] as const;

export type SystemName = (typeof allSystemFacts)[number]['name'];

/** The values of a cluster's `system:`, in registry order. */
export const systemNames = allSystemFacts.map((s) => s.name) as [SystemName, ...SystemName[]];

/** The values of a cluster's `driver:`: auto, then every system's drivers (a name two systems share, once). */
export const driverChoices = ['auto', ...new Set(allSystemFacts.flatMap((s) => s.drivers.map((d) => d.name)))] as [
  string,
  ...string[],
];

/** The schema's description of `driver:`. */
export const driverDescription = `Client implementation. ${allSystemFacts.map((s) => s.driverHelp).join(' ')}`;

export function factsOf(system: SystemName): SystemFacts<SystemName> {
  const found = allSystemFacts.find((s) => s.name === system);
  if (!found) throw new Error(`no broker system "${system}" is registered`);
  return found;
}

/** A driver's facts, when the system has a driver of that name. */
export function driverFacts(system: SystemName, driver: string | undefined): DriverFacts | undefined {
  return factsOf(system).drivers.find((d) => d.name === driver);
}
