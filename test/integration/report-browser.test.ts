/**
 * report.html and comparison.html in a real browser (Debian's chromium, driven by playwright-core; install it with
 * scripts/install-browser.sh): rendered by the CLI from result fixtures real runs produced, every chart drawn with
 * data, no console error, nothing fetched. Screenshots are kept in test-output/report-browser/.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';
import { runCli, tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'reports');
const screenshots = join(root, 'test-output', 'report-browser');
const CHROMIUM = process.env.FAULTLINE_CHROMIUM ?? '/usr/bin/chromium';

let browser: Browser;

before(async () => {
  // `npm test` on a fresh machine (as root, the way CI runs): the project's own script installs the browser.
  if (!existsSync(CHROMIUM) && !process.env.FAULTLINE_CHROMIUM && process.getuid?.() === 0)
    execFileSync('bash', [join(root, 'scripts', 'install-browser.sh')], { stdio: 'inherit', timeout: 600_000 });
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: run scripts/install-browser.sh (or set FAULTLINE_CHROMIUM)`);
  mkdirSync(screenshots, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
});

/** Opens a page from disk; returns what went wrong in it (console errors, page errors, any request off disk). */
async function open(file: string, screenshot: string) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) problems.push(`fetched ${request.url()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  // Each chart: an SVG with a size, and a drawn series (a path of 3 segments or more: axes and grid lines have 1).
  const charts = await page.$$eval('figure.chart', (figures) =>
    figures.map((figure) => {
      const svg = figure.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const segments = [...(svg?.querySelectorAll('path') ?? [])].map(
        (path) => (path.getAttribute('d') ?? '').match(/[LCQA]/gi)?.length ?? 0,
      );
      return {
        id: figure.id,
        points: Number(figure.getAttribute('data-points')),
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        longestPath: Math.max(0, ...segments),
        text: svg?.textContent ?? '',
      };
    }),
  );
  const errors = await page.$$eval('.chart-error', (nodes) => nodes.map((n) => n.textContent));
  const firstHeading = await page.$eval('body', (body) => (body.textContent ?? '').slice(0, 600));
  await page.screenshot({ path: join(screenshots, screenshot), fullPage: true });
  await page.close();
  return { charts, problems, errors, firstHeading };
}

function assertDrawn(charts: Awaited<ReturnType<typeof open>>['charts'], expected: string[]): void {
  assert.deepEqual(
    charts.map((c) => c.id),
    expected.map((id) => `chart-${id}`),
  );
  for (const chart of charts) {
    assert.ok(chart.points > 0, `${chart.id}: data points`);
    assert.ok(chart.width > 300 && chart.height > 100, `${chart.id}: drawn at ${chart.width}×${chart.height}`);
    assert.ok(chart.longestPath >= 3, `${chart.id}: a series drawn (longest path ${chart.longestPath} segments)`);
  }
}

function fixtureRun(name: string): string {
  const dir = join(tempDir('faultline-report-'), name.replace(/\//g, '-'));
  cpSync(join(fixtures, name, 'result.json'), join(dir, 'result.json'));
  return dir;
}

test('report.html of a run with a fault: verdicts first, every chart drawn, the fault shaded, nothing fetched', async () => {
  const dir = fixtureRun('kafka-pause');
  const rendered = await runCli(['report', dir]);
  assert.equal(rendered.code, 0, rendered.stderr);
  const page = await open(join(dir, 'report.html'), 'report-kafka-pause.png');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.errors, []);
  assert.match(page.firstHeading, /fixture-kafka-pause — FAILED[\s\S]*Verdicts/);
  assertDrawn(page.charts, [
    'throughput',
    'latency-publish',
    'latency-end-to-end',
    'latency-spectrum',
    'fault-recovery',
  ]);
  const throughput = page.charts.find((c) => c.id === 'chart-throughput')!;
  assert.match(throughput.text, /f1 pause broker-1/, 'the fault window is labelled');
  assert.match(throughput.text, /warm-up/);
  assert.match(page.charts.find((c) => c.id === 'chart-latency-spectrum')!.text, /99\.9%/);
  const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(markdown, /!\[Throughput per second \(msg\/s\)\]\(charts\/throughput\.svg\)/);
  assert.ok(
    existsSync(join(dir, 'charts', 'latency-spectrum.svg')),
    'the Markdown report has the same charts beside it',
  );
});

test('report.html of a failover pair: replication, RPO and RTO charts; per-region tables', async () => {
  const dir = fixtureRun('failover-pairs/kafka-east');
  assert.equal((await runCli(['report', dir])).code, 0);
  const page = await open(join(dir, 'report.html'), 'report-failover-kafka.png');
  assert.deepEqual(page.problems, []);
  assertDrawn(page.charts, [
    'throughput',
    'latency-publish',
    'latency-end-to-end',
    'latency-spectrum',
    'fault-recovery',
    'rto',
    'rpo',
    'replication-lag',
    'replicated',
  ]);
  assert.match(page.charts.find((c) => c.id === 'chart-throughput')!.text, /clients moved/);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<h3>By region<\/h3>/);
});

test('report.html of an interrupted run says so at the top and shows what it has', async () => {
  const dir = fixtureRun('kafka-interrupted');
  assert.equal((await runCli(['report', dir])).code, 0);
  const page = await open(join(dir, 'report.html'), 'report-interrupted.png');
  assert.deepEqual(page.problems, []);
  assert.match(page.firstHeading, /INTERRUPTED[\s\S]*This run was interrupted[^\n]*figures cover only what ran/);
  assert.ok(page.charts.length >= 3, 'the charts of what ran');
  assertDrawn(page.charts.slice(0, 1), ['throughput']);
});

test('comparison.html overlays the runs: spectra and timelines of every run on one axis', async () => {
  const out = tempDir('faultline-compare-');
  const compared = await runCli([
    'compare',
    fixtureRun('failover-pairs/kafka-east'),
    fixtureRun('failover-pairs/pulsar-east'),
    '--out',
    out,
  ]);
  assert.equal(compared.code, 0, compared.stderr);
  const page = await open(join(out, 'comparison.html'), 'comparison-failover-pairs.png');
  assert.deepEqual(page.problems, []);
  assertDrawn(page.charts, [
    'spectrum-publish',
    'spectrum-end-to-end',
    'throughput',
    'latency-publishP99',
    'latency-endToEndP99',
    'latency-publishMax',
    'replication-lag',
  ]);
  for (const chart of page.charts) assert.match(chart.text, /kafka-east[\s\S]*pulsar-east/, `${chart.id}: both runs`);
});

test('report.html of a run with resource use: CPU and RSS per process over time, the fault shaded; report.md has them', async () => {
  const dir = fixtureRun('resources/kafka');
  assert.equal((await runCli(['report', dir])).code, 0);
  const page = await open(join(dir, 'report.html'), 'report-resources-kafka.png');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.errors, []);
  assertDrawn(page.charts, [
    'throughput',
    'latency-publish',
    'latency-end-to-end',
    'latency-spectrum',
    'fault-recovery',
    'resources-cpu',
    'resources-rss',
  ]);
  for (const id of ['chart-resources-cpu', 'chart-resources-rss']) {
    const text = page.charts.find((c) => c.id === id)!.text;
    assert.match(text, /kafka\/broker-1[\s\S]*kafka\/toxiproxy[\s\S]*harness \(faultline\)/, `${id}: every process`);
    assert.match(text, /f1 latency/, `${id}: the fault window is labelled`);
  }
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(
    html,
    /<section id="resources">[\s\S]*CPU-s \/ M msgs[\s\S]*chart-resources-cpu/,
    'the table above the charts',
  );
  const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(markdown, /!\[CPU per process[^\]]*\]\(charts\/resources-cpu\.svg\)/);
  assert.ok(existsSync(join(dir, 'charts', 'resources-rss.svg')));
});

test("comparison.html overlays each run's brokers' CPU", async () => {
  const out = tempDir('faultline-compare-');
  const compared = await runCli([
    'compare',
    fixtureRun('resources/kafka'),
    fixtureRun('resources/pulsar'),
    '--out',
    out,
  ]);
  assert.equal(compared.code, 0, compared.stderr);
  const page = await open(join(out, 'comparison.html'), 'comparison-resources.png');
  assert.deepEqual(page.problems, []);
  const cpu = page.charts.find((c) => c.id === 'chart-resources-brokers-cpu');
  assert.ok(cpu, `charts: ${page.charts.map((c) => c.id).join(', ')}`);
  assertDrawn([cpu], ['resources-brokers-cpu']);
  assert.match(cpu.text, /kafka[\s\S]*pulsar/, 'both runs');
  assert.match(readFileSync(join(out, 'comparison.md'), 'utf8'), /Brokers CPU per million messages/);
});
