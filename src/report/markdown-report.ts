/**
 * Renders report.md from REPORT_TEMPLATE.md and a result. Placeholders: {{dotted.path}} into the result,
 * {{table:NAME}} for tables (brokerResources, maxRate, effective, subscription, criteria, throughput, latency, messages, groups, timeline), {{list:warnings}},
 * {{list:status}} (what a run that did not complete covers), {{charts:SECTION}} (the section's charts, as SVG files
 * beside the report: see charts/run-charts.ts), {{section:SECTION}} (a heading and the charts, when it has any) and {{sparkline:produced|consumed|publishP99|endToEndP99}}.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { formatBytes, formatDuration } from '../scenario/units.js';
import type { TimelinePoint } from '../metrics/collector.js';
import type { RunResult } from './result.js';
import { resourcesTable } from '../resources/resource-table.js';
import { describeBrokerResources } from './caps.js';
import { maxRateSection } from './max-rate-result.js';
import { effectiveTable } from './effective-settings.js';
import { describeSubscription } from './subscription.js';
import { repeatTable } from './repeat-table.js';

const MAX_TIMELINE_ROWS = 60;

/** A chart drawn beside the report: its title and its file, relative to the report. */
export interface ChartFile {
  title: string;
  file: string;
}

/** A report section's charts, by section id. */
export type SectionCharts = Record<string, { title: string; charts: ChartFile[] }>;

export async function renderReport(
  result: RunResult,
  templateFile = join(packageRoot, 'REPORT_TEMPLATE.md'),
  charts: SectionCharts = {},
): Promise<string> {
  const template = await readFile(templateFile, 'utf8');
  return renderTemplate(template, result, charts);
}

export function renderTemplate(template: string, result: RunResult, charts: SectionCharts = {}): string {
  return template
    .replace(/\{\{\s*([\w:.]+)\s*\}\}/g, (_, name: string) => {
      const [kind, arg] = name.includes(':') ? (name.split(':', 2) as [string, string]) : ['value', name];
      switch (kind) {
        case 'table':
          return table(arg, result);
        case 'list':
          if (arg === 'status') return statusNote(result) ?? '';
          return arg === 'warnings' && result.warnings.length
            ? result.warnings.map((w) => `> ⚠ ${w}`).join('\n>\n')
            : '';
        case 'charts':
          return chartImages(charts[arg]?.charts ?? []);
        case 'section': {
          const section = charts[arg];
          return section?.charts.length ? `## ${section.title}\n\n${chartImages(section.charts)}` : '';
        }
        case 'sparkline':
          return sparkline(result.timeline.map((p) => perSecond(p, arg)));
        default:
          return valueAt(result, arg);
      }
    })
    .replace(/\n{3,}/g, '\n\n');
}

function valueAt(result: RunResult, path: string): string {
  let value: unknown = result;
  for (const part of path.split('.'))
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value === undefined || value === null ? '' : String(value);
}

function chartImages(charts: ChartFile[]): string {
  return charts.map((c) => `![${c.title.replace(/[[\]]/g, '')}](${c.file})`).join('\n\n');
}

/** For a run that did not complete (error, interrupted, still running, partial): what its figures cover. */
export function statusNote(r: RunResult): string | undefined {
  if (!r.partial && (r.status === 'passed' || r.status === 'failed')) return undefined;
  const what =
    r.status === 'running'
      ? 'is still running, or its harness died: this is its last checkpoint'
      : r.status === 'error'
        ? 'ended in an error'
        : r.status === 'interrupted'
          ? 'was interrupted'
          : 'did not complete';
  return `> ⚠ **This run ${what}${r.statusReason ? ` (${r.statusReason})` : ''}: its figures cover only what ran${r.messages?.sent ? '' : ', and it measured nothing'}.**`;
}

