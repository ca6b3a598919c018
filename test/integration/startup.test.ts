/**
 * Start-up: a broker that fails says why in one line, with the scenario line of its cluster; the 3-broker
 * cluster behind Toxiproxy starts again and again on ports that cannot collide with the run's own connections.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { proxiedStartup } from '../../bench/startup-loop.js';
import { ephemeralPortRange } from '../../src/cluster/free-ports.js';
import { faultlineProcesses, runCli, tempDir, waitFor, writeScenario } from '../helpers.js';

afterEach(async () => {
  await waitFor(() => faultlineProcesses().length === 0, 20_000, 'no faultline process left');
});

test('a broker that fails at start-up is reported in one line: its own reason and the scenario line of the cluster', async () => {
  // A setting the config check accepts (a class name is a plain string to KafkaConfig) but the broker cannot start with.
  const file = writeScenario(`name: bad-start
clusters:
  - name: main
    system: kafka
    config: {authorizer.class.name: org.example.NoSuchAuthorizer}
topics:
  - {name: t, partitions: 1}
workload: {warmup: 0s, duration: 2s, rate: 10/s}
`);
  const run = await runCli(['run', file, '--out', tempDir()], { timeoutMs: 180_000 });
  assert.equal(run.code, 3, run.stderr + run.stdout);
  const line = run.stdout.split('\n').find((l) => l.includes('ERROR'));
  assert.ok(line, run.stdout);
  assert.match(
    line,
    new RegExp(
      `ERROR — cluster "main" \\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3\\): broker main-broker-1 exited \\(code 1\\) during start-up: `,
    ),
  );
  assert.match(line, /ClassNotFoundException: org\.example\.NoSuchAuthorizer \(log: .*main-broker-1\.log\)$/);
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at |its output ends with/, 'no stack, no log tail');
});

test('the 3-broker cluster behind Toxiproxy starts twice in a row, on ports outside the ephemeral range', async () => {
  const ephemeral = ephemeralPortRange();
  for (let i = 0; i < 2; i++) {
    const outcome = await proxiedStartup(3);
    assert.ok(outcome.ports.length > 0);
    const colliding = outcome.ports.filter((p) => p >= ephemeral.first && p <= ephemeral.last);
    assert.deepEqual(colliding, [], `ports in the ephemeral range ${ephemeral.first}-${ephemeral.last}`);
  }
});

/**
 * Issue 9, item 11a: a consumer subscribing right after topic creation asks a broker that has not applied the
 * topic yet and kafkajs gives up at once with UNKNOWN_TOPIC_OR_PARTITION. Made deterministic here: one
 * broker's links to the controller quorum are cut while the topic is created, and the consumer's only bootstrap
 * is that broker; the links come back 3 s later. kafkajs-driver.ts retries the subscribe (subscribeWhenKnown).
 */
test('a consumer group subscribing to a topic a broker has not applied yet waits for it (bounded)', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { localKafkaProvider } = await import('../../src/cluster/kafka/local-kafka.js');
  const { ProcessRegistry } = await import('../../src/cluster/process-registry.js');
  const { kafkajsDriver } = await import('../../src/drivers/kafka/kafkajs-driver.js');
  const { Kafka, logLevel } = await import('kafkajs');
  /**
   * Creates the topic through the quorum leader's broker. KRaft brokers name a random broker as "controller" and
   * forward CreateTopics to the active controller, so an attempt that picks the cut-off broker times out: a
   * fresh admin (fresh metadata, another pick) tries again, then waits until the leader's broker knows the topic.
   */
  const createWhileLagging = async (bootstrap: string, name: string) => {
    for (let attempt = 0; ; attempt++) {
      const admin = new Kafka({
        brokers: [bootstrap],
        logLevel: logLevel.NOTHING,
        requestTimeout: 3_000,
        retry: { retries: 0 },
      }).admin();
      try {
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: name, numPartitions: 1, replicationFactor: 1 }] });
        for (;;) {
          const metadata = await admin.fetchTopicMetadata({ topics: [name] }).catch(() => undefined);
          if (metadata?.topics[0]?.partitions.every((p) => p.leader >= 0)) return;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } catch (error) {
        if (attempt >= 10) throw error;
      } finally {
        await admin.disconnect();
      }
    }
  };
  const { ProxiedNetwork } = await import('../../src/net/proxied-network.js');
  const { ToxiproxyServer } = await import('../../src/net/toxiproxy-server.js');
  const { clusterSchema, topicSchema } = await import('../../src/scenario/schema.js');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-lagging-'));
  const runId = `lagging${process.pid}${Date.now()}`;
  const registry = ProcessRegistry.open(runId, dir);
  const signal = new AbortController().signal;
  const log = () => {};
  const toxiproxy = await ToxiproxyServer.start(registry, join(dir, 'toxiproxy.log'), log);
  const network = ProxiedNetwork.connect(toxiproxy.url);
  const spec = clusterSchema.parse({
    name: 'trio',
    system: 'kafka',
    brokers: 3,
    heap: 512 * 1024 * 1024,
    config: { 'broker.session.timeout.ms': 30000 },
  });
  const cluster = await localKafkaProvider.start(spec, {
    runId,
    logDir: join(dir, 'logs'),
    registry,
    signal,
    log,
    info: log,
    network,
  });
  try {
    const leader = (await cluster.controller!())!;
    const lagger = [1, 2, 3].find((b) => b !== leader)!;
    const cut = cluster.links!.filter((l) => l.kind === 'controller' && l.from === lagger);
    const endpointOf = (b: number) =>
      `127.0.0.1:${cluster.links!.find((l) => l.kind === 'client' && l.to === b)!.listenPort}`;
    await network.setEnabled(cut, false);
    const topic = topicSchema.parse({ name: 'fresh', partitions: 1, replicationFactor: 1 });
    await createWhileLagging(endpointOf(leader), topic.name);
    const heal = setTimeout(() => void network.setEnabled(cut, true), 3_000);
    const client = kafkajsDriver.createClient({
      endpoints: { bootstrap: endpointOf(lagger) },
      producerOptions: {},
      consumerOptions: {},
      log,
      clock: () => performance.now(),
    });
    try {
      const group = await client.createConsumerGroup({
        topic,
        group: `lagging-${runId}`,
        members: 1,
        sink: () => {},
        readyTimeoutMs: 60_000,
        signal,
      });
      assert.ok(group);
    } finally {
      clearTimeout(heal);
      await client.close();
    }
  } finally {
    await cluster.stop();
    await toxiproxy.stop();
    registry.close();
  }
});
