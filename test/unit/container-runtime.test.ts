/** The container runtime's pure parts: what is mounted, the classpath inside the image, the java command. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerClasspath } from '../../src/cluster/docker/container-image.js';
import { javaCommand, mountPoints } from '../../src/cluster/docker/container-runtime.js';

test('mounts: every path absolute, the log file directory added, paths inside another left out', () => {
  assert.deepEqual(
    mountPoints({
      paths: ['/r/logs/main-broker-1', '/tmp/data/node-1', '/r/logs'],
      logFile: '/r/logs/main-broker-1.log',
    }),
    ['/r/logs', '/tmp/data/node-1'],
  );
  assert.deepEqual(mountPoints({ paths: ['/r/log', '/r/logs'] }), ['/r/log', '/r/logs'], 'a prefix is not a parent');
  assert.deepEqual(mountPoints({ paths: ['rel/dir'] }), [`${process.cwd()}/rel/dir`]);
});

test('classpath: cache entries become the image directory of their set; other entries stay', () => {
  const root = '/home/u/.cache/faultline/classpaths';
  const dirs = { 'kafka-4.1.1': '/opt/faultline/classpaths/kafka-4.1.1/lib', 'mm2-4.1.1': '/opt/x/mm2' };
  assert.equal(
    containerClasspath(`${root}/kafka-4.1.1/lib/*:${root}/mm2-4.1.1/lib:/r/extra.jar`, dirs, 'img', root),
    '/opt/faultline/classpaths/kafka-4.1.1/lib/*:/opt/x/mm2/*:/r/extra.jar',
  );
  assert.equal(
    containerClasspath(`${root}/kafka-4.1.1/lib/*`, { '*': '/opt/kafka/libs' }, 'apache/kafka', root),
    '/opt/kafka/libs/*',
  );
  assert.throws(
    () => containerClasspath(`${root}/pulsar-4.0.7/lib/*`, dirs, 'faultline/kafka:4.1.1', root),
    /image faultline\/kafka:4\.1\.1 does not hold pulsar-4\.0\.7.*faultline images build/,
  );
});

test('the java command carries the run markers, as a local JVM does', () => {
  const command = javaCommand(
    {
      name: 'b',
      mainClass: 'kafka.Kafka',
      args: ['/c/server.properties'],
      jvmArgs: ['-Xmx1g'],
      classpath: '',
      outputFile: '',
    },
    '/opt/cp/*',
    'run-1',
  );
  assert.deepEqual(command, [
    '-Xmx1g',
    '-Dfaultline.run=run-1',
    `-Dfaultline.owner=${process.pid}`,
    '-cp',
    '/opt/cp/*',
    'kafka.Kafka',
    '/c/server.properties',
  ]);
});
