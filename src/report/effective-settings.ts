/**
 * The fairness knobs each side ran with (result.json `cluster.effective`, see src/fairness/knobs.ts), and the
 * delivery order its consumers were promised (`cluster.subscription`, see subscription.ts), in words:
 * one run's table for report.md, the side-by-side table of `compare`, and its like-for-like check (as caps.ts
 * does for container caps).
 */
import { type AdditionName, BROKER_ADDITIONS, type EffectiveKnob, KNOBS, type KnobName } from '../fairness/knobs.js';
import { formatBytes } from '../scenario/units.js';
import type { RunResult } from './result.js';
import { orderingWords, type SubscriptionRecord, subscriptionKind } from './subscription.js';

const knobNames = Object.keys(KNOBS) as KnobName[];
const additionNames = Object.keys(BROKER_ADDITIONS) as AdditionName[];
type Name = KnobName | AdditionName;
const NOT_SET = 'not set by faultline';

function formatValue(name: Name, knob: EffectiveKnob | undefined): string {
  if (!knob) return 'not recorded';
  const { value } = knob;
  if (value === null) return 'none';
  if (typeof value === 'number' && name === 'broker.entryMetadata') return `${value} B per entry`;
  if (typeof value === 'number' && name === 'batching.maxBytes') return formatBytes(value);
  if (typeof value === 'number' && name === 'batching.maxDelayMs') return `${value} ms`;
  return String(value);
}

function formatSettings(knob: EffectiveKnob): string {
  return Object.entries(knob.settings)
    .map(([key, value]) => `\`${key}=${String(value)}\``)
    .join(', ');
}

/** A cell: the value, 📌 when pinned, and the system's own settings (and why, where they do not say). */
function cell(name: Name, knob: EffectiveKnob | undefined): string {
  if (!knob) return 'not recorded';
  const settings = formatSettings(knob);
  const parts = [`**${formatValue(name, knob)}**${knob.pinned ? ' 📌' : ''}`];
  if (settings) parts.push(settings);
  if (knob.note) parts.push(`_${knob.note}_`);
  return parts.join(' — ').replace(/\|/g, '\\|');
}

/** report.md: what one run ran with; '' for a result written before the field existed. */
export function effectiveTable(r: RunResult): string {
  const effective = r.cluster.effective;
  if (!effective) return '';
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '## Durability, batching and prefetch (as run)',
    '',
    line(['Knob', `${r.cluster.system} (${r.driver.name})`]),
    line(['---', '---']),
    ...knobNames.map((name) => line([`${KNOBS[name]} (\`${name}\`)`, cell(name, effective[name])])),
    ...additionNames
      .filter((name) => effective[name])
      .map((name) => line([`${BROKER_ADDITIONS[name]} (\`${name}\`)`, cell(name, effective[name])])),
    '',
    '📌 pinned by the scenario; otherwise the default this run used.',
  ].join('\n');
}

/** compare: one row per knob, one column per run, and whether the runs agree. '' when no run recorded them. */
export function effectiveComparisonTable(runs: Array<{ label: string; result: RunResult }>): string {
  if (!runs.some((run) => run.result.cluster.effective || run.result.cluster.subscription)) return '';
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '## Durability, batching and prefetch, as each side ran',
    '',
    line(['Knob', ...runs.map((run) => run.label), 'Same?']),
    line(['---', ...runs.map(() => '---'), '---']),
    ...knobNames.map((name) => {
      const knobs = runs.map((run) => run.result.cluster.effective?.[name]);
      return line([
        `${KNOBS[name]} (\`${name}\`)`,
        ...knobs.map((knob) => cell(name, knob)),
        differing(name, runs) ? '**no**' : 'yes',
      ]);
    }),
    ...additionRows(runs),
    ...subscriptionRow(runs),
    '',
    "📌 pinned by the scenario; otherwise the side's default. Each cell: the cross-system value, then the system's own settings.",
    ...(additionRows(runs).length > 0
      ? [
          "Broker entry metadata: what faultline sets on its Pulsar brokers (not a knob: a cluster's `config` changes it), compared only between sides that have it (n/a: fewer than two).",
        ]
      : []),
  ].join('\n');
}

function differing(name: Name, runs: Array<{ result: RunResult }>): boolean {
  return new Set(runs.map((run) => formatValue(name, run.result.cluster.effective?.[name]))).size > 1;
}

