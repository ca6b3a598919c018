import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseImageTag } from '../../src/cluster/docker/base-image.js';
import { parseDeb822, parseOneLine } from '../../src/cluster/docker/debian-mirror.js';
import { wantedImages } from '../../src/cluster/docker/images-command.js';
import { DEFAULT_KAFKA_VERSION } from '../../src/cluster/kafka/kafka-distribution.js';
import { DEFAULT_PULSAR_VERSION } from '../../src/cluster/pulsar/pulsar-distribution.js';
import type { Scenario } from '../../src/scenario/schema.js';

test('deb822 sources: the archive and the security archive, by suite; disabled stanzas are left out', () => {
  const entries = parseDeb822(`Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian/
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://elsewhere.example/debian
Suites: bookworm
`);
  assert.deepEqual(entries, [
    { uri: 'http://deb.debian.org/debian', suites: ['bookworm', 'bookworm-updates'] },
    { uri: 'http://mirror.example/debian-security', suites: ['bookworm-security'] },
  ]);
});

test('one-line sources: options in brackets and comments are skipped, deb-src is not an archive', () => {
  assert.deepEqual(
    parseOneLine(
      '# deb http://old.example/debian bookworm main\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian/ bookworm main\n',
    ),
    [{ uri: 'http://m.example/debian', suites: ['bookworm'] }],
  );
});

test('the base image tag changes with any of its inputs, and only with them', () => {
  const inputs = {
    suite: 'bookworm',
    archive: 'http://deb.debian.org/debian',
    security: 'http://deb.debian.org/debian-security',
    architecture: 'amd64',
    packages: ['openjdk-17-jre-headless'],
  };
  assert.equal(baseImageTag(inputs), baseImageTag({ ...inputs }));
  assert.match(baseImageTag(inputs), /^faultline\/base:bookworm-jre17-[0-9a-f]{12}$/);
  assert.notEqual(baseImageTag(inputs), baseImageTag({ ...inputs, archive: 'http://m.example/debian' }));
  assert.notEqual(baseImageTag(inputs), baseImageTag({ ...inputs, architecture: 'arm64' }));
});

test('images wanted: one per system and version of the docker clusters; none named: the defaults', () => {
  const scenario = (clusters: Array<Partial<Scenario['clusters'][number]>>) => ({ clusters }) as unknown as Scenario;
  assert.deepEqual(wantedImages([]), [
    { system: 'kafka', version: DEFAULT_KAFKA_VERSION },
    { system: 'pulsar', version: DEFAULT_PULSAR_VERSION },
  ]);
  assert.deepEqual(
    wantedImages([
      scenario([
        { system: 'kafka', provider: 'docker', version: '3.9.1' },
        { system: 'kafka', provider: 'docker' },
        { system: 'pulsar', provider: 'local' },
      ]),
      scenario([{ system: 'kafka', provider: 'docker', version: '3.9.1' }]),
    ]),
    [
      { system: 'kafka', version: '3.9.1' },
      { system: 'kafka', version: DEFAULT_KAFKA_VERSION },
    ],
  );
});
