/**
 * The runtime seam's pure parts: a broker's launch spec becomes the same java command line the local provider ran
 * before the seam (flags, run markers, classpath, main class, arguments), names its artifact set and the host
 * directories it uses; a provider's capabilities decide which faults it refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { javaCommandLine } from '../../src/cluster/jvm-process.js';
import { jvmRuntime } from '../../src/cluster/jvm-runtime.js';
import { kafkaBrokerSpec, localKafkaProvider } from '../../src/cluster/kafka/local-kafka.js';
import { PULSAR_JVM_OPENS } from '../../src/cluster/pulsar/pulsar-distribution.js';
import { localPulsarProvider, pulsarStandaloneSpec } from '../../src/cluster/pulsar/local-pulsar.js';
import { externalProvider } from '../../src/cluster/external.js';
import { planFaults } from '../../src/faults/fault-plan.js';
import type { Problem } from '../../src/scenario/problems.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { kafkaYaml } from './fault-fakes.js';

const markers = (runId: string) => [`-Dfaultline.run=${runId}`, `-Dfaultline.owner=${process.pid}`];

test('a Kafka broker spec becomes the java command line of before: flags, run markers, classpath, kafka.Kafka', () => {
  const spec = kafkaBrokerSpec({
    name: 'main-broker-1',
    version: '4.1.1',
    classpath: '/cache/kafka-4.1.1/lib/*',
    propertiesFile: '/run/logs/main-broker-1/server.properties',
    logging: '-Dlog4j2.configurationFile=/run/logs/main-broker-1/log4j2.yaml',
    heap: undefined,
    outputFile: '/run/logs/main-broker-1.out',
    logFile: '/run/logs/main-broker-1.log',
    paths: ['/run/logs/main-broker-1', '/tmp/data/node-1', '/run/logs'],
  });
  assert.deepEqual(javaCommandLine(spec, 'run42'), [
    '-Xms512m',
    '-Xmx1024m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    '-Dlog4j2.configurationFile=/run/logs/main-broker-1/log4j2.yaml',
    ...markers('run42'),
    '-cp',
    '/cache/kafka-4.1.1/lib/*',
    'kafka.Kafka',
    '/run/logs/main-broker-1/server.properties',
  ]);
  assert.equal(spec.artifacts, 'kafka-4.1.1');
  assert.deepEqual(spec.paths, ['/run/logs/main-broker-1', '/tmp/data/node-1', '/run/logs']);
});

test('a Pulsar standalone spec becomes the java command line of before, its data under the data dir', () => {
  const spec = pulsarStandaloneSpec({
    name: 'main-broker-1',
    version: '4.0.7',
    classpath: '/cache/pulsar/lib/*',
    configFile: '/run/logs/main-broker-1/standalone.conf',
    bookiePort: 3181,
    dataDir: '/tmp/data',
    logging: '-Dlog4j.configurationFile=/run/logs/main-broker-1/log4j2.yaml',
    heap: 2 * 1024 ** 3,
    outputFile: '/run/logs/main-broker-1.out',
    logFile: '/run/logs/main-broker-1.log',
    paths: ['/run/logs/main-broker-1', '/tmp/data', '/run/logs'],
  });
  assert.deepEqual(javaCommandLine(spec, 'r'), [
    '-Xms512m',
    '-Xmx2048m',
    '-XX:MaxDirectMemorySize=1g',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    '-Dpulsar.allocator.exit_on_oom=true',
    ...PULSAR_JVM_OPENS,
    '-Dlog4j.configurationFile=/run/logs/main-broker-1/log4j2.yaml',
    ...markers('r'),
    '-cp',
    '/cache/pulsar/lib/*',
    'org.apache.pulsar.PulsarStandaloneStarter',
    '--config',
    '/run/logs/main-broker-1/standalone.conf',
    '--no-functions-worker',
    '--no-stream-storage',
    '--bookkeeper-port',
    '3181',
    '--bookkeeper-dir',
    '/tmp/data/bookkeeper',
    '--metadata-dir',
    '/tmp/data/metadata',
  ]);
  assert.equal(spec.artifacts, 'pulsar-4.0.7');
});

test('the local providers run on the JVM runtime and let faults act on processes and links; external on neither', () => {
  assert.equal(localKafkaProvider.runtime, jvmRuntime);
  assert.equal(localPulsarProvider.runtime, jvmRuntime);
  assert.deepEqual(localKafkaProvider.controls, { processes: true, links: true });
  const external = externalProvider('kafka');
  assert.equal(external.runtime, undefined);
  assert.deepEqual(external.controls, { processes: false, links: false });
});

/** The problems planFaults finds for `faults` on a cluster whose provider controls `controls`. */
function problemsWith(faults: string, controls: { processes: boolean; links: boolean }): string[] {
  const scenario = parseScenario(kafkaYaml({ duration: '20s', faults: `faults:\n${faults}` }), 'f.yaml').scenario;
  const problems: Problem[] = [];
  planFaults(scenario, scenario.clusters[0]!, scenario.topics, problems, 'kafkajs', undefined, controls);
  return problems.map((p) => `${p.path.join('.')}: ${p.message}`);
}

test('faults are refused by what the provider controls, not by its name', () => {
  const kill = '  - {at: 1s, action: kill, target: broker-1, duration: 1s}';
  const latency = '  - {at: 1s, action: latency, latency: 50ms, duration: 1s}';
  assert.deepEqual(problemsWith(`${kill}\n${latency}`, { processes: true, links: true }), []);
  assert.deepEqual(problemsWith(latency, { processes: false, links: true }), []);
  assert.match(
    problemsWith(kill, { processes: false, links: true }).join('\n'),
    /clusters\.0\.provider: process faults need a cluster whose brokers faultline runs/,
  );
  assert.match(
    problemsWith(latency, { processes: true, links: false }).join('\n'),
    /clusters\.0\.provider: network faults need a cluster whose links go through faultline's proxies/,
  );
  assert.match(
    problemsWith(kill, { processes: false, links: false }).join('\n'),
    /faults need a local cluster: with provider local, faultline controls no broker process and no link/,
  );
});
