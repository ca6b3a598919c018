/**
 * The platformatic consumer group when its client object has lost its coordinator, as pure logic (the library's
 * consumer scripted; the real broker runs in test/integration/coordinator-kill.test.ts). @platformatic/kafka 1.35
 * never looks its coordinator up again, and throws a TypeError from a callback once the dead coordinator's
 * broker is fenced, leaving the call that ran into it without an answer: the member must not wait on that call
 * forever, and must reopen on a fresh client object. Any other uncaught error still ends the process.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { Consumer } from '@platformatic/kafka';
import {
  bounded,
  PlatformaticConsumerGroup,
  thrownByTheLibrary,
} from '../../src/drivers/kafka/platformatic-consumer.js';
import { platformaticConsumerOptions } from '../../src/drivers/kafka/platformatic-options.js';
import { topicSchema } from '../../src/scenario/schema.js';

class ScriptedStream extends EventEmitter {
  destroyed = false;
  close(callback: () => void): void {
    this.destroyed = true;
    callback();
  }
}

/** A scripted client object: `lost` ones never answer a commit (the call the library's TypeError cut short). */
class ScriptedConsumer extends EventEmitter {
  readonly streams: ScriptedStream[] = [];
  commits = 0;
  closed = false;
  constructor(
    readonly index: number,
    private readonly lost: boolean,
  ) {
    super();
  }
  async consume(): Promise<ScriptedStream> {
    const stream = new ScriptedStream();
    this.streams.push(stream);
    setImmediate(() =>
      this.emit('consumer:group:join', {
        generationId: this.index + 1,
        assignments: [{ topic: 't', partitions: [0] }],
      }),
    );
    return stream;
  }
  commit(): Promise<void> {
    this.commits++;
    return this.lost ? new Promise(() => {}) : Promise.resolve();
  }
  clearMetadata(): void {}
  close(_force: boolean, callback: (error?: Error | null) => void): void {
    this.closed = true;
    callback(null);
  }
}

test('thrownByTheLibrary tells the library’s own throws by their stack', () => {
  const error = new TypeError("Cannot read properties of undefined (reading 'host')");
  error.stack = `${error.message}\n    at ConnectionPool.#get (/x/node_modules/@platformatic/kafka/dist/network/connection-pool.js:98:33)`;
  assert.equal(thrownByTheLibrary(error), true);
  assert.equal(thrownByTheLibrary(new TypeError('ours')), false);
  assert.equal(thrownByTheLibrary('a string'), false);
});

test('bounded rejects a call that never answers, naming the step', async () => {
  await assert.rejects(bounded(new Promise(() => {}), 20, 'committing'), /committing did not finish within 20 ms/);
  assert.equal(await bounded(Promise.resolve(7), 20, 'x'), 7);
});

test('a member whose client lost its coordinator (the library threw, its commit never answers) reopens on a fresh client', async (t) => {
  // Only the member's own listener sees the library's throw (node:test's would fail the test).
  const others = process.listeners('uncaughtException');
  for (const listener of others) process.off('uncaughtException', listener);
  t.after(() => {
    for (const listener of others) process.on('uncaughtException', listener);
  });
  const consumers: ScriptedConsumer[] = [];
  const lines: string[] = [];
  const received: string[] = [];
  const group = await PlatformaticConsumerGroup.open(
    {
      topic: topicSchema.parse({ name: 't', partitions: 1 }),
      group: 'g',
      members: 1,
      sink: (value) => received.push(value.toString()),
      readyTimeoutMs: 5_000,
      signal: new AbortController().signal,
    },
    platformaticConsumerOptions.parse({ sessionTimeout: '6s' }),
    (index) => {
      const consumer = new ScriptedConsumer(consumers.length, consumers.length === 0);
      assert.equal(index, 0);
      consumers.push(consumer);
      return consumer as unknown as Consumer;
    },
    () => performance.now(),
    (line) => lines.push(line),
  );
  try {
    const [first] = consumers;
    first!.streams[0]!.emit('data', { partition: 0, offset: 41n, value: Buffer.from('a'), timestamp: 0n });
    // The library throws from a callback: its stack is the library's, and nobody can catch it but the listener.
    const thrown = new TypeError("Cannot read properties of undefined (reading 'host')");
    thrown.stack = `${thrown.message}\n    at ConnectionPool.#get (node_modules/@platformatic/kafka/dist/network/connection-pool.js:98:33)`;
    setImmediate(() => {
      throw thrown;
    });
    const deadline = Date.now() + 5_000;
    while (consumers.length < 2 || consumers[1]!.streams.length === 0) {
      assert.ok(Date.now() < deadline, `a fresh client reading within 5 s:\n${lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(lines.join('\n'), /the client library threw \(TypeError: Cannot read properties of undefined/);
    assert.equal(first!.commits, 0, 'nothing was asked of the client that lost its coordinator');
    assert.equal(first!.closed, true, 'the old client object was closed');
    assert.equal(consumers[1]!.commits, 1, 'the positions reached were committed through the fresh client');
    consumers[1]!.streams[0]!.emit('data', { partition: 0, offset: 42n, value: Buffer.from('b'), timestamp: 0n });
    assert.deepEqual(received, ['a', 'b']);
  } finally {
    await group.close();
  }
});

test('a commit that never answers does not hold the member: the next reopen uses a fresh client', async () => {
  const consumers: ScriptedConsumer[] = [];
  const lines: string[] = [];
  const group = await PlatformaticConsumerGroup.open(
    {
      topic: topicSchema.parse({ name: 't', partitions: 1 }),
      group: 'g',
      members: 1,
      sink: () => {},
      readyTimeoutMs: 5_000,
      signal: new AbortController().signal,
    },
    platformaticConsumerOptions.parse({}),
    () => {
      const consumer = new ScriptedConsumer(consumers.length, consumers.length === 0);
      consumers.push(consumer);
      return consumer as unknown as Consumer;
    },
    () => performance.now(),
    (line) => lines.push(line),
  );
  try {
    consumers[0]!.streams[0]!.emit('data', { partition: 0, offset: 5n, value: Buffer.from('a'), timestamp: 0n });
    consumers[0]!.streams[0]!.emit('error', new Error('fetch failed 4 times.'));
    const deadline = Date.now() + 12_000;
    while (consumers.length < 2 || consumers[1]!.streams.length === 0) {
      assert.ok(Date.now() < deadline, `a fresh client reading within 12 s:\n${lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(consumers[0]!.commits, 1, 'the first reopen tried the same client');
    assert.match(lines.join('\n'), /committing did not finish within 5000 ms/);
  } finally {
    await group.close();
  }
});
