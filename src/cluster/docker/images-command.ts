/**
 * `faultline images build [files...]`: the base image and the broker images for the versions the scenarios'
 * docker clusters name (none given: every system's default). What an image holds is its system's to say
 * (systems/: a Kafka image also holds MirrorMaker 2 of its version). Each is built once, cached by content.
 */
import type { Scenario } from '../../scenario/schema.js';
import type { SystemName } from '../../systems/facts.js';
import { allSystems, systemOf } from '../../systems/systems.js';
import { ensureBaseImage } from './base-image.js';
import { type BrokerImageSpec, ensureBrokerImage } from './broker-images.js';
import { requireDaemon } from './docker-cli.js';
import type { BuildLog, BuiltImage } from './image-inspect.js';

export interface WantedImage {
  system: SystemName;
  version: string;
}

/** The broker images a set of scenarios needs: one per system and version of its docker clusters. */
export function wantedImages(scenarios: Scenario[]): WantedImage[] {
  const wanted = new Map<string, WantedImage>();
  const add = (system: SystemName, version: string | undefined) => {
    const v = version ?? systemOf(system).defaultVersion;
    wanted.set(`${system} ${v}`, { system, version: v });
  };
  if (scenarios.length === 0) for (const system of allSystems) add(system.name, undefined);
  for (const scenario of scenarios)
    for (const cluster of scenario.clusters) if (cluster.provider === 'docker') add(cluster.system, cluster.version);
  return [...wanted.values()];
}

export async function imageSpec(wanted: WantedImage, log: (line: string) => void): Promise<BrokerImageSpec> {
  return { ...wanted, classpaths: await systemOf(wanted.system).imageClasspaths(wanted.version, log) };
}

/** Builds (or finds) the base image, then each wanted broker image; returns them base first. */
export async function buildImages(wanted: WantedImage[], log: BuildLog): Promise<BuiltImage[]> {
  await requireDaemon();
  const base = await ensureBaseImage(log);
  const built = [base];
  for (const image of wanted) built.push(await ensureBrokerImage(await imageSpec(image, log.info), base, log));
  return built;
}
