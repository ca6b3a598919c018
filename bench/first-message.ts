/**
 * What a run does first, as the start-up benches time it: the topic created, a consumer group subscribed, one
 * message sent and acknowledged, and that message consumed (within 30 s). The client is left open for the caller
 * to close (it may be mid-teardown of a cluster that failed).
 */
import type { ClusterEndpoints } from '../src/cluster/provider.js';
import type { DriverFactory, MessagingClient } from '../src/drivers/driver.js';
import type { TopicSpec } from '../src/scenario/schema.js';

const CONSUMED_WITHIN_MS = 30_000;

export async function firstMessage(
  driver: DriverFactory,
  endpoints: ClusterEndpoints,
  topic: TopicSpec,
  group: string,
  signal: AbortSignal,
  log: (line: string) => void,
  opened: (client: MessagingClient) => void,
): Promise<void> {
  const admin = driver.createAdmin(endpoints, log);
  try {
    await admin.ensureTopics([topic]);
  } finally {
    await admin.close();
  }
  const client = driver.createClient({
    endpoints,
    producerOptions: {},
    consumerOptions: {},
    log,
    clock: () => performance.now(),
  });
  opened(client);
  let received!: () => void;
  const consumed = new Promise<void>((resolve) => (received = resolve));
  await client.createConsumerGroup({
    topic,
    group,
    members: 1,
    sink: () => received(),
    readyTimeoutMs: 60_000,
    signal,
  });
  const producer = await client.createProducer(0, topic);
  await producer.send(topic.name, [{ key: null, value: Buffer.from('hello') }], () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      consumed,
      new Promise((_, fail) => {
        timer = setTimeout(
          () =>
            fail(
              new Error(`the first message was acknowledged but not consumed within ${CONSUMED_WITHIN_MS / 1000} s`),
            ),
          CONSUMED_WITHIN_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
