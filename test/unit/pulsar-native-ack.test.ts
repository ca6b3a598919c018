/** The native driver's consumer: an acknowledgement the addon rejects is counted and logged, never fatal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acknowledgeQuietly, type NativeMessage } from '../../src/drivers/pulsar/pulsar-native-driver.js';
import { ProblemCounter } from '../../src/drivers/pulsar/websocket-frames.js';

test('a rejected native acknowledgement is counted and logged, never an unhandled rejection', async () => {
  const logs: string[] = [];
  const rejected = new ProblemCounter('Pulsar acknowledgement rejected', (line) => logs.push(line));
  const message: NativeMessage = {
    getData: () => Buffer.alloc(0),
    getTopicName: () => 'persistent://public/default/t',
    getMessageId: () => '1:2:-1',
  };
  let unhandled: unknown;
  const onUnhandled = (reason: unknown) => (unhandled = reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    acknowledgeQuietly({ acknowledge: () => Promise.reject(new Error('AlreadyClosed')) }, message, rejected);
    acknowledgeQuietly(
      {
        acknowledge: () => {
          throw new Error('not connected');
        },
      },
      message,
      rejected,
    );
    acknowledgeQuietly({ acknowledge: () => undefined }, message, rejected);
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(unhandled, undefined);
  assert.equal(rejected.count, 2);
  assert.match(logs.join('\n'), /rejected #\d \(AlreadyClosed\)/);
  assert.match(logs.join('\n'), /rejected #\d \(not connected\)/);
});
