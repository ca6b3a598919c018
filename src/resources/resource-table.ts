/** The resource-use table of report.md: one row per kind, then one per process, over the measurement window. */
import type { RunResult } from '../report/result.js';
import { formatBytes } from '../scenario/units.js';
import { harnessLine } from './harness-cost.js';
import type { ResourceFigure } from './resource-figures.js';

export function resourcesTable(r: RunResult): string {
  const use = r.resources;
  if (!use) return '';
  const row = (name: string, f: ResourceFigure) => [
    name,
    show(f.cpu.mean),
    show(f.cpu.max),
    f.rssBytes.max === null ? '—' : formatBytes(f.rssBytes.max),
    f.diskWrittenBytes === null ? '—' : formatBytes(f.diskWrittenBytes),
    f.diskReadBytes === null ? '—' : formatBytes(f.diskReadBytes),
    show(f.cpuSecondsPerMillionMessages),
  ];
  const kinds: Array<[string, ResourceFigure | null]> = [
    ['all brokers', use.brokers],
    ['all MirrorMaker 2', use.mirrorMakers],
    ['all Toxiproxy', use.toxiproxies],
    ['harness (faultline)', use.harness],
  ];
  const body = [
    ...kinds.filter((k): k is [string, ResourceFigure] => k[1] !== null).map(([name, f]) => row(`**${name}**`, f)),
    ...(use.processes.filter((p) => p.kind !== 'harness').length > 1
      ? use.processes.filter((p) => p.kind !== 'harness').map((p) => row(p.name, p))
      : []),
  ];
  const header = ['', 'CPU mean (cores)', 'CPU max', 'RSS max', 'disk written', 'disk read', 'CPU-s / M msgs'];
  const lines = [header, header.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`);
  const harness = r.harness ? `\n\n${harnessLine(r.harness)}` : '';
  const where = use.source === 'proc+cgroup' ? "/proc (a container's CPU: its cgroup, every process in it)" : '/proc';
  return `### Resource use\n\nSampled every ${use.intervalMs / 1000} s from ${where} over the measurement window (warm-up excluded); a kind's row sums its processes each second. The harness row is faultline itself: near a full core, or with the machine's cores all busy, the load generator may have been the bottleneck. CPU-s / M msgs: CPU-seconds spent per million messages produced (mean cores ÷ produced msg/s × 10⁶).\n\n${lines.join('\n')}${harness}`;
}

function show(value: number | null): string {
  return value === null ? '—' : String(value);
}
