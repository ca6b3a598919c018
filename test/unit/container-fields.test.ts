/** image and resources: refused where they cannot apply, impossible caps refused with file:line:col and field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkContainerFields } from '../../src/cluster/docker/container-fields.js';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import type { Problem } from '../../src/scenario/problems.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

const yaml = (cluster: string) => `name: caps
clusters:
  - name: main
    system: kafka
${cluster}
topics:
  - {name: t}
workload: {duration: 2s, rate: 10/s}
`;

async function problemsOf(cluster: string): Promise<string> {
  try {
    await buildPlan(parseScenario(yaml(cluster), 'caps.yaml'));
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    assert.equal(error.exitCode, 2);
    return error.message;
  }
  return '';
}

test('image and resources on the local provider are refused, each naming its field and line', async () => {
  const message = await problemsOf('    image: faultline/kafka:4.1.1\n    resources: {cpus: 1}');
  assert.match(
    message,
    /caps\.yaml:5:\d+: clusters\[0\]\.image: image applies to provider docker only \(this cluster's provider is local\)/,
  );
  assert.match(message, /caps\.yaml:6:\d+: clusters\[0\]\.resources: resources applies to provider docker only/);
});

test('cpus: 0 is refused by the schema with its field', async () => {
  assert.match(
    await problemsOf('    provider: docker\n    resources: {cpus: 0}'),
    /caps\.yaml:6:\d+: clusters\[0\]\.resources\.cpus: must be more than 0/,
  );
});

test('more CPUs than the machine has, and memory below the heap plus what a JVM needs beside it, are refused', () => {
  const problems: Problem[] = [];
  const cluster = (over: Record<string, unknown>) =>
    ({ name: 'main', system: 'kafka', provider: 'docker', brokers: 1, ...over }) as never;
  checkContainerFields(cluster({ resources: { cpus: 3 } }), 0, problems, 2);
  checkContainerFields(cluster({ resources: { memory: 2 ** 30 } }), 1, problems, 2);
  checkContainerFields(cluster({ heap: 512 * 2 ** 20, resources: { memory: 700 * 2 ** 20 } }), 2, problems, 2);
  checkContainerFields(cluster({ heap: 512 * 2 ** 20, resources: { cpus: 2, memory: 768 * 2 ** 20 } }), 3, problems, 2);
  assert.deepEqual(
    problems.map((p) => [p.path.join('.'), p.message]),
    [
      ['clusters.0.resources.cpus', '3 CPUs is more than this machine has (2): a cap above it caps nothing'],
      [
        'clusters.1.resources.memory',
        '1GiB is below what the broker needs: its heap (1GiB, the default) plus 256MiB outside the heap; raise memory to at least 1280MiB or lower heap',
      ],
      [
        'clusters.2.resources.memory',
        '700MiB is below what the broker needs: its heap (512MiB) plus 256MiB outside the heap; raise memory to at least 768MiB or lower heap',
      ],
    ],
  );
});
