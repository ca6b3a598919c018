import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markdownToHtml } from '../../src/report/markdown-html.js';

test("faultline's Markdown as HTML: tables with alignment, quotes, headings, lists, inline marks", () => {
  const html = markdownToHtml(
    [
      '### By region',
      '',
      '| Criterion | Actual |',
      '|---|---:|',
      '| `latency.p99 < 5ms` | **7** |',
      '',
      '> ⚠ first',
      '>',
      '> second',
      '',
      '- one',
      '- two',
      '',
      '_No faults._ and a_b_c stays',
    ].join('\n'),
  );
  assert.equal(
    html,
    [
      '<h3>By region</h3>',
      '<table><thead><tr><th>Criterion</th><th class="num">Actual</th></tr></thead><tbody><tr><td><code>latency.p99 &#60; 5ms</code></td><td class="num"><strong>7</strong></td></tr></tbody></table>',
      '<blockquote><p>⚠ first</p><p>second</p></blockquote>',
      '<ul><li>one</li><li>two</li></ul>',
      '<p><em>No faults.</em> and a_b_c stays</p>',
    ].join('\n'),
  );
});

test('every character of the text is escaped: no markup gets through', () => {
  const html = markdownToHtml('<script>alert("x")</script> & `<b>`');
  assert.ok(!html.includes('<script') && !html.includes('<b>'), html);
  assert.match(html, /&#60;script&#62;/);
});
