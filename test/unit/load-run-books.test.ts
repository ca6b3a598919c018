/**
 * The load engine's books with an in-memory client whose log is a plain array: how deliveries the driver can
 * place only partly (no partition, as Pulsar's non-partitioned topics) are judged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageSink, MessagingClient, ProducerHandle } from '../../src/drivers/driver.js';
import { LoadClock, runLoad } from '../../src/load/load-run.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { topicSchema, workloadSchema } from '../../src/scenario/schema.js';

/** Acks every message at once, and delivers them in `order(batch)` with partition -1, as a non-partitioned Pulsar topic does. */
function memoryClient(clock: () => number, reorder: (values: Buffer[]) => Buffer[]): MessagingClient {
  let sink: MessageSink | undefined;
  let position = 0;
  const producer: ProducerHandle = {
    async send(_topic, messages, onAcked) {
      onAcked(
        messages.map((_, i) => i),
        clock(),
        -1,
      );
      for (const value of reorder(messages.map((m) => m.value))) sink?.(value, clock(), -1, `id-${position++}`);
    },
    close: async () => {},
  };
  return {
    createProducer: async () => producer,
    createConsumerGroup: async (request) => {
      sink = request.sink;
      return { ordered: true, close: async () => {} };
    },
    close: async () => {},
  };
}

async function run(partitions: number, reorder: (values: Buffer[]) => Buffer[]) {
  const clock = new LoadClock();
  // At max rate every send is a full batch of 4, so each batch has a pair to swap.
  const workload = workloadSchema.parse({
    duration: '300ms',
    rate: 'max',
    drainTimeout: '200ms',
    messageSize: 64,
    maxBatch: 4,
    maxInFlight: 4,
  });
  const outcome = await runLoad(
    memoryClient(clock.now, reorder),
    {
      runId: PayloadCodec.newRunId(),
      topics: [topicSchema.parse({ name: 't', partitions })],
      workload,
      consumerReadyTimeoutMs: 1000,
    },
    clock,
    { signal: new AbortController().signal },
  );
  return outcome;
}

const swapFirstTwo = (values: Buffer[]) => (values.length >= 2 ? [values[1]!, values[0]!, ...values.slice(2)] : values);

test('a one-partition topic whose driver names no partition is still checked for order', async () => {
  const outcome = await run(1, swapFirstTwo);
  assert.equal(outcome.orderChecked, true);
  assert.ok(outcome.counts.reordered > 0, 'swapped pairs are counted');
  const inOrder = await run(1, (values) => values);
  assert.equal(inOrder.counts.reordered, 0);
});

test('on a partitioned topic, deliveries without a partition leave order unjudged (reordered null), never 0', async () => {
  const outcome = await run(3, swapFirstTwo);
  assert.equal(outcome.orderChecked, false);
});
