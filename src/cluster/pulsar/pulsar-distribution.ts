/**
 * Which Maven Central artifacts make up a Pulsar standalone broker, and pulsar-perf.
 *
 * Maven Central's Pulsar 4.0.x releases are uneven: 4.0.7 has the whole broker tree but no pulsar-testclient
 * (pulsar-perf); 4.0.8 has pulsar-testclient but lacks jetcd-core-shaded and pulsar-opentelemetry. So the broker
 * defaults to 4.0.7, and pulsar-perf is 4.0.8 with those two internal artifacts taken from 4.0.7 — the
 * smallest honest mix (pulsar-perf only uses the client API from them). Each has its own classpath.
 */
import type { MavenArtifact } from '../maven-artifacts.js';

export const DEFAULT_PULSAR_VERSION = '4.0.7';
export const PULSAR_PERF_VERSION = '4.0.8';
const LOG4J2_VERSION = '2.24.3';

const logging: MavenArtifact[] = [
  { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: LOG4J2_VERSION },
  { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j2-impl', version: LOG4J2_VERSION },
];

export function pulsarArtifacts(version: string): MavenArtifact[] {
  return [{ groupId: 'org.apache.pulsar', artifactId: 'pulsar-broker', version }, ...logging];
}

export function pulsarPerfArtifacts(): MavenArtifact[] {
  const missingFromCentral = ['jetcd-core-shaded', 'pulsar-opentelemetry'];
  return [
    {
      groupId: 'org.apache.pulsar',
      artifactId: 'pulsar-testclient',
      version: PULSAR_PERF_VERSION,
      exclusions: missingFromCentral.map((a) => `org.apache.pulsar:${a}`),
    },
    ...missingFromCentral.map((artifactId) => ({
      groupId: 'org.apache.pulsar',
      artifactId,
      version: DEFAULT_PULSAR_VERSION,
    })),
    ...logging,
  ];
}

/** Java 17 module openings Pulsar's own launcher script passes. */
export const PULSAR_JVM_OPENS = [
  'java.base/java.io',
  'java.base/java.lang',
  'java.base/java.nio',
  'java.base/java.util',
  'java.base/java.util.zip',
  'java.base/sun.net',
  'java.base/sun.nio.ch',
  'java.base/jdk.internal.misc',
  'java.management/sun.management',
  'jdk.management/com.sun.management.internal',
].flatMap((opening) => ['--add-opens', `${opening}=ALL-UNNAMED`]);
