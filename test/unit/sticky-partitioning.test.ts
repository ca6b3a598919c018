/** The platformatic driver's split of a send: keyless messages of a send to one partition, the next send the next. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPartitioner } from '../../src/drivers/kafka/partitioning.js';
import { StickyPartitioning } from '../../src/drivers/kafka/sticky-partitioning.js';

const topic = { name: 't', partitions: 3 };
const keyless = (n: number) => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(String(i)) }));

test('keyless messages of one send go to one partition; sends take the partitions in turn from the first given', () => {
  const split = new StickyPartitioning(3, defaultPartitioner(topic), 1);
  const sends = [5, 2, 4, 1].map((n) => split.split(keyless(n)));
  assert.deepEqual(
    sends.map((s) => [...s.keys()]),
    [[1], [2], [0], [1]],
  );
  assert.deepEqual(sends[0]!.get(1), [0, 1, 2, 3, 4], 'every index, in send order');
});

test('keyed messages land where the default partitioner puts them (as with kafkajs), and do not move the turn', () => {
  const partitionOf = defaultPartitioner(topic);
  const split = new StickyPartitioning(3, partitionOf, 0);
  const keyed = ['a', 'b', 'c', 'd'].map((k) => ({ key: Buffer.from(k), value: Buffer.from(k) }));
  const byPartition = split.split(keyed);
  for (const [partition, indexes] of byPartition)
    for (const i of indexes) assert.equal(partitionOf(keyed[i]!), partition);
  assert.deepEqual([...split.split(keyless(2)).keys()], [0], 'the keyless turn is still at the first partition');
  assert.equal(split.split([]).size, 0);
});
