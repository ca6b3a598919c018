import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadProgress } from '../../src/load/load-run.js';
import { createOutputs, type Output, Outputs, outputOptions } from '../../src/report/outputs.js';
import type { RunResult } from '../../src/report/result.js';

const result = { status: 'passed' } as RunResult;
const progressAt = (elapsedMs: number) => ({ elapsedMs }) as LoadProgress;

test('every output hears each event; one failing does not stop the others, and the failure names it', async () => {
  const heard: string[] = [];
  const recorder = (name: string): Output => ({
    name,
    onResult: async (_, dir) => {
      heard.push(`${name} ${dir}`);
    },
  });
  const failing: Output = {
    name: 'broken.html',
    onResult: async () => {
      throw new Error('disk full');
    },
  };
  const outputs = new Outputs([recorder('result.json'), failing, recorder('report.md')]);
  await assert.rejects(outputs.result(result, '/r'), /broken\.html: disk full/);
  assert.deepEqual(heard, ['result.json /r', 'report.md /r']);
  assert.deepEqual(outputs.written('result'), ['result.json', 'broken.html', 'report.md']);
  assert.deepEqual(outputs.written('comparison'), []);
});

test('progress reaches every output each time; the partial result is built and checkpointed every 5 s, per part', async () => {
  const progressed: string[] = [];
  const checkpoints: string[] = [];
  const outputs = new Outputs([
    {
      name: 'live',
      onProgress: (p, part) => progressed.push(`${part.cluster}@${p.elapsedMs}`),
      onCheckpoint: async (_, dir) => {
        checkpoints.push(dir);
      },
    },
  ]);
  let built = 0;
  const partial = () => {
    built++;
    return result;
  };
  for (const part of [
    { cluster: 'kafka', dir: '/r/kafka' },
    { cluster: 'pulsar', dir: '/r/pulsar' },
  ]) {
    for (let ms = 1000; ms <= 11_000; ms += 1000) outputs.progress(progressAt(ms), part, partial);
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(progressed.length, 22);
  assert.deepEqual(checkpoints, ['/r/kafka', '/r/kafka', '/r/pulsar', '/r/pulsar']);
  assert.equal(built, 4, 'the partial result is built only when checkpointed');
});

test('the command line chooses outputs per command: run writes result.json first', () => {
  assert.deepEqual(createOutputs('run', {}).written('result').slice(0, 2), ['result.json', 'report.md']);
  assert.ok(!createOutputs('report', {}).written('result').includes('result.json'), 'report never rewrites results');
  assert.deepEqual(createOutputs('compare', {}).written('result'), []);
  assert.ok(createOutputs('compare', {}).written('comparison').length > 0);
  for (const command of ['run', 'report', 'compare'] as const) {
    const flags = outputOptions(command).map((o) => o.long);
    assert.equal(new Set(flags).size, flags.length, `${command}: no flag twice`);
  }
});

test('--junit, --summary and --hlog choose their outputs; GITHUB_STEP_SUMMARY stands in for --summary', () => {
  const saved = process.env.GITHUB_STEP_SUMMARY;
  try {
    delete process.env.GITHUB_STEP_SUMMARY;
    assert.deepEqual(createOutputs('run', {}).written('result'), ['result.json', 'report.md', 'report.html']);
    const chosen = createOutputs('run', { junit: 'out/junit.xml', summary: 'out/summary.md', hlog: true });
    assert.equal(chosen.written('result').length, 6);
    assert.ok(chosen.written('result').some((name) => /^JUnit XML \(.*out\/junit\.xml\)$/.test(name)));
    process.env.GITHUB_STEP_SUMMARY = '/tmp/step-summary.md';
    assert.ok(createOutputs('run', {}).written('result').includes('summary (/tmp/step-summary.md)'));
    assert.ok(createOutputs('compare', {}).written('comparison').includes('summary (/tmp/step-summary.md)'));
  } finally {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  }
});
