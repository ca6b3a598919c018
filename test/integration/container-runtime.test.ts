/**
 * The container runtime on a real Kafka broker in a container: the storage tool and the broker see the host's
 * directories at the same paths, carry the run's labels and their caps, and pause, kill, start again and stop
 * as the runtime contract says; what cannot start says why in one line.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containerRuntime } from '../../src/cluster/docker/container-runtime.js';
import { freePorts } from '../../src/cluster/free-ports.js';
import {
  DEFAULT_KAFKA_VERSION,
  kafkaArtifacts,
  writeLoggingConfig,
} from '../../src/cluster/kafka/kafka-distribution.js';
import { directLayout, kafkaClusterId, kafkaNodeProperties } from '../../src/cluster/kafka/kafka-node-config.js';
import { ensureClasspath } from '../../src/cluster/maven-artifacts.js';
import { ProcessRegistry } from '../../src/cluster/process-registry.js';
import { renderProperties } from '../../src/cluster/properties-file.js';
import type { LaunchSpec } from '../../src/cluster/runtime.js';
import { InfrastructureError } from '../../src/errors.js';
import { kafkajsDriver } from '../../src/drivers/kafka/kafkajs-driver.js';
import { containersUnavailable, inspectContainer, runContainers } from '../docker-helpers.js';
import { tempDir } from '../helpers.js';

const version = DEFAULT_KAFKA_VERSION;
const runId = `crt-${process.pid}`;
let skip: string | undefined;
let registry: ProcessRegistry;

before(async () => {
  skip = await containersUnavailable();
  if (skip) console.log(`# skipped: ${skip}`);
  registry = ProcessRegistry.open(runId, tempDir());
});

after(() => registry.close());

async function brokerSpecs(): Promise<{ format: LaunchSpec; broker: LaunchSpec; bootstrap: string; dataDir: string }> {
  const dir = tempDir('faultline-crt-');
  const dataDir = join(dir, 'data');
  const configDir = join(dir, 'config');
  mkdirSync(dataDir);
  mkdirSync(configDir);
  const layout = directLayout(1, await freePorts(2));
  const propertiesFile = join(configDir, 'server.properties');
  writeFileSync(propertiesFile, renderProperties(kafkaNodeProperties(layout.nodes[0]!, 1, dataDir, {})));
  const logFile = join(dir, 'broker.log');
  const logging = await writeLoggingConfig(version, configDir, logFile);
  const classpath = await ensureClasspath(`kafka-${version}`, kafkaArtifacts(version), () => {});
  const common = {
    classpath: classpath.spec,
    artifacts: `kafka-${version}`,
    outputFile: join(dir, 'broker.out'),
    paths: [configDir, dataDir, dir],
  };
  return {
    format: {
      ...common,
      name: 'crt/format',
      mainClass: 'kafka.tools.StorageTool',
      args: ['format', '-t', kafkaClusterId(), '-c', propertiesFile],
      jvmArgs: ['-Xmx256m', logging],
    },
    broker: {
      ...common,
      name: 'crt/broker-1',
      mainClass: 'kafka.Kafka',
      args: [propertiesFile],
      jvmArgs: ['-Xms256m', '-Xmx512m', logging],
      logFile,
      resources: { cpus: 1, memoryBytes: 1536 * 2 ** 20 },
    },
    bootstrap: layout.bootstrap,
    dataDir,
  };
}

async function serving(bootstrap: string): Promise<void> {
  const admin = kafkajsDriver.createAdmin({ bootstrap }, () => {});
  try {
    await admin.waitForBrokers(1, 90_000, new AbortController().signal);
  } finally {
    await admin.close();
  }
}

test('a Kafka broker in a container: same-path mounts, run labels, caps; pause, kill, start again, stop', async (t) => {
  if (skip) return t.skip(skip);
  const { format, broker, bootstrap, dataDir } = await brokerSpecs();
  await containerRuntime.runTool(format, registry);
  assert.ok(existsSync(join(dataDir, 'meta.properties')), 'the storage tool wrote into the host directory');
  assert.deepEqual(runContainers(runId), [], 'a finished tool leaves no container');

  const control = await containerRuntime.launch(broker, registry);
  try {
    await serving(bootstrap);
    const described = control.describe();
    assert.match(described.imageId ?? '', /^sha256:/);
    assert.match(described.image ?? '', /^faultline\/kafka:/);
    const info = inspectContainer(described.containerId!);
    assert.equal(info.Config.Labels['faultline.run'], runId);
    assert.equal(info.Config.Labels['faultline.name'], 'crt/broker-1');
    assert.equal(info.HostConfig.NetworkMode, 'host');
    assert.equal(info.HostConfig.NanoCpus, 1e9);
    assert.equal(info.HostConfig.Memory, 1536 * 2 ** 20);
    assert.ok(
      info.Mounts.some(
        (m: { Source: string; Destination: string }) => m.Source === m.Destination && dataDir.startsWith(m.Source),
      ),
    );

    await control.pause();
    assert.equal(inspectContainer(described.containerId!).State.Paused, true);
    await control.resume();
    assert.equal(inspectContainer(described.containerId!).State.Paused, false);

    await control.kill();
    assert.equal(await control.exited(), null, 'killed: no exit code');
    assert.equal(control.running, false);
    assert.deepEqual(runContainers(runId), [], 'the killed container is removed');

    await control.start();
    await serving(bootstrap);
    assert.notEqual(control.describe().containerId, described.containerId, 'a new container on the same mounts');

    await control.stop(20_000);
    assert.equal(await control.exited(), 143, 'a graceful stop: the JVM exits on SIGTERM');
    assert.match(control.logTail(200).join('\n'), /shut down completed|Kafka Server started/);
  } finally {
    await control.kill();
  }
  assert.deepEqual(runContainers(runId), []);
});

test('what cannot run says why in one line: no image for the artifacts, an image not here, a JVM that exits', async (t) => {
  if (skip) return t.skip(skip);
  const { format } = await brokerSpecs();
  await assert.rejects(
    containerRuntime.launch({ ...format, artifacts: 'kafka-0.0.1' }, registry),
    (error: Error) =>
      error instanceof InfrastructureError &&
      /no container image holds kafka-0\.0\.1.*faultline images build/.test(error.message),
  );
  await assert.rejects(
    containerRuntime.launch({ ...format, image: 'example.invalid/nothing:1' }, registry),
    (error: Error) =>
      error instanceof InfrastructureError && /example\.invalid\/nothing:1.*not on this machine/.test(error.message),
  );
  await assert.rejects(
    containerRuntime.runTool({ ...format, mainClass: 'org.example.NoSuchMain', args: [] }, registry),
    (error: Error) =>
      error instanceof InfrastructureError &&
      /crt\/format failed \(exit 1\): .*ClassNotFoundException: org\.example\.NoSuchMain.*container .* of faultline\/kafka/.test(
        error.message,
      ) &&
      !error.message.includes('\n'),
  );
  assert.deepEqual(runContainers(runId), []);
});
