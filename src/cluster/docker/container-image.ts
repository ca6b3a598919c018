/**
 * Which image a launch runs in, and where that image holds the launch's jars. The choice (official image, pulled
 * when missing, else the local build; or the image `image:` names) follows image-choice.ts, made once per image
 * per harness process and announced in one line. A faultline image says where its jars are in its labels
 * (`faultline.classpath.<set>`, see broker-images.ts); an official image (apache/kafka, apachepulsar/pulsar) by
 * its known layout. The host classpath the layout code wrote (the cache's classpaths/<set>/lib) is rewritten to
 * the image's directory.
 */
import type Dockerode from 'dockerode';
import { InfrastructureError } from '../../errors.js';
import { cacheDir } from '../cache.js';
import type { LaunchSpec } from '../runtime.js';
import { CLASSPATH_LABEL_PREFIX } from './broker-images.js';
import { containerClient } from './container-client.js';
import {
  choiceLine,
  type ImageChoice,
  javaOf,
  officialImage,
  pullFailedReason,
  pullSettings,
  repositoryOf,
  SKIPPED_REASON,
  withMirrorPrefix,
} from './image-choice.js';
import { pullOnce } from './image-pull.js';

export interface ResolvedImage {
  /** What the container was created from (a tag, or an id). */
  ref: string;
  /** sha256:… */
  id: string;
  /** Where each classpath set lives in the image. */
  classpathDirs: Record<string, string>;
  /** The container's entrypoint: the image's java (see javaOf). */
  java: string;
  /** How it was chosen (pulled, present, the local build and why). */
  choice: ImageChoice;
}

/** Where the line about the chosen image goes: the run's progress, else stderr. */
export type Announce = (line: string) => void;

const toStderr: Announce = (line) => process.stderr.write(`faultline: ${line}\n`);

/** Official images: one directory holds every jar (the broker's and MirrorMaker 2's). */
const OFFICIAL_LAYOUTS: Array<{ repository: RegExp; dir: string }> = [
  { repository: /(^|\/)apache\/kafka(-native)?$/, dir: '/opt/kafka/libs' },
  { repository: /(^|\/)apachepulsar\/pulsar(-all)?$/, dir: '/pulsar/lib' },
];

type ImageInfo = Awaited<ReturnType<Dockerode.Image['inspect']>>;

const resolutions = new Map<string, Promise<ResolvedImage>>();
const announced = new Set<string>();

/** The image of a launch: chosen once per image (or artifact set) per process, and announced once. */
export function resolveImage(spec: LaunchSpec, announce: Announce = toStderr): Promise<ResolvedImage> {
  const key = spec.image ? `image ${spec.image}` : `artifacts ${spec.artifacts}`;
  let resolution = resolutions.get(key);
  if (!resolution) {
    resolution = spec.image ? namedImage(spec, spec.image, announce) : defaultImage(spec, announce);
    resolutions.set(key, resolution);
  }
  return resolution;
}

/** `image: X`: X when present, else pulled (bounded); a failed pull is an error, never a silent fallback. */
async function namedImage(spec: LaunchSpec, image: string, announce: Announce): Promise<ResolvedImage> {
  const present = await inspect(image);
  if (present) return resolved(image, present, { source: 'present' });
  const settings = pullSettings();
  if (settings.skip)
    throw new InfrastructureError(
      `image ${image} (${spec.name}) is not on this machine and ${SKIPPED_REASON} forbids pulling it: pull or build it, or leave image: out to run the image \`faultline images build\` makes`,
    );
  const outcome = await pullOnce(image, settings.timeoutMs);
  if (!outcome.pulled)
    throw new InfrastructureError(
      `image ${image} (${spec.name}) is not on this machine and could not be pulled: ${outcome.reason}`,
    );
  const pulled = await inspect(image);
  if (!pulled) throw new InfrastructureError(`image ${image} (${spec.name}) is missing right after its pull`);
  const choice: ImageChoice = { source: 'pulled' };
  announceOnce(image, choiceLine(spec.artifacts ?? spec.name, image, choice, outcome.seconds), announce);
  return resolved(image, pulled, choice);
}

