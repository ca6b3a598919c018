/**
 * The Pulsar WebSocket driver against a fake web service on 127.0.0.1: producers and consumers come back after
 * their sockets drop (a broker restart), messages whose answer was lost with the socket fail as unknown-outcome
 * (never acked), sends wait for the reconnect within the send timeout, clients stop reconnecting once closed,
 * and unreadable frames are skipped and counted.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { MessagingClient, ProducerHandle } from '../../src/drivers/driver.js';
import { pulsarWebSocketDriver } from '../../src/drivers/pulsar/pulsar-websocket-driver.js';
import { backoffDelay, RECONNECT_BACKOFF } from '../../src/drivers/pulsar/reconnecting-socket.js';
import type { TopicSpec } from '../../src/scenario/schema.js';
import { FakePulsarWebService } from './pulsar-fake-web-service.js';

const topic: TopicSpec = { name: 't', partitions: 1, replicationFactor: 1, config: {} } as TopicSpec;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(producerOptions: Record<string, unknown> = {}) {
  const fake = await FakePulsarWebService.start();
  const logs: string[] = [];
  const client = pulsarWebSocketDriver.createClient({
    endpoints: { bootstrap: 'pulsar://127.0.0.1:1', webServiceUrl: fake.url },
    producerOptions,
    consumerOptions: { subscriptionType: 'Exclusive' },
    log: (line) => logs.push(line),
    clock: () => performance.now(),
  });
  cleanups.push(
    () => fake.close(),
    () => client.close(),
  );
  return { fake, client, logs };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface SendOutcome {
  acked: number[];
  error: (Error & { type?: string }) | undefined;
}

async function send(producer: ProducerHandle, count: number, tag = 'm'): Promise<SendOutcome> {
  const acked: number[] = [];
  const messages = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${tag}-${i}`) }));
  try {
    await producer.send('t', messages, (indexes) => acked.push(...indexes));
    return { acked, error: undefined };
  } catch (error) {
    return { acked, error: error as Error & { type?: string } };
  }
}

test('reconnect waits grow from 100 ms, doubling, to a 2 s bound', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 50].map((attempt) => backoffDelay(attempt, RECONNECT_BACKOFF)),
    [100, 200, 400, 800, 1600, 2000, 2000],
  );
});

test('a producer whose socket dropped reconnects, and later sends are acknowledged', async () => {
  const { fake, client, logs } = await setUp();
  const producer = await client.createProducer(0, topic);
  assert.deepEqual((await send(producer, 3)).acked, [0, 1, 2]);
  fake.dropAll({ newLedgers: true });
  await waitFor(
    () => logs.some((line) => /WebSocket closed .*; reconnecting/.test(line)),
    'the client to see the drop',
  );
  const after = await send(producer, 3, 'after');
  assert.equal(after.error, undefined, String(after.error));
  assert.deepEqual(after.acked.sort(), [0, 1, 2]);
  assert.equal(fake.topic('t').entries.length, 6);
  assert.ok(
    logs.some((line) => /reconnected after/.test(line)),
    logs.join('\n'),
  );
});

test('messages in flight when the socket drops fail as unknown-outcome and are never acknowledged', async () => {
  const { fake, client } = await setUp();
  const producer = await client.createProducer(0, topic);
  fake.holdReplies = true;
  const pending = send(producer, 4);
  await waitFor(() => fake.attempts.producer === 1 && fake.topic('t').entries.length === 0, 'the send to leave');
  await new Promise((resolve) => setImmediate(resolve));
  fake.dropAll();
  const outcome = await pending;
  assert.deepEqual(outcome.acked, []);
  assert.equal(outcome.error?.type, 'unknown-outcome');
  fake.holdReplies = false;
  assert.deepEqual((await send(producer, 2)).acked.sort(), [0, 1], 'the producer came back');
});

test('while the broker refuses connections, a send waits for the reconnect within the send timeout', async () => {
  const { fake, client } = await setUp({ sendTimeout: '5s' });
  const producer = await client.createProducer(0, topic);
  fake.refusing = true;
  fake.dropAll();
  await waitFor(() => fake.attempts.producer >= 2, 'a refused reconnect attempt');
  const pending = send(producer, 2);
  await waitFor(() => fake.attempts.producer >= 3, 'a few refused reconnect attempts');
  fake.refusing = false;
  const outcome = await pending;
  assert.equal(outcome.error, undefined, String(outcome.error));
  assert.deepEqual(outcome.acked.sort(), [0, 1]);
});

test('a send that waited for a connection for the whole send timeout fails as not-connected (never sent)', async () => {
  const { fake, client } = await setUp({ sendTimeout: '300ms' });
  const producer = await client.createProducer(0, topic);
  fake.refusing = true;
  fake.dropAll();
  await waitFor(() => fake.attempts.producer >= 2, 'a refused reconnect attempt');
  const outcome = await send(producer, 2);
  assert.deepEqual(outcome.acked, []);
  assert.equal(outcome.error?.type, 'not-connected');
  assert.equal(fake.topic('t').entries.length, 0);
});

test('a closed client stops reconnecting', async () => {
  const { fake, client } = await setUp();
  await client.createProducer(0, topic);
  await client.createConsumerGroup({
    topic,
    group: 'g',
    members: 1,
    sink: () => {},
    readyTimeoutMs: 5_000,
    signal: new AbortController().signal,
  });
  fake.refusing = true;
  fake.dropAll();
  await waitFor(() => fake.attempts.producer >= 2 && fake.attempts.consumer >= 2, 'reconnect attempts');
  await client.close();
  const attempts = { ...fake.attempts };
  // A reconnect still scheduled would have fired within the longest backoff.
  fake.refusing = false;
  await new Promise((resolve) => setTimeout(resolve, RECONNECT_BACKOFF.maxMs + 500));
  assert.deepEqual(fake.attempts, attempts);
});

async function consumeAll(client: MessagingClient, received: string[]) {
  return client.createConsumerGroup({
    topic,
    group: 'g',
    members: 1,
    sink: (value) => received.push(value.toString()),
    readyTimeoutMs: 5_000,
    signal: new AbortController().signal,
  });
}

test('a consumer whose socket dropped subscribes again and goes on delivering, with acknowledgements', async () => {
  const { fake, client } = await setUp();
  const received: string[] = [];
  await consumeAll(client, received);
  const producer = await client.createProducer(0, topic);
  await send(producer, 5, 'a');
  await waitFor(() => received.length === 5, 'the first five');
  await waitFor(() => fake.topic('t').subscriptions.get('g')!.acked.size === 5, 'their acks');
  fake.refusing = true;
  fake.dropAll({ newLedgers: true });
  await waitFor(() => fake.attempts.consumer >= 2, 'a refused resubscription');
  // written while the consumer is away (the log goes on without it)
  for (let i = 0; i < 5; i++) fake.topic('t').append(Buffer.from(`b-${i}`).toString('base64'));
  fake.refusing = false;
  await waitFor(() => received.length === 10, 'the next five, after the resubscription');
  assert.deepEqual(received, [...['a', 'b'].flatMap((tag) => Array.from({ length: 5 }, (_, i) => `${tag}-${i}`))]);
  await waitFor(() => fake.topic('t').subscriptions.get('g')!.acked.size === 10, 'every message acknowledged');
});

test('unreadable frames are skipped and counted; the run goes on', async () => {
  const { fake, client, logs } = await setUp();
  const received: string[] = [];
  await consumeAll(client, received);
  const producer = await client.createProducer(0, topic);
  fake.sendRaw('consumer', 'not json {');
  fake.sendRaw('consumer', JSON.stringify({ payload: 'eA==' }));
  fake.sendRaw('consumer', JSON.stringify({ messageId: 'CAE=', payload: 7 }));
  fake.sendRaw('consumer', 'null');
  fake.sendRaw('producer', 'garbage');
  fake.sendRaw('producer', JSON.stringify({ context: '99.0' }));
  fake.sendRaw('producer', JSON.stringify({ result: 'ok', context: 'no-such-batch.0' }));
  const outcome = await send(producer, 3);
  assert.deepEqual(outcome.acked.sort(), [0, 1, 2]);
  await waitFor(() => received.length === 3, 'the good messages');
  await waitFor(
    () => logs.filter((line) => line.startsWith('unreadable Pulsar WebSocket frame skipped #')).length === 7,
    'seven skipped frames logged',
  );
  assert.deepEqual(received, ['m-0', 'm-1', 'm-2']);
});

test('an unreadable answer naming a message in flight fails that message as unknown-outcome', async () => {
  const { fake, client } = await setUp();
  const producer = await client.createProducer(0, topic);
  fake.holdReplies = true;
  const pending = send(producer, 1);
  await waitFor(() => fake.attempts.producer === 1, 'the producer');
  await new Promise((resolve) => setTimeout(resolve, 50));
  // the first batch of this producer is batch 0
  fake.sendRaw('producer', JSON.stringify({ context: '0.0', result: 42 }));
  const outcome = await pending;
  assert.equal(outcome.error?.type, 'unknown-outcome');
  assert.deepEqual(outcome.acked, []);
});
