/**
 * The drain is bounded by `drainTimeout`, whatever the client's own timeouts: a send the client never answers
 * (a dead broker, a client reconnecting for ever) is abandoned at the bound, counted unanswered (outcome unknown,
 * neither acknowledged nor failed), and an answer that comes after the bound changes nothing in the books.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AckListener, MessageSink, MessagingClient, OutgoingMessage } from '../../src/drivers/driver.js';
import { LoadClock, runLoad } from '../../src/load/load-run.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { drainWarning } from '../../src/report/drain-warning.js';
import { topicSchema, workloadSchema } from '../../src/scenario/schema.js';

interface Pending {
  messages: OutgoingMessage[];
  onAcked: AckListener;
  resolve: () => void;
}

/**
 * A client whose producer answers the n-th send (0-based) as `answers(n)` says: `ack` acknowledges it at once and
 * delivers it to the group, `ack-only` acknowledges it but the group never gets it (nor the log), `hold` leaves it
 * unanswered until the test answers it.
 */
function holdingClient(clock: () => number, answers: (n: number) => 'ack' | 'ack-only' | 'hold') {
  const pending: Pending[] = [];
  let sink: MessageSink | undefined;
  let sends = 0;
  let closes = 0;
  let position = 0;
  let ackedOnly = 0;
  const deliver = (messages: OutgoingMessage[]) => {
    for (const m of messages) sink?.(m.value, clock(), 0, `id-${position++}`);
  };
  /** Answers every held send: acknowledged now (too late), and in the log. */
  const answerHeld = () => {
    for (const p of pending.splice(0)) {
      p.onAcked(
        p.messages.map((_, i) => i),
        clock(),
        0,
      );
      p.resolve();
    }
  };
  let duringFinalRead: () => void = () => {};
  const client: MessagingClient = {
    createProducer: async () => ({
      send(_topic, messages, onAcked) {
        const answer = answers(sends++);
        if (answer !== 'hold') {
          onAcked(
            messages.map((_, i) => i),
            clock(),
            0,
          );
          if (answer === 'ack') deliver(messages);
          else ackedOnly += messages.length;
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => pending.push({ messages, onAcked, resolve }));
      },
      close: async () => {
        closes++;
      },
    }),
    createConsumerGroup: async (request) => {
      sink = request.sink;
      return { ordered: true, close: async () => {} };
    },
    finalRead: async () => {
      duringFinalRead();
      return true; // read to the end: the held messages are not in the log
    },
    close: async () => {},
  };
  return {
    client,
    pending,
    answerHeld,
    closes: () => closes,
    ackedOnly: () => ackedOnly,
    onFinalRead: (f: () => void) => {
      duringFinalRead = f;
    },
  };
}

const topics = [topicSchema.parse({ name: 't', partitions: 1 })];

test('a send never answered: the drain returns at its bound, the send counted unanswered and the rest of the schedule unsent', {
  timeout: 10_000,
}, async () => {
  const clock = new LoadClock();
  const fake = holdingClient(clock.now, () => 'hold');
  // One send slot: the first send takes it and is never answered, so nothing else can be sent.
  const workload = workloadSchema.parse({
    warmup: '0s',
    duration: '300ms',
    rate: '200/s',
    drainTimeout: '300ms',
    messageSize: 64,
    consumers: 0,
    maxInFlightBatches: 1,
  });
  const started = performance.now();
  const outcome = await runLoad(
    fake.client,
    { runId: PayloadCodec.newRunId(), topics, workload, consumerReadyTimeoutMs: 1000 },
    clock,
    { signal: new AbortController().signal },
  );
  const tookMs = performance.now() - started;
  assert.ok(tookMs < 300 + 300 + 400, `producing + drain took ${Math.round(tookMs)} ms, bound 600 ms`);
  assert.ok(outcome.counts.sent > 0);
  assert.equal(outcome.unansweredAtDrainEnd, outcome.counts.sent, 'every send handed over is unanswered');
  assert.equal(outcome.counts.acked, 0);
  assert.equal(outcome.counts.failed, 0, 'unanswered is an unknown outcome, not a failure');
  assert.equal(outcome.unsentAtDrainEnd, 60 - outcome.counts.sent, 'the schedule (200/s × 300 ms) not sent');
  assert.equal(outcome.drained, false);
  const { producingEndedAtMs, startedAtMs, endedAtMs } = outcome.drain;
  assert.ok(producingEndedAtMs < 300 + 100, `producing ended with the window (at ${producingEndedAtMs} ms)`);
  assert.ok(endedAtMs - startedAtMs < 300 + 100, `the drain ended at its bound (${endedAtMs - startedAtMs} ms)`);
  assert.equal(fake.closes(), 1, 'the producer holding the unanswered send was closed at the bound');
  // The client answers after the bound: nothing may move (and nothing may throw).
  fake.answerHeld();
  assert.equal(outcome.counts.acked, 0);
});

test('a send answered after the drain bound (during the final read) changes nothing: unanswered, not acked, not lost', {
  timeout: 10_000,
}, async () => {
  const clock = new LoadClock();
  // Every other send is held: neither delivered nor acknowledged by the bound. The first is acknowledged and
  // never delivered, so a final read runs after the bound.
  const fake = holdingClient(clock.now, (n) => (n === 0 ? 'ack-only' : n % 2 === 0 ? 'ack' : 'hold'));
  const workload = workloadSchema.parse({
    warmup: '0s',
    duration: '300ms',
    rate: '200/s',
    drainTimeout: '200ms',
    messageSize: 64,
    consumers: 1,
    maxInFlightBatches: 1000,
  });
  let heldAtBound = 0;
  fake.onFinalRead(() => {
    heldAtBound = fake.pending.reduce((sum, p) => sum + p.messages.length, 0);
    fake.answerHeld(); // answered now: after the bound, before the books close
  });
  const outcome = await runLoad(
    fake.client,
    { runId: PayloadCodec.newRunId(), topics, workload, consumerReadyTimeoutMs: 1000 },
    clock,
    { signal: new AbortController().signal },
  );
  assert.ok(heldAtBound > 0, 'the final read ran, with sends unanswered at the bound');
  assert.equal(outcome.unansweredAtDrainEnd, heldAtBound);
  const { counts } = outcome;
  assert.equal(counts.acked + counts.failed + outcome.unansweredAtDrainEnd, counts.sent, 'every send in one bin');
  assert.equal(counts.acked, counts.consumed + fake.ackedOnly(), 'only what was answered in time is acknowledged');
  assert.equal(
    outcome.lost,
    fake.ackedOnly(),
    'an answer after the bound does not turn an unknown outcome into a loss',
  );
  assert.equal(outcome.groups[0]!.lost, fake.ackedOnly());
});

test('the drain warning names unanswered and unsent sends without consumers, and speaks of no consumer group', () => {
  const text = drainWarning({
    drainTimeoutMs: 12_000,
    driverName: 'pulsar-websocket',
    acknowledged: true,
    unanswered: 40,
    unsent: 7,
    groups: [],
    finalReadComplete: null,
    finalReadAvailable: true,
  });
  assert.match(text, /^40 message\(s\) were still waiting for the broker's answer when the drain bound \(12000 ms\)/);
  assert.match(text, /outcome is unknown \(counted unacked, neither acknowledged nor failed, not lost\)/);
  assert.match(text, /7 message\(s\) of the schedule were never sent/);
  assert.doesNotMatch(text, /consumer group|final read/);
});