/** No `image:`: the official image of the version (present, or pulled), else the local build. */
async function defaultImage(spec: LaunchSpec, announce: Announce): Promise<ResolvedImage> {
  if (!spec.artifacts) throw new Error(`launch ${spec.name} names neither an image nor its artifact set`);
  const settings = pullSettings();
  const official = officialImage(spec.artifacts);
  if (settings.skip) return localImage(spec, spec.artifacts, { source: 'local', reason: SKIPPED_REASON });
  if (!official) return localImage(spec, spec.artifacts, { source: 'local' });
  const ref = withMirrorPrefix(official, settings.prefix);
  const present = await inspect(ref);
  if (present) {
    const choice: ImageChoice = { source: 'present' };
    announceOnce(ref, choiceLine(spec.artifacts, ref, choice), announce);
    return resolved(ref, present, choice);
  }
  const outcome = await pullOnce(ref, settings.timeoutMs);
  const pulled = outcome.pulled ? await inspect(ref) : undefined;
  if (pulled) {
    const choice: ImageChoice = { source: 'pulled' };
    announceOnce(ref, choiceLine(spec.artifacts, ref, choice, outcome.pulled ? outcome.seconds : undefined), announce);
    return resolved(ref, pulled, choice);
  }
  const reason = pullFailedReason(ref, outcome.pulled ? 'missing right after its pull' : outcome.reason);
  const local = await localImage(spec, spec.artifacts, { source: 'local', reason });
  announceOnce(ref, choiceLine(spec.artifacts, local.ref, local.choice), announce);
  return local;
}

/** The newest local image (`faultline images build`) that holds the artifact set. */
async function localImage(spec: LaunchSpec, artifacts: string, choice: ImageChoice): Promise<ResolvedImage> {
  const { client } = await containerClient();
  const images = await client.container.dockerode.listImages({
    filters: JSON.stringify({ label: [`${CLASSPATH_LABEL_PREFIX}${artifacts}`] }),
  });
  const newest = images.sort((a, b) => b.Created - a.Created)[0];
  const info = newest ? await inspect(newest.Id) : undefined;
  if (!newest || !info) {
    const why = choice.reason && choice.reason !== SKIPPED_REASON ? `${choice.reason}, and ` : '';
    throw new InfrastructureError(
      `${why}no container image holds ${artifacts} (for ${spec.name}): run \`faultline images build\` (with the scenario file, for the versions it names)`,
    );
  }
  const tagged = newest.RepoTags?.find((t) => t !== '<none>:<none>' && /:\d[^:]*-[0-9a-f]{12}$/.test(t));
  return resolved(tagged ?? newest.RepoTags?.[0] ?? newest.Id, info, choice);
}

function resolved(ref: string, info: ImageInfo, choice: ImageChoice): ResolvedImage {
  let dirs = classpathDirsFrom(info.Config?.Labels ?? {});
  const official = OFFICIAL_LAYOUTS.find((l) => l.repository.test(repositoryOf(ref)));
  if (Object.keys(dirs).length === 0 && official) dirs = { '*': official.dir };
  return { ref, id: info.Id, classpathDirs: dirs, java: javaOf(info.Config?.Env ?? []), choice };
}

async function inspect(ref: string): Promise<ImageInfo | undefined> {
  const { client } = await containerClient();
  return client.container.dockerode
    .getImage(ref)
    .inspect()
    .catch(() => undefined);
}

function announceOnce(key: string, line: string | undefined, announce: Announce): void {
  if (!line || announced.has(key)) return;
  announced.add(key);
  announce(line);
}

function classpathDirsFrom(labels: Record<string, string>): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels))
    if (key.startsWith(CLASSPATH_LABEL_PREFIX)) dirs[key.slice(CLASSPATH_LABEL_PREFIX.length)] = value;
  return dirs;
}

/**
 * The classpath inside the image: each entry in the host cache (…/classpaths/<set>/lib[/*]) becomes the image's
 * directory for <set> (`*` in `dirs`: one directory for every set); other entries stay as they are (a mounted path).
 */
export function containerClasspath(
  hostClasspath: string,
  dirs: Record<string, string>,
  image: string,
  classpathsRoot = cacheDir('classpaths'),
): string {
  const root = classpathsRoot.replace(/\/$/, '');
  return hostClasspath
    .split(':')
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      if (!entry.startsWith(`${root}/`)) return entry;
      const match = /^([^/]+)\/lib(\/\*)?$/.exec(entry.slice(root.length + 1));
      if (!match) return entry;
      const dir = dirs[match[1]!] ?? dirs['*'];
      if (!dir)
        throw new InfrastructureError(
          `image ${image} does not hold ${match[1]} (no label ${CLASSPATH_LABEL_PREFIX}${match[1]}): run \`faultline images build\``,
        );
      return `${dir}/*`;
    })
    .join(':');
}
