import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterProvider, RunningCluster } from '../../src/cluster/provider.js';
import type { ProcessRegistry } from '../../src/cluster/process-registry.js';
import type { DriverFactory } from '../../src/drivers/driver.js';
import { buildPlan } from '../../src/plan/plan.js';
import { RunningTopology } from '../../src/run/running-topology.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

const yaml = `name: t
clusters:
  - {name: a, system: kafka}
  - {name: b, system: kafka}
topics: [{name: t, cluster: a}]
replication: [{from: a, to: b}]
workload: {duration: 1s, rate: 1/s}
`;

/** Providers that record what starts and stops; `failing` rejects its start after a tick. */
function fakes(events: string[], failing?: string) {
  const provider = (name: string): ClusterProvider => ({
    name: 'local',
    system: 'kafka',
    defaultVersion: '4.1.1',
    controls: { processes: true, links: true },
    prepare: async () => {},
    async start(spec): Promise<RunningCluster> {
      events.push(`start ${spec.name}`);
      await new Promise((resolve) => setImmediate(resolve));
      if (spec.name === failing) throw new Error(`${name} would not start`);
      return {
        spec,
        version: '4.1.1',
        endpoints: { bootstrap: `${spec.name}:9092` },
        brokers: [],
        stop: async () => void events.push(`stop ${spec.name}`),
      };
    },
  });
  const driver = {
    createAdmin: (endpoints: { bootstrap: string }) => ({
      waitForBrokers: async () => {},
      ensureTopics: async (topics: Array<{ name: string }>) =>
        void events.push(`topics ${endpoints.bootstrap} ${topics.map((t) => t.name).join(',')}`),
      close: async () => {},
    }),
  } as unknown as DriverFactory;
  return { provider, driver };
}

async function topologyWith(events: string[], failing?: string) {
  const plan = await buildPlan(parseScenario(yaml, 't.yaml'));
  const { provider, driver } = fakes(events, failing);
  const runs = plan.runs.map((run) => ({ ...run, provider: provider(run.cluster.name), driver }));
  const context = {
    runId: 'x',
    logDir: '/nonexistent',
    registry: {} as ProcessRegistry,
    signal: new AbortController().signal,
    log: () => {},
    info: () => {},
  };
  return new RunningTopology({ ...plan, runs }, runs, plan.joined[0], context);
}

test('joined clusters start together; a cluster that fails leaves the other stopped, in reverse order, and no replicator started', async () => {
  const events: string[] = [];
  const topology = await topologyWith(events, 'b');
  await assert.rejects(topology.start(), /would not start/);
  assert.deepEqual(events, ['start a', 'start b']);
  assert.equal(topology.workloadRun.cluster.name, 'a');
  await topology.stop();
  assert.deepEqual(events, ['start a', 'start b', 'stop a']);
  assert.equal(topology.replicators.length, 0);
});
