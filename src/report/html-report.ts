/**
 * report.html: one self-contained page (inline SVG charts and CSS, no script, nothing fetched) — verdicts on top,
 * then throughput, latency, faults and failover, replication, the books, regions, resources, and the scenario and
 * environment at the bottom. Tables and notes are the Markdown report's, converted.
 */
import type { RenderedChart, RenderedSection } from './charts/rendered.js';
import { escapeHtml, inline, markdownToHtml } from './markdown-html.js';
import { statusNote, table } from './markdown-report.js';
import type { RunResult } from './result.js';

export function renderHtmlReport(r: RunResult, sections: RenderedSection[]): string {
  const charts = (id: string) => chartsHtml(sections.find((s) => s.id === id)?.charts ?? []);
  const md = (text: string) => (text ? verdictMarks(markdownToHtml(text)) : '');
  const warnings = r.warnings.map((w) => `> ⚠ ${w}`).join('\n>\n');
  const resources = sections.find((s) => s.id === 'resources');
  const body = [
    `<header class="status-${escapeHtml(r.status)}"><h1>${escapeHtml(r.scenario.name)} — <span class="status">${escapeHtml(r.status.toUpperCase())}</span></h1>`,
    `<p class="sub">${escapeHtml(r.cluster.name)}: ${escapeHtml(`${r.cluster.system} ${r.cluster.version}`)} · ${escapeHtml(r.driver.name)} · ${escapeHtml(r.startedAt)}</p></header>`,
    md(statusNote(r) ?? ''),
    r.scenario.description ? `<p>${inline(r.scenario.description)}</p>` : '',
    '<section id="verdicts"><h2>Verdicts</h2>',
    md(table('criteria', r)),
    md(warnings),
    '</section>',
    r.maxRate ? `<section id="max-rate">${md(table('maxRate', r))}</section>` : '',
    '<section id="throughput"><h2>Throughput (measurement window, warm-up excluded)</h2>',
    md(table('throughput', r)),
    charts('throughput'),
    '</section>',
    '<section id="latency"><h2>Latency (ms)</h2>',
    "<p>Latency counts from each message's <em>intended</em> send time (corrected for coordinated omission); the uncorrected row is send → ack, what a closed-loop tool would report.</p>",
    md(table('latency', r)),
    charts('latency'),
    charts('spectrum'),
    '</section>',
    '<section id="faults"><h2>Faults and failover</h2>',
    md(table('faults', r)),
    charts('failover'),
    '</section>',
    r.replication ? `<section id="replication">${md(table('replication', r))}${charts('replication')}</section>` : '',
    '<section id="books"><h2>Messages (the books)</h2>',
    md(table('messages', r)),
    md(table('groups', r)),
    '</section>',
    r.byRegion ? `<section id="regions">${md(table('regions', r))}</section>` : '',
    r.resources || resources?.charts.length
      ? `<section id="resources"><h2>${escapeHtml(resources?.title ?? 'Resources')}</h2>${md(table('resources', r))}${chartsHtml(resources?.charts ?? [])}</section>`
      : '',
    '<section id="timeline"><details><summary>Timeline (per second)</summary>',
    md(table('timeline', r)),
    '</details></section>',
    '<section id="scenario"><h2>Scenario and environment</h2>',
    environmentTable(r),
    '</section>',
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${r.scenario.name} — ${r.status}`)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
${body.filter(Boolean).join('\n')}
</body>
</html>
`;
}

/** ✅ / ❌ as coloured marks every font has (a browser without an emoji font draws the emoji as boxes). */
export function verdictMarks(html: string): string {
  return html.replace(/✅/g, '<span class="pass">✔</span>').replace(/❌/g, '<span class="fail">✘</span>');
}

/** Each chart in a figure (the browser check finds them by `figure.chart`); a chart that failed says why. */
export function chartsHtml(charts: RenderedChart[]): string {
  return charts
    .map(({ chart, svg, error }) =>
      svg
        ? `<figure class="chart" id="chart-${escapeHtml(chart.id)}" data-points="${chart.points}">${svg}<figcaption>${escapeHtml(chart.title)}</figcaption></figure>`
        : `<p class="chart-error">⚠ chart “${escapeHtml(chart.title)}” could not be drawn: ${escapeHtml(error ?? 'unknown error')}</p>`,
    )
    .join('\n');
}

function environmentTable(r: RunResult): string {
  const row = (name: string, value: string) => `<tr><th>${escapeHtml(name)}</th><td>${inline(value)}</td></tr>`;
  const c = r.cluster;
  const e = r.environment;
  return `<table class="facts"><tbody>${[
    row('Scenario', `${r.scenario.name} (\`${r.scenario.file}\`)`),
    row(
      'Cluster',
      `${c.name}: ${c.system} ${c.version}, ${c.brokers} broker(s), provider ${c.provider}, ${c.bootstrap}`,
    ),
    row('Broker resources', table('brokerResources', r)),
    row('Driver', `${r.driver.name} (asked: ${r.driver.requested})${r.driver.note ? ` — ${r.driver.note}` : ''}`),
    row('Workload', table('workload', r)),
    row('Started / ended', `${r.startedAt} / ${r.endedAt}`),
    row('Status', `${r.status}${r.statusReason ? ` — ${r.statusReason}` : ''}${r.partial ? ' (partial)' : ''}`),
    row('faultline', `${r.faultline.version}, result schema ${r.schemaVersion}`),
    row('Machine', `node ${e.node}, ${e.platform}, ${e.cpus} CPUs${e.java !== undefined ? `, java ${e.java}` : ''}`),
  ].join('')}</tbody></table>`;
}

export const REPORT_STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1000px;padding:16px 24px;color:#222;line-height:1.4}
header{border-bottom:3px solid #888;margin-bottom:12px}header h1{margin:0 0 4px}.sub{color:#555;margin:0 0 8px}
.status-passed{border-color:#2e7d32}.status-passed .status{color:#2e7d32}
.status-failed{border-color:#c62828}.status-failed .status{color:#c62828}
.status-error,.status-interrupted,.status-running{border-color:#ef6c00}
.status-error .status,.status-interrupted .status,.status-running .status{color:#ef6c00}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}td.num,th.num{text-align:right}table.facts th{background:#f7f7f7;white-space:nowrap}
blockquote{margin:8px 0;padding:4px 12px;border-left:4px solid #ef6c00;background:#fff7ed}
code{background:#f3f3f3;padding:0 3px;border-radius:3px}
figure.chart{margin:12px 0}figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#666}.chart-error{color:#c62828}
section{margin-top:20px}.pass{color:#2e7d32;font-weight:700}.fail{color:#c62828;font-weight:700}details summary{cursor:pointer;font-weight:600}
`;
