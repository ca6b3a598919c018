/** StepClients: each step's producers closed at its end; each consumer group opened once, later steps' sinks swapped in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumerGroupRequest, MessageSink, MessagingClient } from '../../src/drivers/driver.js';
import { StepClients } from '../../src/load/step-clients.js';

function recordingClient() {
  const calls: string[] = [];
  const sinks: MessageSink[] = [];
  const client: MessagingClient = {
    async createProducer(id) {
      calls.push(`producer ${id}`);
      return { send: async () => {}, close: async () => void calls.push(`close producer ${id}`) };
    },
    async createConsumerGroup(request) {
      calls.push(`group ${request.group}`);
      sinks.push(request.sink);
      return { ordered: true, close: async () => void calls.push(`close group ${request.group}`) };
    },
    async close() {},
  };
  return { client, calls, sinks };
}

const topic = { name: 't', partitions: 1, replicationFactor: 1, config: {} };
const request = (group: string, sink: MessageSink): ConsumerGroupRequest => ({
  topic,
  group,
  members: 1,
  sink,
  readyTimeoutMs: 1000,
  signal: new AbortController().signal,
});

test('a group is opened by the first step only; each step hears the deliveries while it runs; producers close per step', async () => {
  const { client, calls, sinks } = recordingClient();
  const steps = new StepClients(client);
  const heard: string[] = [];
  await steps.createConsumerGroup(request('g-step1', () => heard.push('step 1')));
  await steps.createProducer(0, topic);
  sinks[0]!(Buffer.alloc(0), 0, 0);
  await steps.endStep();
  await steps.createConsumerGroup(request('g-step2', () => heard.push('step 2')));
  await steps.createProducer(0, topic);
  sinks[0]!(Buffer.alloc(0), 0, 0);
  await steps.close();
  assert.deepEqual(heard, ['step 1', 'step 2']);
  assert.deepEqual(calls, [
    'group g-step1',
    'producer 0',
    'close producer 0',
    'producer 0',
    'close producer 0',
    'close group g-step1',
  ]);
});
