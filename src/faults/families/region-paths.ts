/** What the region families share: the paths a region fault acts on, and the checks of the regions it names. */
import { pathEnds } from '../../net/region-links.js';
import type { Link } from '../../net/proxied-network.js';
import type { ClusterPaths } from '../../net/run-network.js';
import { didYouMean } from '../../scenario/suggest.js';
import type { Topology } from '../../topology/topology.js';
import type { FaultApplication, ProblemAt } from '../fault-family.js';
import type { FaultContext, PlannedFault } from '../fault-plan.js';
import type { FaultSpec } from '../fault-schema.js';

/**
 * The paths a region fault acts on, in every cluster of the run (`clusters`: each cluster's paths and where its
 * brokers sit) — whichever cluster's proxy carries them, so replication is cut with the rest:
 * - `link-down` / `link-degrade` between a and b: every path with one end in a and the other in b, both ways;
 * - `region-outage` in `mode: isolate` of r: every path with an end in r — to and from its brokers, from the
 *   clients and replicators that sit there (to any broker, in r or not), and a peer's push into r — as if the
 *   region's network were gone. Paths that neither start nor end in r are untouched.
 */
export function regionLinksOf(fault: PlannedFault, clusters: readonly ClusterPaths[]): Link[] {
  const { defaultClientRegion } = fault.regions!;
  const inFault = (ends: { from: string; to: string }): boolean => {
    if (fault.action === 'region-outage') {
      const region = fault.target.kind === 'region' ? fault.target.region : undefined;
      return ends.from === region || ends.to === region;
    }
    const [a, b] = fault.between!;
    return (ends.from === a && ends.to === b) || (ends.from === b && ends.to === a);
  };
  return clusters.flatMap(({ links, brokerRegions }) =>
    links.filter((link) => inFault(pathEnds(link, brokerRegions, defaultClientRegion, ''))),
  );
}

/** The region fault's paths on this cluster's links only. */
export function clusterRegionLinks(fault: PlannedFault, all: readonly Link[]): Link[] {
  return regionLinksOf(fault, [{ cluster: '', links: [...all], brokerRegions: fault.regions!.brokerRegions }]);
}

/** The region fault's paths in every cluster of the run (this cluster's alone when the run has no others). */
export function runRegionLinks(app: FaultApplication, all: readonly Link[]): Link[] {
  return app.paths ? regionLinksOf(app.fault, app.paths) : clusterRegionLinks(app.fault, all);
}

/** The scenario's regions as a region fault sees them, or undefined (a problem reported) when it declares none. */
export function regionsFor(
  spec: FaultSpec,
  context: FaultContext,
  problem: ProblemAt,
):
  | {
      topology: Topology;
      brokerRegions: string[];
      regions: NonNullable<PlannedFault['regions']>;
      known: (name: string, field: string) => boolean;
    }
  | undefined {
  const { topology, cluster } = context;
  if (!topology || topology.implicit) {
    problem('action', `${spec.action} names regions, and this scenario declares none (regions: [a, b], links: …)`);
    return undefined;
  }
  const brokerRegions = topology.clusters.get(cluster.name)?.brokerRegions ?? [];
  const regions = { brokerRegions, defaultClientRegion: topology.producerRegions[0]! };
  const known = (name: string, field: string): boolean => {
    if (topology.regions.includes(name)) return true;
    problem(
      field,
      `no region named "${name}"${didYouMean(name, topology.regions)}; regions: ${topology.regions.join(', ')}`,
    );
    return false;
  };
  return { topology, brokerRegions, regions, known };
}
