/**
 * JUnit XML of a regression verdict (`compare --baseline … --junit FILE`): one testsuite per part, one testcase per
 * check (classname the scenario, name `cluster: regression FIGURE CHANGE`); a regression is a failure whose message
 * holds the figures, the threshold and the noise bound; a check neither run could judge is skipped.
 */
import { attr, text } from './junit.js';
import type { RegressionRow, RegressionVerdict } from './regression.js';

export function regressionJunitXml(verdict: RegressionVerdict): string {
  const parts = [...new Set(verdict.rows.map((r) => r.part))];
  const classname = attr(verdict.scenario);
  const suites = parts.map((part) => {
    const rows = verdict.rows.filter((r) => r.part === part);
    const failures = rows.filter((r) => r.status === 'regressed').length;
    const skipped = rows.filter((r) => r.status === 'not measured').length;
    return [
      `  <testsuite name="${attr(`${verdict.scenario} on ${part}: regression against the baseline`)}" tests="${rows.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
      ...rows.flatMap((r) => testcase(classname, r)),
      '  </testsuite>',
    ].join('\n');
  });
  const count = (status: RegressionRow['status']) => verdict.rows.filter((r) => r.status === status).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline regression" tests="${verdict.rows.length}" failures="${count('regressed')}" errors="0" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(classname: string, r: RegressionRow): string[] {
  const head = `    <testcase classname="${classname}" name="${attr(`${r.part}: regression ${r.figure} ${r.change}`)}" time="0"`;
  const message = `${r.figure}: baseline ${r.baseline ?? 'not measured'}, run ${r.run ?? 'not measured'}${r.deltaPercent !== null ? ` (${r.deltaPercent > 0 ? '+' : ''}${r.deltaPercent} %)` : ''}, allowed ${r.change}${r.limit !== null ? ` (limit ${r.limit})` : ''}${r.noiseBound !== null ? `, noise bound ${r.noiseBound}` : ''}: ${r.reason}`;
  if (r.status === 'regressed')
    return [
      `${head}>`,
      `      <failure message="${attr(message)}" type="regression">${text(message)}</failure>`,
      '    </testcase>',
    ];
  if (r.status === 'not measured')
    return [`${head}>`, `      <skipped message="${attr(message)}"/>`, '    </testcase>'];
  return [`${head}/>`];
}
