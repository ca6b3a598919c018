/**
 * `faultline images build [files...]`: the base image and the broker images for the versions the scenarios'
 * docker clusters name (none given: the default Kafka and Pulsar). A Kafka image also holds MirrorMaker 2 of its
 * version (a replication into a docker Kafka cluster runs from it). Each is built once, cached by content.
 */
import { DEFAULT_KAFKA_VERSION, kafkaArtifacts } from '../kafka/kafka-distribution.js';
import { ensureClasspath } from '../maven-artifacts.js';
import { DEFAULT_PULSAR_VERSION, pulsarArtifacts } from '../pulsar/pulsar-distribution.js';
import { mirrorMakerClasspath } from '../../replication/mm2-distribution.js';
import type { Scenario } from '../../scenario/schema.js';
import { ensureBaseImage } from './base-image.js';
import { type BrokerImageSpec, ensureBrokerImage } from './broker-images.js';
import { requireDaemon } from './docker-cli.js';
import type { BuildLog, BuiltImage } from './image-inspect.js';

export interface WantedImage {
  system: 'kafka' | 'pulsar';
  version: string;
}

/** The broker images a set of scenarios needs: one per system and version of its docker clusters. */
export function wantedImages(scenarios: Scenario[]): WantedImage[] {
  const wanted = new Map<string, WantedImage>();
  const add = (system: 'kafka' | 'pulsar', version: string | undefined) => {
    const v = version ?? (system === 'kafka' ? DEFAULT_KAFKA_VERSION : DEFAULT_PULSAR_VERSION);
    wanted.set(`${system} ${v}`, { system, version: v });
  };
  if (scenarios.length === 0) {
    add('kafka', undefined);
    add('pulsar', undefined);
  }
  for (const scenario of scenarios)
    for (const cluster of scenario.clusters) if (cluster.provider === 'docker') add(cluster.system, cluster.version);
  return [...wanted.values()];
}

export async function imageSpec(wanted: WantedImage, log: (line: string) => void): Promise<BrokerImageSpec> {
  if (wanted.system === 'pulsar') {
    const broker = await ensureClasspath(`pulsar-${wanted.version}`, pulsarArtifacts(wanted.version), log);
    return { ...wanted, classpaths: [{ name: `pulsar-${wanted.version}`, dir: broker.dir }] };
  }
  const broker = await ensureClasspath(`kafka-${wanted.version}`, kafkaArtifacts(wanted.version), log);
  const mm2 = await mirrorMakerClasspath(wanted.version, log);
  return {
    ...wanted,
    classpaths: [
      { name: `kafka-${wanted.version}`, dir: broker.dir },
      { name: `mm2-${wanted.version}`, dir: mm2.dir },
    ],
  };
}

/** Builds (or finds) the base image, then each wanted broker image; returns them base first. */
export async function buildImages(wanted: WantedImage[], log: BuildLog): Promise<BuiltImage[]> {
  await requireDaemon();
  const base = await ensureBaseImage(log);
  const built = [base];
  for (const image of wanted) built.push(await ensureBrokerImage(await imageSpec(image, log.info), base, log));
  return built;
}
