/**
 * What each proxied link of a cluster pays for crossing regions: the link's source and destination regions
 * (a broker's region, or the clients' region for a client link) give a latency (and jitter, and bandwidth)
 * per direction — requests travel source → destination (Toxiproxy's upstream), responses and fetched data
 * destination → source (downstream). A link inside one region pays nothing.
 */
import { linkBetween, type LinkCost, type Topology } from '../topology/topology.js';
import type { RunningCluster } from '../cluster/provider.js';
import type { Link, ProxiedNetwork, ToxicSpec } from './proxied-network.js';
import { toxiproxyRate } from './toxiproxy-units.js';

function toxicsFor(cost: LinkCost | undefined, stream: ToxicSpec['stream']): ToxicSpec[] {
  if (!cost) return [];
  const toxics: ToxicSpec[] = [];
  if (cost.latencyMs > 0 || cost.jitterMs > 0)
    toxics.push({
      type: 'latency',
      attributes: { latency: Math.round(cost.latencyMs), jitter: Math.round(cost.jitterMs) },
      stream,
    });
  if (cost.bandwidthBytesPerSec !== undefined)
    toxics.push({ type: 'bandwidth', attributes: { rate: toxiproxyRate(cost.bandwidthBytesPerSec) }, stream });
  return toxics;
}

/** The region a link starts from and the one it leads to. */
export function linkRegions(
  link: Pick<Link, 'from' | 'to'> & { clientRegion?: string },
  brokerRegions: string[],
  topology: Topology,
): { from: string; to: string } {
  return pathEnds(link, brokerRegions, topology.producerRegions[0]!, topology.regions[0]!);
}

/**
 * The regions at a path's two ends: a broker's region, or, for a client path, the region of the clients (or
 * replicator) that dial it — `defaultClientRegion` for one that names none.
 */
export function pathEnds(
  link: Pick<Link, 'from' | 'to'> & { clientRegion?: string },
  brokerRegions: string[],
  defaultClientRegion: string,
  defaultBrokerRegion = defaultClientRegion,
): { from: string; to: string } {
  const regionOfBroker = (id: number) => brokerRegions[id - 1] ?? defaultBrokerRegion;
  const from = link.from === 'clients' ? (link.clientRegion ?? defaultClientRegion) : regionOfBroker(link.from);
  return { from, to: regionOfBroker(link.to) };
}

/** The standing toxics of one link: what its regions' link costs in each direction. */
export function regionToxics(
  link: Pick<Link, 'from' | 'to'> & { clientRegion?: string },
  brokerRegions: string[],
  topology: Topology,
): ToxicSpec[] {
  const { from, to } = linkRegions(link, brokerRegions, topology);
  return [
    ...toxicsFor(linkBetween(topology, from, to), 'upstream'),
    ...toxicsFor(linkBetween(topology, to, from), 'downstream'),
  ];
}

/** Gives every link of a started cluster its standing cost; returns how many links cross regions. */
export async function applyRegionCosts(
  network: ProxiedNetwork,
  cluster: RunningCluster,
  brokerRegions: string[],
  topology: Topology,
): Promise<number> {
  let crossing = 0;
  for (const link of cluster.links ?? []) {
    const toxics = regionToxics(link, brokerRegions, topology);
    if (toxics.length === 0) continue;
    crossing++;
    await network.setStanding(link, toxics);
  }
  return crossing;
}