/** The runs that record an addition (the systems that have it): only those are compared. */
function recording<R extends { result: RunResult }>(name: AdditionName, runs: R[]): R[] {
  return runs.filter((run) => run.result.cluster.effective?.[name]);
}

function additionDiffers(name: AdditionName, runs: Array<{ result: RunResult }>): boolean {
  const recorded = recording(name, runs);
  return recorded.length > 1 && differing(name, recorded);
}

/** compare: a row per addition some run records; "n/a" where fewer than two runs have it to compare. */
function additionRows(runs: Array<{ label: string; result: RunResult }>): string[] {
  return additionNames
    .filter((name) => recording(name, runs).length > 0)
    .map((name) => {
      const knobs = runs.map((run) => run.result.cluster.effective?.[name]);
      const same = recording(name, runs).length < 2 ? 'n/a' : additionDiffers(name, runs) ? '**no**' : 'yes';
      return `| ${BROKER_ADDITIONS[name]} (\`${name}\`) | ${knobs.map((knob) => (knob ? cell(name, knob) : NOT_SET)).join(' | ')} | ${same} |`;
    });
}

/** The like-for-like warning of compare: the knobs on which the runs differ, each side's value named. */
export function effectiveWarning(runs: Array<{ label: string; result: RunResult }>): string | undefined {
  if (runs.length < 2) return undefined;
  if (!runs.some((run) => run.result.cluster.effective || run.result.cluster.subscription)) return undefined;
  const differences = knobNames
    .filter((name) => differing(name, runs))
    .map(
      (name) =>
        `${name} (${runs.map((run) => `${run.label}: ${formatValue(name, run.result.cluster.effective?.[name])}`).join(', ')})`,
    );
  const added = additionNames
    .filter((name) => additionDiffers(name, runs))
    .map(
      (name) =>
        `${name} (${recording(name, runs)
          .map((run) => `${run.label}: ${formatValue(name, run.result.cluster.effective?.[name])}`)
          .join(', ')})`,
    );
  const order = orderingDiffers(runs)
    ? [
        `delivery order (${runs.map((run) => `${run.label}: ${subscriptionCell(run.result.cluster.subscription, false)}`).join(', ')})`,
      ]
    : [];
  if (differences.length === 0 && added.length === 0 && order.length === 0) return undefined;
  const pin = [
    ...(differences.length > 0 ? ['workload.durability, workload.batching, workload.prefetch'] : []),
    ...(added.length > 0 ? ["the clusters' config: brokerEntryMetadataInterceptors"] : []),
    ...(order.length > 0 ? ['consumer.subscriptionType'] : []),
  ];
  const what =
    differences.length > 0
      ? 'durability, batching and prefetch'
      : added.length > 0
        ? 'broker settings'
        : 'delivery order';
  return `the sides did not run with the same ${what}, so the runs are not like for like: ${[...differences, ...added, ...order].join('; ')} — pin them in the scenario (${pin.join('; ')})`;
}

/** A subscription cell: the promised order (bold), the subscription, and why it ran. */
function subscriptionCell(subscription: SubscriptionRecord | undefined, markdown = true): string {
  if (!subscription) return 'not recorded';
  const order = orderingWords(subscription);
  return markdown
    ? `**${order}** — ${subscriptionKind(subscription)}`.replace(/\|/g, '\\|')
    : `${order}, ${subscription.type}`;
}

/** Two recorded subscriptions promise different orders (what `reordered` means differs between the sides). */
function orderingDiffers(runs: Array<{ result: RunResult }>): boolean {
  const recorded = runs.flatMap((run) => run.result.cluster.subscription ?? []);
  return recorded.length > 1 && new Set(recorded.map((s) => s.ordering)).size > 1;
}

/** compare: the delivery order each side's consumers were promised, when any run recorded it. */
function subscriptionRow(runs: Array<{ label: string; result: RunResult }>): string[] {
  if (!runs.some((run) => run.result.cluster.subscription)) return [];
  return [
    `| delivery order (\`subscription\`) | ${runs.map((run) => subscriptionCell(run.result.cluster.subscription)).join(' | ')} | ${orderingDiffers(runs) ? '**no**' : 'yes'} |`,
  ];
}
