/**
 * Loopback only: every port a run's processes open (broker, its in-process bookie, its per-region ports, web service,
 * Toxiproxy, the harness) is bound to 127.0.0.1. The CLI runs as a child; while it runs, the test lists the listening
 * TCP sockets of the CLI, its descendants and every process carrying its owner marker (/proc/net/tcp{,6} joined with
 * /proc/<pid>/fd), sampled again and again until the run exits (test/listening-sockets.ts). The same check of a Kafka
 * run with MirrorMaker 2 (brokers, KRaft controllers, MirrorMaker 2, Toxiproxy) watches the run replication.test.ts
 * shares between its MirrorMaker 2 checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach } from '../helpers.js';
import { assertLoopbackOnly, runWatchingSockets } from '../listening-sockets.js';

expectNoProcessLeftAfterEach();

test('Pulsar standalone with clients in two regions: broker, per-region ports, web service, bookie and Toxiproxy listen on 127.0.0.1 only', async () => {
  const watched = await runWatchingSockets(
    `name: it-loopback-pulsar
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 5ms}
clusters:
  - {name: pulsar, system: pulsar, provider: local, driver: websocket, heap: 512MiB, region: ra}
topics:
  - {name: t, partitions: 1}
workload:
  warmup: 2s
  duration: 8s
  messageSize: 256B
  rate: 100/s
  producers: 1
  consumers: 1
  drainTimeout: 20s
  placement: {producers: [ra], consumers: [rb]}
`,
    240_000,
  );
  assertLoopbackOnly(watched);
  const standalone = watched.sockets.filter((s) => s.what === 'org.apache.pulsar.PulsarStandaloneStarter');
  assert.ok(standalone.length >= 5, 'broker, its two region ports, web service and bookie were seen listening');
  const bookiePort = Number(/--bookkeeper-port\0(\d+)/.exec(standalone[0]!.cmdline)?.[1]);
  assert.ok(
    standalone.some((s) => s.port === bookiePort),
    `the bookie listens on --bookkeeper-port ${bookiePort}`,
  );
  assert.ok(
    watched.sockets.some((s) => s.cmdline.includes('toxiproxy')),
    'Toxiproxy was seen listening',
  );
});
