/** The links a network fault touches, and the Toxiproxy toxic it adds to them. */
import type { Link, ToxicSpec } from '../net/proxied-network.js';
import { toxiproxyRate } from '../net/toxiproxy-units.js';
import type { PlannedFault } from './fault-plan.js';

/** The links `fault` acts on when its target resolved to `brokers`. */
export function linksOf(fault: PlannedFault, brokers: number[], all: readonly Link[]): Link[] {
  switch (fault.action) {
    case 'link-down':
    case 'link-degrade': {
      const [a, b] = fault.between!;
      const { brokerRegions, defaultClientRegion } = fault.regions!;
      const regionOf = (end: number | 'clients', link: Link) =>
        end === 'clients' ? (link.clientRegion ?? defaultClientRegion) : brokerRegions[end - 1];
      return all.filter((link) => {
        const from = regionOf(link.from, link);
        const to = regionOf(link.to, link);
        return (from === a && to === b) || (from === b && to === a);
      });
    }
    case 'region-outage':
      return all.filter((l) => brokers.includes(l.to) || (typeof l.from === 'number' && brokers.includes(l.from)));
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
