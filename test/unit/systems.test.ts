import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterSchema } from '../../src/scenario/schema.js';
import { allSystemFacts, driverChoices, factsOf, systemNames } from '../../src/systems/facts.js';
import { allSystems, driversFor, systemOf } from '../../src/systems/systems.js';

test('the facts registry and the systems registry list the same systems, in the same order', () => {
  assert.deepEqual(
    allSystems.map((s) => s.name),
    allSystemFacts.map((s) => s.name),
  );
  assert.deepEqual(systemNames, ['kafka', 'pulsar']);
  for (const name of systemNames) assert.equal(systemOf(name).label, factsOf(name).label);
});

test("every driver a system's facts name has a factory of that name and system, in auto order", () => {
  for (const system of allSystems) {
    const factories = driversFor(system.name);
    assert.deepEqual(
      factories.map((d) => d.name),
      system.drivers.map((d) => d.name),
    );
    for (const factory of factories) assert.equal(factory.system, system.name, `${factory.name} says its system`);
    assert.deepEqual(Object.keys(system.driverFactories).sort(), system.drivers.map((d) => d.name).sort());
  }
});

test("the scenario schema's system and driver values come from the registry", () => {
  assert.deepEqual(driverChoices, ['auto', 'kafkajs', 'platformatic', 'native', 'binary', 'websocket']);
  const base = { name: 'a', system: 'kafka' };
  for (const driver of driverChoices) assert.ok(clusterSchema.safeParse({ ...base, driver }).success, driver);
  assert.ok(!clusterSchema.safeParse({ ...base, driver: 'rdkafka' }).success);
  assert.ok(!clusterSchema.safeParse({ ...base, system: 'rabbitmq' }).success);
});

test('an unregistered system is an error that names it', () => {
  assert.throws(() => systemOf('rabbitmq' as never), /no broker system "rabbitmq"/);
});
