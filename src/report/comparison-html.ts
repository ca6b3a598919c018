/** comparison.html: the comparison table and every run's charts overlaid, one self-contained page. */
import type { RenderedChart } from './charts/rendered.js';
import { type Comparison, renderComparison } from './compare.js';
import { chartsHtml, REPORT_STYLE, verdictMarks } from './html-report.js';
import { escapeHtml, markdownToHtml } from './markdown-html.js';

export function renderComparisonHtml(comparison: Comparison, charts: RenderedChart[]): string {
  const markdown = renderComparison(comparison).replace(/^# Comparison\n/, '');
  const names = comparison.runs.map((r) => r.label).join(' vs ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Comparison: ${names}`)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header><h1>Comparison: ${escapeHtml(names)}</h1><p class="sub">generated ${escapeHtml(comparison.generatedAt)}</p></header>
<section id="table">${verdictMarks(markdownToHtml(markdown))}</section>
<section id="charts"><h2>Side by side</h2>
${chartsHtml(charts)}
</section>
</body>
</html>
`;
}
