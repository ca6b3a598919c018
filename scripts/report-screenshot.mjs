#!/usr/bin/env node
// Screenshots of a run's report.html for the README, in headless chromium (scripts/install-browser.sh) driven by
// playwright-core: the top of the page (verdicts, throughput, latency) and, when the report has one, its resources
// section (≈180 and ≈110 KiB at this width).
//
//   node scripts/report-screenshot.mjs RUN_DIR/report.html docs/report-html.png [docs/report-resources.png]
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [report, topFile, resourcesFile] = process.argv.slice(2);
if (!report || !topFile) {
  console.error('usage: node scripts/report-screenshot.mjs REPORT.html TOP.png [RESOURCES.png]');
  process.exit(2);
}
const executablePath = process.env.FAULTLINE_CHROMIUM ?? '/usr/bin/chromium';
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 1000 } });
  await page.goto(`file://${resolve(report)}`, { waitUntil: 'load' });
  // The top: from the title to the end of the publish latency chart.
  const end = await page.$eval('#chart-latency-publish', (figure) => figure.getBoundingClientRect().bottom);
  await page.screenshot({
    path: topFile,
    fullPage: true,
    clip: { x: 0, y: 0, width: 1040, height: Math.ceil(end) + 8 },
  });
  printSize(topFile);
  if (resourcesFile) {
    const section = await page.$('#resources');
    if (!section) throw new Error(`${report} has no resources section`);
    await section.screenshot({ path: resourcesFile });
    printSize(resourcesFile);
  }
} finally {
  await browser.close();
}

function printSize(file) {
  console.log(`${file}: ${Math.round(statSync(file).size / 1024)} KiB`);
}