function rows(header: string[], body: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

/** One of the report's tables (with its notes), in Markdown; '' when it does not apply to the run. */
export function table(name: string, r: RunResult): string {
  switch (name) {
    case 'brokerResources':
      return describeBrokerResources(r);
    case 'maxRate':
      return maxRateSection(r.maxRate);
    case 'effective':
      return effectiveTable(r);
    case 'subscription':
      return r.cluster.subscription
        ? describeSubscription(r.cluster.subscription)
        : r.workload.consumers === 0
          ? 'no consumers'
          : 'not recorded';
    case 'repeat':
      return repeatTable(r);
    case 'workload': {
      const w = r.workload;
      const rate = w.targetRate === 'max' ? 'max rate' : `${w.targetRate} msg/s`;
      const topics = w.topics.map((t) => `${t.name} (${t.partitions}p × RF${t.replicationFactor})`).join(', ');
      return `${rate}, ${formatBytes(w.messageSize)} messages, ${w.producers} producer(s) and ${w.consumers} consumer(s) per topic, topics ${topics}; warm-up ${formatDuration(w.warmupMs)}, measured ${formatDuration(w.durationMs)}`;
    }
    case 'criteria':
      if (r.criteria.length === 0) return '_No criteria: nothing was judged._';
      return rows(
        ['Criterion', 'Actual', 'Verdict'],
        r.criteria.map((c) => [
          `\`${c.expression}\``,
          c.actual === null ? `— (${c.note ?? 'not measured'})` : c.actual,
          c.passed ? '✅ pass' : '❌ FAIL',
        ]),
      );
    case 'throughput':
      return rows(
        ['', 'msg/s', 'MiB/s'],
        [
          [
            'Produced (acknowledged)',
            r.throughput.produced?.messagesPerSec ?? '—',
            r.throughput.produced ? mib(r.throughput.produced.bytesPerSec) : '—',
          ],
          ...(r.throughput.consumed
            ? [
                [
                  `Consumed${everyGroup(r)}`,
                  r.throughput.consumed.messagesPerSec,
                  mib(r.throughput.consumed.bytesPerSec),
                ],
              ]
            : []),
          ...(r.workload.targetRate === 'max'
            ? []
            : [['Target', r.workload.targetRate, mib(r.workload.targetRate * r.workload.messageSize)]]),
        ],
      );
    case 'latency': {
      const kinds = [
        ['Publish (corrected)', r.latency.publish],
        ['Publish (uncorrected)', r.latency.publishUncorrected],
        ...(r.latency.endToEnd ? [[`End-to-end${everyGroup(r)}`, r.latency.endToEnd] as const] : []),
        ['Harness send lag', r.latency.sendLag],
      ] as const;
      return rows(
        ['', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'samples'],
        kinds.map(([label, s]) =>
          s ? [label, s.p50, s.p90, s.p99, s.p999, s.max, s.mean, s.count] : [label, '—', '—', '—', '—', '—', '—', 0],
        ),
      );
    }
    case 'messages': {
      const m = r.messages;
      const show = (v: number | null) => (v === null ? '—' : v);
      const lost =
        m.notDelivered !== null
          ? `${m.notDelivered} not delivered (acks=0)`
          : m.lost !== null && m.lostVerified === false
            ? `${m.lost} (unverified)`
            : show(m.lost);
      return rows(
        [
          'Sent',
          'Acked',
          'Failed',
          'Consumed',
          'Lost',
          'Duplicated (log copies)',
          'Redelivered',
          'Reordered',
          'Consumed unacked',
          'Found by final read',
          'Drained',
        ],
        [
          [
            m.sent,
            show(m.acked),
            m.failed,
            show(m.consumed),
            lost,
            show(m.duplicated),
            show(m.redelivered),
            show(m.reordered),
            show(m.consumedUnacked),
            show(m.foundByFinalRead),
            m.drained ? 'yes' : 'no',
          ],
        ],
      );
    }
    case 'groups':
      return groupsTable(r);
    case 'faults':
      return faultsTable(r);
    case 'regions':
      return regionsTable(r);
    case 'replication':
      return replicationTable(r);
    case 'timeline':
      return timelineTable(r.timeline);
    case 'resources':
      return resourcesTable(r);
    default:
      return `{{table:${name}}}`;
  }
}

/** With several consumer groups, what the overall consumed figures cover. */
function everyGroup(r: RunResult): string {
  const groups = Object.keys(r.messages.byGroup ?? {}).length;
  return groups > 1 ? ` (all ${groups} groups)` : '';
}

/** Each consumer group's own books, one row per consumer region (empty without regions). */
function groupsTable(r: RunResult): string {
  const byGroup = r.messages.byGroup;
  if (!byGroup || Object.keys(byGroup).length === 0) return '';
  const show = (v: number | null) => (v === null ? '—' : v);
  const body = Object.entries(byGroup).map(([region, g]) => [
    region,
    g.consumed,
    g.notDelivered !== null
      ? `${g.notDelivered} not delivered (acks=0)`
      : g.lost !== null && g.lostVerified === false
        ? `${g.lost} (unverified)`
        : show(g.lost),
    g.duplicated,
    g.redelivered,
    show(g.reordered),
    g.foundByFinalRead,
    g.caughtUp ? 'yes' : 'no',
  ]);
  const table = rows(
    [
      'Consumer group (region)',
      'Consumed',
      'Lost',
      'Duplicated (log copies)',
      'Redelivered',
      'Reordered',
      'Found by final read',
      'Caught up',
    ],
    body,
  );
  return `### Books per consumer group

Each consumer region has its own group reading every message. Above, \`lost\` counts each message some group lacks once (and not in the log); the other counts, consumed throughput and end-to-end latency cover every group.

${table}`;
}

/** Figures by producing region and by producing → consuming region pair (empty without regions). */
function regionsTable(r: RunResult): string {
  const by = r.byRegion;
  if (!by) return '';
  const cell = (s: { p50: number; p99: number } | null | undefined) => (s ? `${s.p50} / ${s.p99}` : '—');
  const body: Array<Array<string | number>> = [
    ...Object.keys(by.produced).map((region) => [
      `produced in ${region}`,
      by.produced[region]!.messagesPerSec,
      cell(by.publish[region]),
      '',
    ]),
    ...Object.keys(by.consumed).map((pair) => [
      `${pair.replace('->', ' → ')}`,
      by.consumed[pair]!.messagesPerSec,
      '',
      cell(by.endToEnd[pair]),
    ]),
  ];
  return `### By region\n\n${rows(['', 'msg/s', 'publish p50 / p99 ms', 'end-to-end p50 / p99 ms'], body)}`;
}

/** Replication between clusters: lag (seen on the target − acknowledged on the source) and the books (empty without). */
function replicationTable(r: RunResult): string {
  const rep = r.replication;
  if (!rep) return '';
  const lag = (s: { p50: number; p90: number; p99: number; max: number } | null) =>
    s ? [s.p50, s.p90, s.p99, s.max] : ['—', '—', '—', '—'];
  const body = rep.flows.map((f) => [
    `${f.from} → ${f.to} (${f.topics.map((t) => (t.source === t.target ? t.source : `${t.source} → ${t.target}`)).join(', ')})`,
    ...lag(f.lag),
    f.endToEnd ? `${f.endToEnd.p50} / ${f.endToEnd.p99}` : '—',
    f.throughput?.messagesPerSec ?? '—',
    f.messages.replicated,
    f.messages.duplicated,
    f.messages.redelivered,
    f.messages.notReplicated,
    f.firstRecordMs ?? '—',
  ]);
  const table = rows(
    [
      'Replication',
      'lag p50 ms',
      'p90',
      'p99',
      'max',
      'end-to-end on the target p50 / p99 ms',
      'replicated msg/s',
      'replicated',
      'duplicated (copies on the target)',
      'redelivered (to the reader)',
      'not replicated',
      'replicator start → first record ms',
    ],
    body,
  );
  const note =
    (rep.caughtUp
      ? ''
      : `\n\n> ⚠ replication had not caught up at the end: ${rep.notReplicated} acknowledged message(s) not on the target${rep.foundByFinalRead ? ` (${rep.foundByFinalRead} more found there by a final read, not by the reader in time)` : ''}.`) +
    (rep.lagNegative > 0
      ? `\n\n> ⚠ ${rep.lagNegative} message(s) were seen on the target before the source appended them (a clock defect): left out of the lag.`
      : '') +
    (rep.lagUnmeasured > 0
      ? `\n\n> ${rep.lagUnmeasured} replicated message(s) carried no source append time (a Pulsar client's publishTime, with the native or binary driver, is the producer's): no lag for them.`
      : '');
  const rpo = r.rpo ? rpoText(r.rpo) : '';
  const rate = r.rto
    ? ' "replicated msg/s" is replicated ÷ (last − first seen on the target): with failover the source took writes only until the clients moved, and the span includes the outage and whatever arrived late.'
    : ' "replicated msg/s" is replicated ÷ (last − first seen on the target).';
  return `### Replication\n\nLag per message = first seen on the target − appended on the source (the broker's timestamp, put on the harness's monotonic clock); end-to-end on the target = seen there − intended send time.${rate}\n\n${table}${note}${rpo}${rtoText(r)}`;
}

/** RPO at the outage's injection: the failover target's gap (with failover), each replica's beside it. */
function rpoText(rpo: NonNullable<RunResult['rpo']>): string {
  const on = rpo.target ? `on ${rpo.target}, the failover target` : 'on the target(s)';
  const others = (rpo.byReplica ?? []).filter((g) => g.to !== rpo.target);
  const beside =
    rpo.target && others.length > 0
      ? ` Other replicas then: ${others.map((g) => `${g.to} lacked ${g.messages} (${g.lost} never arrived)`).join('; ')}.`
      : !rpo.target && (rpo.byReplica?.length ?? 0) > 1
        ? ` Per replica: ${rpo.byReplica!.map((g) => `${g.to} ${g.messages}`).join(', ')}.`
        : '';
  return `\n\nRPO at fault ${rpo.fault} (taken at its injection, ${rpo.atMs} ms, not when the clients moved): ${rpo.messages} acknowledged message(s) not yet ${on} (${rpo.inFlight ?? 0} in flight, arriving while the fault was on; ${rpo.late} once it healed; ${rpo.lost} never), the oldest ${rpo.ms} ms old.${beside}`;
}

/** Region failover: how the move was decided, when the clients moved, RTO produce / consume, what was sent or consumed twice. */
function rtoText(r: RunResult): string {
  const rto = r.rto;
  if (!rto) return '';
  const ms = (v: number | null, never: string) => (v === null ? never : `${v} ms`);
  const rule = rto.detection
    ? rto.detection.rule === 'after'
      ? `, moved a fixed \`after\` of ${rto.detection.ms} ms from the outage's injection (detection assumed)`
      : `, moved when no send had been acknowledged for ${rto.detection.ms} ms (detection measured: ${rto.triggeredAtMs != null ? `fired at ${rto.triggeredAtMs} ms${rto.detectedMs != null ? `, ${rto.detectedMs} ms after the outage` : ''}` : 'never fired'})`
    : '';
  if (rto.switchedAtMs === null)
    return `\n\nFailover ${rto.from} → ${rto.to}${rule}: the clients never moved — ${rto.flag ?? `${rto.fault} was not injected, or the run ended first`}.`;
  const groups =
    (rto.byGroup ?? []).length > 1
      ? ` Per group: ${rto.byGroup!.map((g) => `${g.group}${g.region ? ` (${g.region})` : ''} RTO consume ${ms(g.consume, 'never')}, ${g.consumedAgain} of ${g.consumedBeforeMove} consumed again${g.ready ? '' : ', not open on the target'}`).join('; ')}.`
      : '';
  const figures = rto.flag
    ? `**No RTO: ${rto.flag}.**`
    : `**RTO produce ${ms(rto.produce, 'never (no send acknowledged on the target)')}**, **RTO consume ${ms(rto.consume, 'never (some group consumed nothing new on the target)')}** (from the outage's injection; consume = when every group consumed a new message there).`;
  return (
    `\n\nFailover ${rto.from} → ${rto.to}${rule}. ${rto.fault} injected at ${rto.outageAtMs ?? 'never'}${rto.outageAtMs === null ? '' : ' ms'}, clients moved at ${rto.switchedAtMs} ms. ` +
    `${figures} ` +
    `${rto.consumedAgain} message(s) consumed again on the target (of ${rto.consumedBeforeMove} consumed on the source before the move by the same group: the resumed position was that far behind); ${rto.resent ?? 0} message(s) still unacknowledged on the source at the move sent again to the target (a copy that lands twice counts as duplicated)${rto.retriedOnSource ? `, ${rto.retriedOnSource} sent to the source again after it failed them` : ''}; ${rto.groupsReady} of ${rto.groups} consumer group(s) open on the target.${groups}`
  );
}

/** Each fault with what it hit, when, and what it cost; a fault that never recovered says so. */
function faultsTable(r: RunResult): string {
  if (r.faults.length === 0) return '_No faults._';
  const figure = (ms: number | null, state: string | undefined) =>
    ms !== null ? ms : state === 'unmeasured' ? '— (not measurable)' : state === 'not-recovered' ? '**never**' : '—';
  return rows(
    [
      'Fault',
      'Action',
      'Target',
      'In force (ms)',
      'First ack after (ms)',
      'Throughput back (ms)',
      'Consumers resumed (ms)',
      'Note',
    ],
    r.faults.map((f) => [
      f.id,
      f.action,
      f.resolvedTarget ?? f.target,
      f.injectedAt === null
        ? 'not injected'
        : `${f.injectedAt}–${f.healedAt ?? (f.forever ? 'never (forever)' : 'end')}`,
      figure(f.recovery.firstAckMs, f.recovery.state?.firstAck),
      figure(f.recovery.throughputRecoveredMs, f.recovery.state?.throughput),
      figure(f.recovery.consumerResumedMs, f.recovery.state?.consumer),
      f.error ?? '',
    ]),
  );
}

/** A timeline figure; counts as a rate per second (an interval cut at a phase boundary is shorter than 1 s). */
function perSecond(point: TimelinePoint, key: string): number {
  const value = (point[key as keyof TimelinePoint] as number | null) ?? 0;
  return ['sent', 'produced', 'consumed', 'errors'].includes(key) ? value / (point.seconds ?? 1) : value;
}

/** One row per second, or per bucket of seconds when the run is long. */
function timelineTable(timeline: TimelinePoint[]): string {
  if (timeline.length === 0) return '_No load ran._';
  const size = Math.ceil(timeline.length / MAX_TIMELINE_ROWS);
  const body: Array<Array<string | number>> = [];
  for (let i = 0; i < timeline.length; i += size) {
    const bucket = timeline.slice(i, i + size);
    const sum = (key: 'produced' | 'consumed' | 'errors') => bucket.reduce((a, p) => a + p[key], 0);
    const seconds = bucket.reduce((a, p) => a + (p.seconds ?? 1), 0);
    const worst = (key: 'publishP99' | 'endToEndP99') => {
      const values = bucket.map((p) => p[key]).filter((v): v is number => v !== null);
      return values.length ? Math.max(...values) : '—';
    };
    const first = bucket[0]!;
    const last = bucket.at(-1)!;
    const targets = bucket.map((p) => p.target).filter((v): v is number => v !== undefined);
    body.push([
      size === 1 ? first.t : `${first.t}–${last.t}`,
      first.phase === last.phase ? first.phase : `${first.phase}→${last.phase}`,
      targets.length ? Math.round(targets.reduce((a, b) => a + b, 0) / targets.length) : '—',
      Math.round(sum('produced') / seconds),
      Math.round(sum('consumed') / seconds),
      worst('publishP99'),
      worst('endToEndP99'),
      sum('errors'),
    ]);
  }
  return rows(
    ['t (s)', 'phase', 'target/s', 'produced/s', 'consumed/s', 'publish p99 ms', 'e2e p99 ms', 'errors'],
    body,
  );
}

function sparkline(values: number[]): string {
  if (values.length === 0) return '';
  const blocks = '▁▂▃▄▅▆▇█';
  const max = Math.max(...values);
  return values.map((v) => (max <= 0 ? blocks[0] : blocks[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

function mib(bytes: number): number {
  return Math.round((bytes / 1024 ** 2) * 100) / 100;
}
