/**
 * Toxiproxy toxics on the links of the target (all brokers by default): latency (with jitter), bandwidth, reset
 * (connections reset), blackhole (data swallowed). Each fault adds its own toxics and its heal removes them.
 */
import { z } from 'zod';
import type { Link, ToxicSpec } from '../../net/proxied-network.js';
import { bandwidthProblem, toxiproxyRate } from '../../net/toxiproxy-units.js';
import { bytes, duration } from '../../scenario/unit-schemas.js';
import type { FaultFamily, ProblemAt } from '../fault-family.js';
import type { PlannedFault } from '../fault-plan.js';
import type { FaultSpec } from '../fault-schema.js';
import { addToxics, linksTouching } from './link-breaks.js';

type ToxicAction = 'latency' | 'bandwidth' | 'reset' | 'blackhole';

/** What a nemesis fault does where the action needs a parameter. */
export const NEMESIS_LATENCY_MS = 100;
export const NEMESIS_JITTER_MS = 10;
const NEMESIS_RATE_BYTES_PER_SEC = 100_000;

/** Fields shared with other network faults (isolate takes links; link-degrade latency, jitter and rate). */
const fields = {
  latency: duration().optional().meta({ description: 'latency: added delay per direction named by stream.' }),
  jitter: duration().optional(),
  rate: bytes().optional().meta({
    description:
      'bandwidth: bytes per second, a whole number of KB/s (1 KB = 1000 B, as Toxiproxy counts), e.g. 1MB or 250KB.',
  }),
  links: z
    .enum(['clients', 'brokers', 'all'])
    .optional()
    .meta({ description: 'isolate and toxics: client links, broker-to-broker links, or both (default all).' }),
  stream: z
    .enum(['upstream', 'downstream', 'both'])
    .optional()
    .meta({ description: 'Toxics: requests (upstream, the default), responses (downstream) or both.' }),
};

/** A bandwidth cap needs a rate Toxiproxy can apply (a whole number of KB/s). */
export function checkRate(spec: FaultSpec, problem: ProblemAt): void {
  if (spec.rate === undefined)
    problem(undefined, 'bandwidth needs rate: (bytes per second, a whole number of KB/s, e.g. rate: 1MB)');
  else {
    const reason = bandwidthProblem(spec.rate);
    if (reason) problem('rate', reason);
  }
}

export function latencyToxic(fault: PlannedFault, stream: 'upstream' | 'downstream'): ToxicSpec {
  return {
    type: 'latency',
    attributes: { latency: Math.round(fault.latencyMs ?? 0), jitter: Math.round(fault.jitterMs ?? 0) },
    stream,
  };
}

export function bandwidthToxic(fault: PlannedFault, stream: 'upstream' | 'downstream'): ToxicSpec {
  return { type: 'bandwidth', attributes: { rate: toxiproxyRate(fault.rateBytesPerSec ?? 0) }, stream };
}

function toxicFor(fault: PlannedFault, stream: 'upstream' | 'downstream'): ToxicSpec {
  switch (fault.action as ToxicAction) {
    case 'latency':
      return latencyToxic(fault, stream);
    case 'bandwidth':
      return bandwidthToxic(fault, stream);
    case 'reset':
      return { type: 'reset_peer', attributes: { timeout: 0 }, stream };
    case 'blackhole':
      return { type: 'timeout', attributes: { timeout: 0 }, stream };
  }
}

export const toxics: FaultFamily<ToxicAction, typeof fields> = {
  actions: ['latency', 'bandwidth', 'reset', 'blackhole'],
  fields,
  takes: {
    latency: ['target', 'latency', 'jitter', 'links', 'stream'],
    bandwidth: ['target', 'rate', 'links', 'stream'],
    reset: ['target', 'links', 'stream'],
    blackhole: ['target', 'links', 'stream'],
  },
  target: 'all',
  network: true,
  breaks: () => 'links',
  check(spec, _context, problem) {
    if (spec.action === 'latency' && spec.latency === undefined)
      problem(undefined, 'latency needs latency: (e.g. latency: 100ms, jitter: 10ms)');
    if (spec.action === 'bandwidth') checkRate(spec, problem);
    return undefined;
  },
  nemesis: (action, { broker }) => ({
    target: `broker-${broker}`,
    ...(action === 'latency' ? { latency: NEMESIS_LATENCY_MS, jitter: NEMESIS_JITTER_MS } : {}),
    ...(action === 'bandwidth' ? { rate: NEMESIS_RATE_BYTES_PER_SEC } : {}),
  }),
  linksOf: (fault, brokers, all) => linksTouching(fault, brokers, all),
  toxicsOf(fault) {
    const streams = fault.stream === 'both' ? (['upstream', 'downstream'] as const) : [fault.stream];
    return streams.map((stream) => toxicFor(fault, stream));
  },
  apply: (app) =>
    addToxics(app, (all: readonly Link[]) => linksTouching(app.fault, app.brokers, all), toxics.toxicsOf!(app.fault)),
};
