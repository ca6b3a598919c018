/** What network families share: which links a broker target touches, and cutting or degrading a set of links. */
import type { Link, ToxicSpec } from '../../net/proxied-network.js';
import type { FaultApplication } from '../fault-family.js';
import type { PlannedFault } from '../fault-plan.js';

/** The links touching `brokers` (either end) within the fault's `links` scope: clients, brokers or all. */
export function linksTouching(fault: PlannedFault, brokers: number[], all: readonly Link[]): Link[] {
  const inScope = (link: Link) =>
    fault.links === 'all' || (fault.links === 'clients' ? link.kind === 'client' : link.kind !== 'client');
  const touching = (link: Link) =>
    brokers.includes(link.to) || (typeof link.from === 'number' && brokers.includes(link.from));
  return all.filter((l) => inScope(l) && touching(l));
}

/** The links the fault acts on, from this cluster's links; an error without a proxied network or with no link. */
function linksFor(app: FaultApplication, pick: (all: readonly Link[]) => Link[]) {
  const { fault, network } = app;
  const all = app.clusterLinks;
  if (!network || !all) throw new Error(`${fault.action} needs the proxied network, which this cluster does not have`);
  const links = pick(all);
  if (links.length === 0) throw new Error(`${fault.action} on ${app.resolvedTarget} touches no link`);
  return { network, links };
}

/** Holds `pick`'s links cut (by reference: a heal opens only what no other fault still holds). */
export async function cutLinks(app: FaultApplication, pick: (all: readonly Link[]) => Link[]): Promise<void> {
  const { links } = linksFor(app, pick);
  app.undoWith(() => app.cuts!.release(app.fault.id, links));
  await app.cuts!.hold(app.fault.id, links);
  app.inForce(app.clock(), links);
}

/** Adds `toxics` to each of `pick`'s links, under the fault's id (its heal removes them). */
export async function addToxics(
  app: FaultApplication,
  pick: (all: readonly Link[]) => Link[],
  toxics: ToxicSpec[],
): Promise<void> {
  const { network, links } = linksFor(app, pick);
  app.undoWith(() => network.removeToxics(app.fault.id));
  for (const toxic of toxics) await network.addToxic(app.fault.id, links, toxic);
  app.inForce(app.clock(), links);
}
