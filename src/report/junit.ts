/**
 * JUnit XML of runs, in the common subset CI services read (Ant/Surefire: testsuites > testsuite > testcase with
 * failure / error): one suite per part of a run, one testcase per criterion (classname the scenario, the figure
 * and the threshold in the failure's message), and one testcase "run" that errs when the run did not complete.
 * GitLab shows the classname as the suite and keeps the first of two cases with the same classname and name:
 * each case's name carries the cluster, so the parts of a run never collide.
 */
import type { RunResult } from './result.js';

export function junitXml(results: RunResult[]): string {
  const suites = results.map(suite);
  const total = (key: 'tests' | 'failures' | 'errors') => suites.reduce((n, s) => n + s[key], 0);
  const time = seconds(results.reduce((n, r) => n + durationMs(r), 0));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" time="${time}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Suite {
  tests: number;
  failures: number;
  errors: number;
  xml: string;
}

function suite(r: RunResult): Suite {
  const classname = attr(r.scenario.name);
  const cluster = r.cluster.name;
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  const completed = r.status === 'passed' || r.status === 'failed';
  const runCase = `    <testcase classname="${classname}" name="${attr(`${cluster}: run`)}" time="${seconds(durationMs(r))}"`;
  if (completed) cases.push(`${runCase}/>`);
  else {
    errors++;
    const message = `the run ${r.status === 'running' ? 'did not finish (last checkpoint)' : r.status}${r.statusReason ? `: ${r.statusReason}` : ''}; its figures cover only what ran`;
    cases.push(`${runCase}>`, `      <error message="${attr(message)}" type="${attr(r.status)}"/>`, '    </testcase>');
  }
  for (const c of r.criteria ?? []) {
    const head = `    <testcase classname="${classname}" name="${attr(`${cluster}: ${c.expression}`)}" time="0"`;
    if (c.passed) {
      cases.push(`${head}/>`);
      continue;
    }
    failures++;
    const actual = c.actual === null ? `not measured${c.note ? ` (${c.note})` : ''}` : `${c.actual}`;
    const message = `${c.expression}: actual ${actual}, threshold ${c.threshold}${c.actual !== null && c.note ? ` (${c.note})` : ''}`;
    cases.push(
      `${head}>`,
      `      <failure message="${attr(message)}" type="criterion">${text(message)}</failure>`,
      '    </testcase>',
    );
  }
  const tests = (r.criteria ?? []).length + 1;
  const name = attr(`${r.scenario.name} on ${cluster} (${r.cluster.system} ${r.cluster.version})`);
  return {
    tests,
    failures,
    errors,
    xml: [
      `  <testsuite name="${name}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(durationMs(r))}" timestamp="${attr(r.startedAt.replace(/\.\d+Z$|Z$/, ''))}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n'),
  };
}

function durationMs(r: RunResult): number {
  const ms = Date.parse(r.endedAt) - Date.parse(r.startedAt);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Text allowed in XML 1.0 (control characters other than tab, newline and return are dropped), escaped. */
export function text(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
