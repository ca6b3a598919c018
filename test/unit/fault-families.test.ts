/** The fault-family registry: one family per action, and what each takes exists in the scenario schema. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultActions, faultFamilies, familyOf } from '../../src/faults/fault-families.js';
import { faultSchema } from '../../src/faults/fault-schema.js';

test('every action belongs to exactly one family, in the order the schema lists the actions', () => {
  const listed = faultFamilies.flatMap((f) => [...f.actions] as string[]);
  assert.equal(new Set(listed).size, listed.length, `an action claimed twice: ${listed.join(', ')}`);
  assert.deepEqual(faultSchema.shape.action.options, listed);
  for (const action of faultActions) assert.ok(familyOf(action).actions.includes(action as never), action);
});

test('each action takes only fields of the schema, and every family field is taken by some action', () => {
  const fields = Object.keys(faultSchema.shape);
  const taken = new Set<string>();
  for (const family of faultFamilies)
    for (const action of family.actions) {
      const takes = (family.takes as Record<string, readonly string[]>)[action];
      assert.ok(takes, `${action} says what it takes`);
      for (const field of takes) {
        assert.ok(fields.includes(field), `${action} takes ${field}, which the schema lacks`);
        taken.add(field);
      }
    }
  for (const family of faultFamilies)
    for (const field of Object.keys(family.fields)) assert.ok(taken.has(field), `no action takes ${field}`);
});

test('instant actions (restart) and process faults are told by their family', () => {
  assert.deepEqual(familyOf('restart').instant?.actions, ['restart']);
  assert.equal(familyOf('region-outage').breaks({ action: 'region-outage', mode: 'isolate' }), 'links');
  assert.equal(familyOf('region-outage').breaks({ action: 'region-outage', mode: 'kill' }), 'processes');
  assert.equal(familyOf('latency').breaks({ action: 'latency' }), 'links');
});
