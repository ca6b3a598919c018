/**
 * Broker images: FROM the base image, with the jars faultline resolves from Maven Central (the same classpaths the
 * local provider runs) copied in, one directory per classpath, e.g. /opt/faultline/classpaths/kafka-4.1.1/lib.
 * Labels say what an image holds (`faultline.classpath.<set>` → its directory in the image), so the container
 * runtime finds the image for a launch's artifact set. The tag carries a hash of the inputs (the base image id and
 * every jar's name and content): an image that exists is not built again.
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SystemName } from '../../systems/facts.js';
import { cacheDir } from '../cache.js';
import { docker, runLogged } from './docker-cli.js';
import { type BuildLog, type BuiltImage, type ImageFacts, imageBuilt, inspectImage } from './image-inspect.js';

export const IMAGE_CLASSPATH_ROOT = '/opt/faultline/classpaths';
export const CLASSPATH_LABEL_PREFIX = 'faultline.classpath.';

/** One classpath the image holds: its name (e.g. "kafka-4.1.1", "mm2-4.1.1") and the host directory of its jars. */
export interface ClasspathSet {
  name: string;
  dir: string;
}

export interface BrokerImageSpec {
  system: SystemName;
  version: string;
  classpaths: ClasspathSet[];
}

export function imageClasspathDir(set: string): string {
  return `${IMAGE_CLASSPATH_ROOT}/${set}/lib`;
}

export async function ensureBrokerImage(spec: BrokerImageSpec, base: ImageFacts, log: BuildLog): Promise<BuiltImage> {
  const jars = await Promise.all(spec.classpaths.map(async (set) => ({ set, jars: await jarNames(set.dir) })));
  const hash = await inputsHash(base.id, jars);
  const tag = `faultline/${spec.system}:${spec.version}-${hash}`;
  const alias = `faultline/${spec.system}:${spec.version}`;
  const existing = await inspectImage(tag);
  if (existing) {
    await docker(['tag', tag, alias]);
    return { ...existing, built: false, seconds: 0 };
  }
  const started = performance.now();
  const context = cacheDir('docker', 'build', `${spec.system}-${spec.version}-${hash}`);
  await rm(context, { recursive: true, force: true });
  try {
    for (const { set, jars: names } of jars) {
      await mkdir(join(context, set.name), { recursive: true });
      for (const jar of names) await linkOrCopy(join(set.dir, jar), join(context, set.name, jar));
    }
    await writeFile(join(context, 'Dockerfile'), dockerfile(spec, base, hash, jars));
    log.info(
      `building ${tag} FROM ${base.tag}: ${jars.map((j) => `${j.set.name} (${j.jars.length} jars)`).join(', ')}`,
    );
    await runLogged('docker', ['build', '--quiet', '--tag', tag, context], {
      // The legacy builder: no buildx plugin is needed, and nothing is pulled (the base image is local).
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      log: log.detail,
      timeoutMs: 10 * 60_000,
      what: `building ${tag}`,
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  await docker(['tag', tag, alias]);
  return imageBuilt(tag, started);
}

function dockerfile(
  spec: BrokerImageSpec,
  base: ImageFacts,
  hash: string,
  jars: Array<{ set: ClasspathSet; jars: string[] }>,
): string {
  const label = (key: string, value: string) => `LABEL ${key}=${JSON.stringify(value)}`;
  return [
    `FROM ${base.tag}`,
    ...jars.map(({ set }) => `COPY ${set.name} ${imageClasspathDir(set.name)}`),
    label('org.opencontainers.image.title', `faultline ${spec.system} ${spec.version}`),
    label(
      'org.opencontainers.image.description',
      `${spec.system} ${spec.version} jars from Maven Central (${jars.map((j) => `${j.set.name}: ${j.jars.length} jars`).join(', ')}) on ${base.tag}`,
    ),
    label('faultline.image', spec.system),
    label('faultline.system', spec.system),
    label('faultline.version', spec.version),
    label('faultline.inputs', hash),
    label('faultline.base', base.tag),
    ...jars.map(({ set }) => label(`${CLASSPATH_LABEL_PREFIX}${set.name}`, imageClasspathDir(set.name))),
    '',
  ].join('\n');
}

async function jarNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.jar')).sort();
}

async function inputsHash(baseId: string, jars: Array<{ set: ClasspathSet; jars: string[] }>): Promise<string> {
  const hash = createHash('sha256').update(baseId);
  for (const { set, jars: names } of [...jars].sort((a, b) => a.set.name.localeCompare(b.set.name))) {
    hash.update(`\n${set.name}\n`);
    for (const jar of names) hash.update(`${jar}\0`).update(await readFile(join(set.dir, jar)));
  }
  return hash.digest('hex').slice(0, 12);
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}
