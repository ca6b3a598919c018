/**
 * MirrorMaker 2 from Maven Central: org.apache.kafka:connect-mirror of the brokers' version, with the same log4j2
 * provider the 4.x broker uses, in a classpath of its own (mm2-<version>): the broker's cached classpath is marked
 * complete and is never extended.
 */
import { ensureClasspath, type Classpath, type MavenArtifact } from '../cluster/maven-artifacts.js';
import { kafkaArtifacts, kafkaMajor } from '../cluster/kafka/kafka-distribution.js';

export function mirrorMakerArtifacts(version: string): MavenArtifact[] {
  const logging = kafkaArtifacts(version).filter((a) => a.groupId !== 'org.apache.kafka');
  return [{ groupId: 'org.apache.kafka', artifactId: 'connect-mirror', version }, ...logging];
}

/** The artifact set (classpath name) of MirrorMaker 2 of a Kafka version. */
export function mirrorMakerArtifactSet(version: string): string {
  return `mm2-${version}`;
}

export function mirrorMakerClasspath(version: string, log: (line: string) => void): Promise<Classpath> {
  if (kafkaMajor(version) < 3)
    throw new Error(`MirrorMaker 2 needs Kafka 3.0 or later (IdentityReplicationPolicy); got ${version}`);
  return ensureClasspath(mirrorMakerArtifactSet(version), mirrorMakerArtifacts(version), log);
}
