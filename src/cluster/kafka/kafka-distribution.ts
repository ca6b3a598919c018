/**
 * Which Maven Central artifacts make up a Kafka broker of a given version, and how that version logs.
 * Kafka 4.x logs through log4j2 (SLF4J 1.7 binding log4j-slf4j-impl); 3.x through reload4j.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { writeLog4j2Config } from '../jvm-logging.js';
import type { MavenArtifact } from '../maven-artifacts.js';

export const DEFAULT_KAFKA_VERSION = '4.1.1';
const LOG4J2_VERSION = '2.24.3';

export function kafkaMajor(version: string): number {
  return Number(version.split('.')[0]);
}

export function kafkaArtifacts(version: string): MavenArtifact[] {
  const kafka = (artifactId: string): MavenArtifact => ({ groupId: 'org.apache.kafka', artifactId, version });
  const common = [kafka('kafka_2.13'), kafka('kafka-tools')];
  if (kafkaMajor(version) >= 4) {
    return [
      ...common,
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: LOG4J2_VERSION },
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: LOG4J2_VERSION },
    ];
  }
  return [...common, { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' }];
}

/** Writes a logging config that sends the broker's log to `logFile`; returns the JVM flag that loads it. */
export async function writeLoggingConfig(version: string, dir: string, logFile: string): Promise<string> {
  if (kafkaMajor(version) >= 4) return writeLog4j2Config(dir, logFile, ['kafka.request.logger']);
  const file = join(dir, 'log4j.properties');
  await writeFile(
    file,
    [
      'log4j.rootLogger=INFO, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${logFile}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );
  return `-Dlog4j.configuration=file:${file}`;
}
