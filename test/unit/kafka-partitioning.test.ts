import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutgoingMessage } from '../../src/drivers/driver.js';
import { defaultPartitioner, indexesByPartition } from '../../src/drivers/kafka/partitioning.js';

const message = (key?: string): OutgoingMessage => ({ key: key ? Buffer.from(key) : null, value: Buffer.from('v') });

test('Kafka partitioning: a key always lands on one partition, keyless sends go round the partitions', () => {
  const partitionOf = defaultPartitioner({ name: 't', partitions: 6 });
  const keyed = Array.from({ length: 5 }, () => partitionOf(message('order-42')));
  assert.equal(new Set(keyed).size, 1);
  const keyless = Array.from({ length: 12 }, () => partitionOf(message()));
  assert.deepEqual(new Set(keyless), new Set([0, 1, 2, 3, 4, 5]));
  assert.ok(keyless.every((p) => p >= 0 && p < 6));
});

test('Kafka partitioning: a batch splits into one share per partition, in send order within each', () => {
  const byKey = (m: OutgoingMessage) => Number(m.key!.toString());
  const shares = indexesByPartition(
    ['1', '0', '1', '2', '0'].map((key) => message(key)),
    byKey,
  );
  assert.deepEqual(
    [...shares],
    [
      [1, [0, 2]],
      [0, [1, 4]],
      [2, [3]],
    ],
  );
});
