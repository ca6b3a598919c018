import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DriverFactory } from '../../src/drivers/driver.js';
import { lazyDriver } from '../../src/drivers/lazy-driver.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { driversFor } from '../../src/systems/systems.js';

const endpoints = { bootstrap: '127.0.0.1:9092' };

test('a lazy driver loads its module once, when the plan asks whether it can run, and not before', async () => {
  let loads = 0;
  const made: string[] = [];
  const real = {
    name: 'x',
    system: 'kafka',
    unavailableReason: async () => undefined,
    createClient: () => {
      made.push('client');
      return {} as never;
    },
    createAdmin: () => {
      made.push('admin');
      return {} as never;
    },
  } as unknown as DriverFactory;
  const driver = lazyDriver({
    name: 'x',
    system: 'kafka',
    producerOptions: real.producerOptions,
    consumerOptions: real.consumerOptions,
    load: async () => {
      loads++;
      return real;
    },
  });
  assert.equal(loads, 0, 'nothing loaded at creation');
  assert.throws(() => driver.createAdmin(endpoints, () => {}), /the x driver was used before it was loaded/);
  assert.equal(await driver.unavailableReason(), undefined);
  await driver.unavailableReason();
  assert.equal(loads, 1, 'loaded once');
  driver.createAdmin(endpoints, () => {});
  driver.createClient({} as never);
  assert.deepEqual(made, ['admin', 'client']);
});

test('driver: platformatic in a scenario: the plan loads @platformatic/kafka and its clients can be made; auto does not load it', async () => {
  const platformatic = driversFor('kafka').find((d) => d.name === 'platformatic')!;
  const plan = (driver: string) =>
    buildPlan(
      parseScenario(
        `name: p\nclusters: [{name: k, system: kafka, driver: ${driver}}]\ntopics: [{name: t}]\nworkload: {duration: 5s, rate: 10/s}\n`,
        'p.yaml',
      ),
    );
  assert.equal((await plan('auto')).runs[0]!.driver.name, 'kafkajs');
  assert.throws(() => platformatic.createAdmin(endpoints, () => {}), /used before it was loaded/);
  const run = (await plan('platformatic')).runs[0]!;
  assert.equal(run.driver.name, 'platformatic');
  const admin = run.driver.createAdmin(endpoints, () => {});
  assert.equal(typeof admin.waitForBrokers, 'function');
});
