/** The links a network fault touches, and the Toxiproxy toxics it adds to them: asked of the fault's family. */
import type { Link, ToxicSpec } from '../net/proxied-network.js';
import { familyOf } from './fault-families.js';
import type { PlannedFault } from './fault-plan.js';

export { regionLinksOf } from './families/region-paths.js';

/** The links `fault` acts on when its target resolved to `brokers` (region faults: on this cluster's links only). */
export function linksOf(fault: PlannedFault, brokers: number[], all: readonly Link[]): Link[] {
  return familyOf(fault.action).linksOf?.(fault, brokers, all) ?? [];
}

/** The toxics a toxic fault adds to each of its links (none for a fault that cuts or acts on processes). */
export function toxicsOf(fault: PlannedFault): ToxicSpec[] {
  return familyOf(fault.action).toxicsOf?.(fault) ?? [];
}
