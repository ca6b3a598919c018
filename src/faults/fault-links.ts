/** The links a network fault touches, and the Toxiproxy toxic it adds to them. */
import type { Link, ToxicSpec } from '../net/proxied-network.js';
import { pathEnds } from '../net/region-links.js';
import type { ClusterPaths } from '../net/run-network.js';
import { toxiproxyRate } from '../net/toxiproxy-units.js';
import type { PlannedFault } from './fault-plan.js';

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

/** The links `fault` acts on when its target resolved to `brokers` (region faults: on this cluster's links only). */
export function linksOf(fault: PlannedFault, brokers: number[], all: readonly Link[]): Link[] {
  switch (fault.action) {
    case 'link-down':
    case 'link-degrade':
    case 'region-outage':
      return regionLinksOf(fault, [{ cluster: '', links: [...all], brokerRegions: fault.regions!.brokerRegions }]);
    case 'partition': {
      const side = new Map<number, number>();
      (fault.groups ?? []).forEach((group, i) => group.forEach((id) => side.set(id, i)));
      return all.filter(
        (l) =>
          l.kind !== 'client' &&
          typeof l.from === 'number' &&
          side.has(l.from) &&
          side.has(l.to) &&
          side.get(l.from) !== side.get(l.to),
      );
    }
    case 'cut-clients':
      return all.filter((l) => l.kind === 'client' && brokers.includes(l.to));
    default: {
      const inScope = (link: Link) =>
        fault.links === 'all' || (fault.links === 'clients' ? link.kind === 'client' : link.kind !== 'client');
      const touching = (link: Link) =>
        brokers.includes(link.to) || (typeof link.from === 'number' && brokers.includes(link.from));
      return all.filter((l) => inScope(l) && touching(l));
    }
  }
}

export function cutsLinks(fault: PlannedFault): boolean {
  return (
    fault.action === 'isolate' ||
    fault.action === 'partition' ||
    fault.action === 'cut-clients' ||
    fault.action === 'link-down' ||
    fault.action === 'region-outage'
  );
}

/**
 * The toxics a toxic fault adds to each of its links. link-degrade works on both directions of the pair: its
 * latency (and jitter) is added one way, each way, on top of what the link costs; its rate caps each direction.
 */
export function toxicsOf(fault: PlannedFault): ToxicSpec[] {
  if (fault.action === 'link-degrade') {
    return (['upstream', 'downstream'] as const).flatMap((stream) => [
      ...(fault.latencyMs !== undefined ? [toxicFor({ ...fault, action: 'latency' }, stream)] : []),
      ...(fault.rateBytesPerSec !== undefined ? [toxicFor({ ...fault, action: 'bandwidth' }, stream)] : []),
    ]);
  }
  const streams = fault.stream === 'both' ? (['upstream', 'downstream'] as const) : [fault.stream];
  return streams.map((stream) => toxicFor(fault, stream));
}

export function toxicFor(fault: PlannedFault, stream: 'upstream' | 'downstream'): ToxicSpec {
  switch (fault.action) {
    case 'latency':
      return {
        type: 'latency',
        attributes: { latency: Math.round(fault.latencyMs ?? 0), jitter: Math.round(fault.jitterMs ?? 0) },
        stream,
      };
    case 'bandwidth':
      return { type: 'bandwidth', attributes: { rate: toxiproxyRate(fault.rateBytesPerSec ?? 0) }, stream };
    case 'reset':
      return { type: 'reset_peer', attributes: { timeout: 0 }, stream };
    case 'blackhole':
      return { type: 'timeout', attributes: { timeout: 0 }, stream };
    default:
      throw new Error(`no toxic for ${fault.action}`);
  }
}
