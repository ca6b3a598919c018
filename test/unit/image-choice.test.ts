/** The docker provider's image choice, as pure rules: official names, the mirror prefix, the settings, the line. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  choiceLine,
  javaOf,
  namesRegistry,
  officialImage,
  pullFailedReason,
  pullSettings,
  repositoryOf,
  withMirrorPrefix,
} from '../../src/cluster/docker/image-choice.js';
import { pullError } from '../../src/cluster/docker/image-pull.js';

test('official image of an artifact set: Kafka and MirrorMaker 2 run apache/kafka, Pulsar apachepulsar/pulsar', () => {
  assert.equal(officialImage('kafka-4.1.1'), 'apache/kafka:4.1.1');
  assert.equal(officialImage('mm2-4.1.1'), 'apache/kafka:4.1.1');
  assert.equal(officialImage('pulsar-4.0.7'), 'apachepulsar/pulsar:4.0.7');
  assert.equal(officialImage('pulsar-perf-4.0.8'), undefined, 'a tool set has no official image');
  assert.equal(officialImage('hdrhistogram-2.2.2'), undefined);
});

test('mirror prefix: a registry, or a registry and a path, before Docker Hub names; named registries untouched', () => {
  assert.equal(withMirrorPrefix('apache/kafka:4.1.1', undefined), 'apache/kafka:4.1.1');
  assert.equal(withMirrorPrefix('apache/kafka:4.1.1', '127.0.0.1:5000'), '127.0.0.1:5000/apache/kafka:4.1.1');
  assert.equal(withMirrorPrefix('apache/kafka:4.1.1', '127.0.0.1:5000/'), '127.0.0.1:5000/apache/kafka:4.1.1');
  assert.equal(
    withMirrorPrefix('apachepulsar/pulsar:4.0.7', 'mirror.corp/hub//'),
    'mirror.corp/hub/apachepulsar/pulsar:4.0.7',
  );
  assert.equal(withMirrorPrefix('quay.io/x/kafka:1', 'mirror.corp/hub/'), 'quay.io/x/kafka:1');
  assert.equal(withMirrorPrefix('localhost/kafka:1', 'mirror.corp'), 'localhost/kafka:1');
  assert.ok(namesRegistry('127.0.0.1:5000/apache/kafka'));
  assert.ok(!namesRegistry('apache/kafka'));
  assert.ok(!namesRegistry('kafka:4.1.1'), 'a tag is not a port');
});

test('repository of a reference: tag and digest dropped, a registry port kept', () => {
  assert.equal(repositoryOf('127.0.0.1:5000/apache/kafka:4.1.1'), '127.0.0.1:5000/apache/kafka');
  assert.equal(repositoryOf('127.0.0.1:5000/apache/kafka'), '127.0.0.1:5000/apache/kafka');
  assert.equal(repositoryOf('apachepulsar/pulsar@sha256:abc'), 'apachepulsar/pulsar');
  assert.equal(repositoryOf('faultline/kafka:4.1.1-076df3536bfb'), 'faultline/kafka');
});

test('settings: FAULTLINE_PULL=never skips, the timeout in seconds (60 by default), faultline prefix over testcontainers', () => {
  assert.deepEqual(pullSettings({}), { skip: false, timeoutMs: 60_000, prefix: undefined });
  assert.deepEqual(pullSettings({ FAULTLINE_PULL: 'never', FAULTLINE_PULL_TIMEOUT: '2.5' }), {
    skip: true,
    timeoutMs: 2500,
    prefix: undefined,
  });
  assert.equal(pullSettings({ FAULTLINE_PULL_TIMEOUT: '30s' }).timeoutMs, 30_000);
  assert.equal(pullSettings({ TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX: 'hub.corp/' }).prefix, 'hub.corp/');
  assert.equal(
    pullSettings({ FAULTLINE_IMAGE_PREFIX: 'mine:5000', TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX: 'hub.corp/' }).prefix,
    'mine:5000',
  );
  assert.equal(pullSettings({ FAULTLINE_PULL: '', FAULTLINE_IMAGE_PREFIX: ' ' }).prefix, undefined);
  assert.equal(
    pullSettings({ FAULTLINE_IMAGE_PREFIX: '', TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX: 'hub.corp' }).prefix,
    'hub.corp',
  );
  assert.throws(() => pullSettings({ FAULTLINE_PULL: 'always' }), /FAULTLINE_PULL=always: expected `never`/);
  assert.throws(() => pullSettings({ FAULTLINE_PULL_TIMEOUT: '0' }), /FAULTLINE_PULL_TIMEOUT=0: expected a number/);
  assert.throws(() => pullSettings({ FAULTLINE_PULL_TIMEOUT: 'soon' }), /FAULTLINE_PULL_TIMEOUT=soon/);
});

test('the one line: pulled, present, a fallback with its reason; nothing when the local build was asked for', () => {
  assert.equal(
    choiceLine('kafka-4.1.1', 'apache/kafka:4.1.1', { source: 'pulled' }, 12.34),
    'kafka 4.1.1: pulled apache/kafka:4.1.1 in 12.3 s',
  );
  assert.equal(
    choiceLine('pulsar-4.0.7', 'apachepulsar/pulsar:4.0.7', { source: 'present' }),
    'pulsar 4.0.7: running apachepulsar/pulsar:4.0.7 (already on this machine)',
  );
  const reason = pullFailedReason('apache/kafka:4.1.1', 'Get "https://registry-1.docker.io/v2/": no such host');
  assert.equal(
    choiceLine('kafka-4.1.1', 'faultline/kafka:4.1.1-076df3536bfb', { source: 'local', reason }),
    'kafka 4.1.1: apache/kafka:4.1.1 could not be pulled (Get "https://registry-1.docker.io/v2/": no such host); running the local build faultline/kafka:4.1.1-076df3536bfb',
  );
  assert.equal(
    choiceLine('kafka-4.1.1', 'faultline/kafka:4.1.1', { source: 'local', reason: 'FAULTLINE_PULL=never' }),
    undefined,
  );
  assert.equal(choiceLine('kafka-4.1.1', 'faultline/kafka:4.1.1', { source: 'local' }), undefined);
});

test("the pull's error in one line, without the daemon's preamble", () => {
  assert.equal(
    pullError(
      'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.1:53: no such host\n',
    ),
    'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.1:53: no such host',
  );
  assert.equal(
    pullError('Using default tag: latest\nError response from daemon: manifest unknown\n'),
    'manifest unknown',
  );
  assert.equal(pullError(''), 'unknown error');
});

test("java of an image: $JAVA_HOME/bin/java from the image's configuration, else java on its PATH", () => {
  assert.equal(
    javaOf(['PATH=/opt/java/openjdk/bin:/usr/bin', 'JAVA_HOME=/opt/java/openjdk']),
    '/opt/java/openjdk/bin/java',
  );
  assert.equal(javaOf(['JAVA_HOME=/opt/jvm/']), '/opt/jvm/bin/java');
  assert.equal(javaOf(['PATH=/usr/bin']), 'java');
  assert.equal(javaOf(['JAVA_HOME=']), 'java');
});
