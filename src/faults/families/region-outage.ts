/**
 * region-outage: a region goes down. `mode: kill` (the default) kills every process of the run there — the
 * workload cluster's brokers, the other joined clusters' brokers, and a MirrorMaker 2 whose target sits there
 * (held down until the heal, as a kill; on a container runtime, their containers); `mode: isolate` cuts every
 * path with an end in the region, in every cluster of the run.
 */
import { z } from 'zod';
import type { FaultFamily } from '../fault-family.js';
import type { FaultContext } from '../fault-plan.js';
import type { FaultTarget } from '../targets.js';
import { cutLinks } from './link-breaks.js';
import { takeDown } from './process.js';
import { clusterRegionLinks, regionsFor, runRegionLinks } from './region-paths.js';

const fields = {
  region: z.string().optional().meta({ description: 'region-outage: the region whose brokers all go down.' }),
  mode: z.enum(['kill', 'isolate']).optional().meta({
    description:
      'region-outage: kill every broker of the region (default), or isolate them (every link to and from them cut).',
  }),
};

/**
 * What of the run sits in `region`, for messages: brokers of any of its clusters (MirrorMaker 2 runs in its
 * target's region and Pulsar's replicator in its source broker, so a replicator sits only where brokers do), and
 * the workload's producers and consumers.
 */
function whatSitsIn(region: string, context: FaultContext): string[] {
  const { topology, runClusters, clientRegions } = context;
  const brokersOf = runClusters.filter((name) => topology?.clusters.get(name)?.brokerRegions.includes(region));
  return [...brokersOf.map((name) => `brokers of "${name}"`), ...(clientRegions.includes(region) ? ['clients'] : [])];
}

/**
 * Besides the workload cluster's brokers, what a kill of `region` takes down: the brokers there of every other
 * cluster of the run, and each MirrorMaker 2 whose target's first broker sits there (where it runs).
 */
function othersIn(
  region: string,
  context: FaultContext,
): Pick<FaultTarget & { kind: 'region' }, 'peers' | 'mirrorMakers'> {
  const { topology, runClusters, cluster } = context;
  const regionsOf = (name: string) => topology?.clusters.get(name)?.brokerRegions ?? [];
  const peers = runClusters
    .filter((name) => name !== cluster.name)
    .map((name) => ({ cluster: name, ids: regionsOf(name).flatMap((r, i) => (r === region ? [i + 1] : [])) }))
    .filter((peer) => peer.ids.length > 0);
  const mirrorMakers = (context.mirrorMakersInto ?? []).filter((into) => regionsOf(into)[0] === region);
  return { ...(peers.length ? { peers } : {}), ...(mirrorMakers.length ? { mirrorMakers } : {}) };
}

export const regionOutage: FaultFamily<'region-outage', typeof fields> = {
  actions: ['region-outage'],
  fields,
  takes: { 'region-outage': ['region', 'mode'] },
  network: false,
  breaks: (fault) => (fault.mode === 'isolate' ? 'links' : 'processes'),
  /**
   * `mode: kill` names a region that holds brokers of the workload's cluster (those it takes down); `mode: isolate`
   * a region where something of the run sits — brokers of any joined cluster, the workload's clients (a replicator
   * sits where brokers do).
   */
  check(spec, context, problem) {
    const found = regionsFor(spec, context, problem);
    if (!found) return undefined;
    const { brokerRegions, regions, known } = found;
    const { cluster } = context;
    if (spec.region === undefined) {
      problem(undefined, 'region-outage needs region: (the region whose brokers go down)');
      return undefined;
    }
    if (!known(spec.region, 'region')) return undefined;
    const ids = brokerRegions.flatMap((r, i) => (r === spec.region ? [i + 1] : []));
    const mode = spec.mode ?? 'kill';
    const sitsThere = whatSitsIn(spec.region, context);
    // kill takes down the workload cluster's brokers in the region; isolate cuts every path with an end there,
    // in every cluster of the run (regionLinksOf): it needs something of the run there, not a broker of its own.
    if (mode === 'kill' ? ids.length === 0 : sitsThere.length === 0) {
      const brokersAt = `its brokers sit in ${[...new Set(brokerRegions)].join(', ')}`;
      problem(
        'region',
        mode === 'kill'
          ? `cluster "${cluster.name}" has no broker in region "${spec.region}" (${brokersAt}): mode kill takes down its brokers there${sitsThere.length > 0 ? `; to cut the region off from the rest (${sitsThere.join(', ')}), use mode: isolate` : ''}`
          : `nothing of the run sits in region "${spec.region}": no broker of ${context.runClusters.map((c) => `"${c}"`).join(', ')}, no producer or consumer, no replicator — an isolate would cut no path`,
      );
      return undefined;
    }
    const others = mode === 'kill' ? othersIn(spec.region, context) : {};
    return { target: { kind: 'region', region: spec.region, ids, ...others }, extra: { mode, regions } };
  },
  nemesis(_action, { context, pick }) {
    const topology = context.topology;
    if (!topology || topology.implicit) return {};
    const withBrokers = [...new Set(topology.clusters.get(context.cluster.name)?.brokerRegions ?? [])];
    return withBrokers.length ? { region: pick(withBrokers) } : {};
  },
  linksOf: (fault, _brokers, all) => clusterRegionLinks(fault, all),
  apply: (app) =>
    app.fault.mode === 'isolate' ? cutLinks(app, (all) => runRegionLinks(app, all)) : takeDown(app, 'kill'),
};
