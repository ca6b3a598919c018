/**
 * What `faultline suite` writes: one summary table (stdout, suite-summary.md, $GITHUB_STEP_SUMMARY), suite.json,
 * and with --junit one JUnit file holding every scenario's criteria, regression checks, and a testcase per
 * scenario that is skipped (budget), an error (infrastructure) or invalid.
 */
import { relative } from 'node:path';
import type { SuiteEntry } from '../run/suite.js';
import { minutes } from '../run/suite-budget.js';
import { attr, junitXml, text } from './junit.js';
import { regressionJunitXml } from './regression-junit.js';

export interface SuiteReport {
  dir: string;
  outDir: string;
  budgetMs: number;
  baselineDir: string | null;
  repeat: number;
  startedAt: string;
  endedAt: string;
  exitCode: number;
  entries: SuiteEntry[];
}

const VERDICT_LABEL: Record<SuiteEntry['verdict'], string> = {
  passed: '✅ passed',
  failed: '❌ criteria failed',
  regressed: '📉 regressed',
  invalid: '⛔ invalid',
  error: '💥 error',
  interrupted: '⏹ interrupted',
  skipped: '⏭ skipped',
};

function regressionCell(e: SuiteEntry): string {
  if (!e.regression) return '—';
  if ('verdict' in e.regression) {
    const v = e.regression.verdict;
    return v.regressed === 0 ? `none (${v.rows.length} checks)` : `**${v.regressed} of ${v.rows.length}**`;
  }
  return e.regression.baseline === null ? 'no baseline' : 'not judged';
}

function criteriaCell(e: SuiteEntry): string {
  const criteria = e.results.flatMap((r) => r.criteria);
  if (e.results.length === 0) return '—';
  return `${criteria.filter((c) => c.passed).length}/${criteria.length}`;
}

/** The summary table, in Markdown (also what stdout prints). */
export function suiteSummary(report: SuiteReport): string {
  const line = (cells: Array<string | number>) =>
    `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  const count = (verdict: SuiteEntry['verdict']) => report.entries.filter((e) => e.verdict === verdict).length;
  const totals = (['passed', 'failed', 'regressed', 'invalid', 'error', 'interrupted', 'skipped'] as const)
    .filter((v) => count(v) > 0)
    .map((v) => `${count(v)} ${v}`)
    .join(', ');
  return [
    `## faultline suite ${report.dir}: exit ${report.exitCode}`,
    '',
    `${report.entries.length} scenario(s): ${totals}. Budget ${minutes(report.budgetMs)}${report.repeat > 1 ? `, each run ${report.repeat} times` : ''}${report.baselineDir ? `, baselines in ${report.baselineDir}` : ''}.`,
    '',
    line(['#', 'Scenario', 'File', 'Verdict', 'Exit', 'Criteria', 'Regression', 'Took (est.)', 'Why']),
    line(['---:', '---', '---', '---', '---:', '---:', '---', '---', '---']),
    ...report.entries.map((e, i) =>
      line([
        i + 1,
        e.name ?? '—',
        relative(process.cwd(), e.file) || e.file,
        VERDICT_LABEL[e.verdict],
        e.exitCode ?? '—',
        criteriaCell(e),
        regressionCell(e),
        `${e.durationMs === null ? '—' : minutes(e.durationMs)} (${e.estimateMs === null ? '—' : minutes(e.estimateMs)})`,
        e.reason.split('\n')[0] || '',
      ]),
    ),
    '',
  ].join('\n');
}

/** suite.json: the report without each result's bulk (each is in its results directory). */
export function suiteJson(report: SuiteReport): string {
  return `${JSON.stringify(
    {
      ...report,
      entries: report.entries.map(({ results, regression, ...e }) => ({
        ...e,
        results: results.map((r) => ({ cluster: r.cluster.name, status: r.status, criteria: r.criteria })),
        regression:
          regression && 'verdict' in regression
            ? { baseline: regression.baseline, regressed: regression.verdict.regressed, rows: regression.verdict.rows }
            : regression,
      })),
    },
    null,
    2,
  )}\n`;
}

/** One JUnit file for the whole suite: the testsuites of every scenario's JUnit, and of its regression verdict. */
export function suiteJunitXml(report: SuiteReport): string {
  const suites: string[] = [];
  for (const e of report.entries) {
    if (e.results.length > 0) suites.push(innerSuites(junitXml(e.results)));
    if (e.regression && 'verdict' in e.regression) suites.push(innerSuites(regressionJunitXml(e.regression.verdict)));
    if (e.results.length === 0 || (e.regression && !('verdict' in e.regression) && e.regression.baseline !== null))
      suites.push(entryCase(e));
  }
  const xml = suites.join('\n');
  const sum = (key: string) =>
    [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${key}="(\\d+)"`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline suite" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" time="0">`,
    ...(xml ? [xml] : []),
    '</testsuites>',
    '',
  ].join('\n');
}

/** The <testsuite> elements of a JUnit document. */
function innerSuites(xml: string): string {
  const lines = xml.split('\n');
  const start = lines.findIndex((l) => l.startsWith('<testsuites'));
  const end = lines.lastIndexOf('</testsuites>');
  return lines.slice(start + 1, end).join('\n');
}

/** A scenario that produced no result (skipped, invalid, error) or whose baseline could not be read: one testcase. */
function entryCase(e: SuiteEntry): string {
  const classname = attr(e.name ?? e.file);
  const regressionNote = e.regression && !('verdict' in e.regression) ? e.regression.note : null;
  const name = attr(regressionNote && e.results.length > 0 ? 'baseline' : 'scenario');
  const message = regressionNote && e.results.length > 0 ? regressionNote : `${e.verdict}: ${e.reason}`;
  const skipped = e.verdict === 'skipped' ? 1 : 0;
  const errors = skipped ? 0 : 1;
  const body =
    e.verdict === 'skipped'
      ? `      <skipped message="${attr(message)}"/>`
      : `      <error message="${attr(message)}" type="${attr(e.verdict)}">${text(message)}</error>`;
  return [
    `  <testsuite name="${attr(`${e.name ?? e.file}: ${name}`)}" tests="1" failures="0" errors="${errors}" skipped="${skipped}" time="0">`,
    `    <testcase classname="${classname}" name="${name}" time="0">`,
    body,
    '    </testcase>',
    '  </testsuite>',
  ].join('\n');
}
