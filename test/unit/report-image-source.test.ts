/**
 * The report's cluster rows name how each broker's image was chosen (`cluster.containers[].imageSource`) next to
 * the image, and a fallback's reason: on a real docker run's result (test/fixtures/reports/docker-pulsar-geo, the
 * official image could not be pulled, faultline's own build ran) and on copies of it edited in memory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { renderReport } from '../../src/report/markdown-report.js';
import type { RunResult } from '../../src/report/result.js';
import { fixtureResult } from './report-fixtures.js';

const brokerRow = (md: string) => md.split('\n').find((line) => line.startsWith('| Broker resources |')) ?? '';

function withContainer(edit: Partial<NonNullable<RunResult['cluster']['containers']>[number]>): RunResult {
  const r = fixtureResult('docker-pulsar-geo');
  const container = { ...r.cluster.containers![0]!, ...edit };
  for (const key of Object.keys(edit) as Array<keyof typeof edit>) if (edit[key] === undefined) delete container[key];
  r.cluster.containers = [container];
  return r;
}

test('report.md: a local fallback shows "local" next to the image, with why the official image did not run', async () => {
  const r = fixtureResult('docker-pulsar-geo');
  assert.equal(r.cluster.containers![0]!.imageSource, 'local');
  const row = brokerRow(await renderReport(r));
  assert.match(
    row,
    /image faultline\/pulsar:4\.0\.7-473f958678bd \(sha256:b8db8783aa50\) — local: faultline's own build, as the official image did not run: apachepulsar\/pulsar:4\.0\.7 could not be pulled \(Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp: lookup registry-1\.docker\.io .*no such host\) \|$/,
  );
});

test('report.html: the same cluster row, escaped', () => {
  const html = renderHtmlReport(fixtureResult('docker-pulsar-geo'), []);
  assert.match(
    html,
    /<th>Broker resources<\/th><td>[^<]*faultline\/pulsar:4\.0\.7-473f958678bd \(sha256:b8db8783aa50\) — local: faultline&#39;s own build, as the official image did not run: apachepulsar\/pulsar:4\.0\.7 could not be pulled/,
  );
});

test('pulled and present images say so, without a reason; a result without imageSource shows the image alone', async () => {
  const pulled = brokerRow(
    await renderReport(
      withContainer({ imageSource: 'pulled', imageSourceReason: undefined, image: 'apachepulsar/pulsar:4.0.7' }),
    ),
  );
  assert.match(pulled, /image apachepulsar\/pulsar:4\.0\.7 \(sha256:b8db8783aa50\) — pulled: by this run \|$/);
  const present = brokerRow(
    await renderReport(withContainer({ imageSource: 'present', imageSourceReason: undefined })),
  );
  assert.match(present, /\(sha256:b8db8783aa50\) — present: already on this machine \|$/);
  const old = brokerRow(await renderReport(withContainer({ imageSource: undefined, imageSourceReason: undefined })));
  assert.match(old, /image faultline\/pulsar:4\.0\.7-473f958678bd \(sha256:b8db8783aa50\) \|$/);
});

test('a reason with a pipe or a line break keeps the table row whole', async () => {
  const md = await renderReport(withContainer({ imageSourceReason: 'pull failed:\nerror | denied' }));
  assert.match(brokerRow(md), /as the official image did not run: pull failed: error \\\| denied \|$/);
});
