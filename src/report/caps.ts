/** The resources a run's brokers were given, in words, for reports and for the like-for-like check of compare. */
import { formatBytes, round } from '../scenario/units.js';
import type { RunResult } from './result.js';

/** The per-broker cgroup caps (provider docker with `resources`), or "no caps" (brokers share the machine). */
export function describeCaps(r: RunResult): string {
  const caps = r.cluster.caps;
  if (!caps || (caps.cpus === undefined && caps.memoryBytes === undefined)) return 'no caps';
  const parts = [
    caps.cpus !== undefined ? `${caps.cpus} CPU` : 'CPU uncapped',
    caps.memoryBytes !== undefined ? memory(caps.memoryBytes) : 'memory uncapped',
  ];
  return `${parts.join(', ')} per broker`;
}

/** The caps and, for containers, the image each broker ran (by tag and id), for the report's cluster rows. */
export function describeBrokerResources(r: RunResult): string {
  const caps = describeCaps(r);
  const text = caps === 'no caps' ? 'no caps: the brokers share the machine with each other and the harness' : caps;
  const images = [...new Set((r.cluster.containers ?? []).map(describeImage))];
  return images.length > 0 ? `${text}; image ${images.join(', ')}` : text;
}

const IMAGE_SOURCES = { pulled: 'by this run', present: 'already on this machine', local: "faultline's own build" };

/** An image by tag and id, how it was chosen (`imageSource`) and, for a fallback, why (one line, table-safe). */
function describeImage(c: NonNullable<RunResult['cluster']['containers']>[number]): string {
  const image = `${c.image} (${c.imageId.slice(0, 19)})`;
  if (!c.imageSource) return image;
  const reason = c.imageSourceReason
    ? `, as the official image did not run: ${c.imageSourceReason.replace(/\s+/g, ' ').replace(/\|/g, '\\|')}`
    : '';
  return `${image} — ${c.imageSource}: ${IMAGE_SOURCES[c.imageSource] ?? c.imageSource}${reason}`;
}

function memory(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${round(bytes / 1024 ** 3, 2)}GiB` : formatBytes(bytes);
}
