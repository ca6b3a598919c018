import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionOfMessageId, partitionOfTopicName } from '../../src/drivers/pulsar/message-id.js';
import { varint } from './pulsar-fake-web-service.js';

function messageId(fields: Array<[number, bigint]>): string {
  return Buffer.from(fields.flatMap(([field, value]) => [(field << 3) | 0, ...varint(value)])).toString('base64');
}

test('the partition of a WebSocket message id (MessageIdData protobuf)', () => {
  assert.equal(
    partitionOfMessageId(
      messageId([
        [1, 123456789n],
        [2, 42n],
        [3, 2n],
        [4, -1n],
      ]),
    ),
    2,
  );
  assert.equal(
    partitionOfMessageId(
      messageId([
        [1, 7n],
        [2, 0n],
        [3, -1n],
      ]),
    ),
    -1,
    'not partitioned',
  );
  assert.equal(
    partitionOfMessageId(
      messageId([
        [1, 7n],
        [2, 3n],
      ]),
    ),
    -1,
    'no partition field',
  );
  assert.equal(partitionOfMessageId(Buffer.from([0x08, 0xff]).toString('base64')), -1, 'truncated');
  assert.equal(partitionOfMessageId('not base64 at all!'), -1);
});

test('the partition of a Pulsar topic name', () => {
  assert.equal(partitionOfTopicName('persistent://public/default/t-partition-11'), 11);
  assert.equal(partitionOfTopicName('persistent://public/default/t'), -1);
});
