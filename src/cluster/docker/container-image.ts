/**
 * Which image a launch runs in, and where that image holds the launch's jars. A faultline image says so in its
 * labels (`faultline.classpath.<set>`, see broker-images.ts); an official image (apache/kafka,
 * apachepulsar/pulsar) by its known layout. The host classpath the layout code wrote (the cache's
 * classpaths/<set>/lib) is rewritten to the image's directory.
 */
import { InfrastructureError } from '../../errors.js';
import { cacheDir } from '../cache.js';
import type { LaunchSpec } from '../runtime.js';
import { CLASSPATH_LABEL_PREFIX } from './broker-images.js';
import { containerClient } from './container-client.js';

export interface ResolvedImage {
  /** What the container was created from (a tag, or an id). */
  ref: string;
  /** sha256:… */
  id: string;
  /** Where each classpath set lives in the image. */
  classpathDirs: Record<string, string>;
}

/** Official images: one directory holds every jar (the broker's and MirrorMaker 2's). */
const OFFICIAL_LAYOUTS: Array<{ repository: RegExp; dir: string }> = [
  { repository: /(^|\/)apache\/kafka(-native)?$/, dir: '/opt/kafka/libs' },
  { repository: /(^|\/)apachepulsar\/pulsar(-all)?$/, dir: '/pulsar/lib' },
];

export async function resolveImage(spec: LaunchSpec): Promise<ResolvedImage> {
  const { client } = await containerClient();
  const docker = client.container.dockerode;
  if (spec.image) {
    const info = await docker
      .getImage(spec.image)
      .inspect()
      .catch(() => undefined);
    if (!info)
      throw new InfrastructureError(
        `image ${spec.image} (${spec.name}) is not on this machine and faultline pulls none: pull or build it, or leave image: out to run the image \`faultline images build\` makes`,
      );
    const labels = info.Config?.Labels ?? {};
    const official = OFFICIAL_LAYOUTS.find((l) => l.repository.test(spec.image!.split(/[:@]/)[0]!));
    const dirs = classpathDirsFrom(labels);
    if (Object.keys(dirs).length === 0 && official)
      return { ref: spec.image, id: info.Id, classpathDirs: { '*': official.dir } };
    return { ref: spec.image, id: info.Id, classpathDirs: dirs };
  }
  if (!spec.artifacts) throw new Error(`launch ${spec.name} names neither an image nor its artifact set`);
  const images = await docker.listImages({
    filters: JSON.stringify({ label: [`${CLASSPATH_LABEL_PREFIX}${spec.artifacts}`] }),
  });
  const newest = images.sort((a, b) => b.Created - a.Created)[0];
  if (!newest)
    throw new InfrastructureError(
      `no container image holds ${spec.artifacts} (for ${spec.name}): run \`faultline images build\` (with the scenario file, for the versions it names)`,
    );
  const tagged = newest.RepoTags?.find((t) => t !== '<none>:<none>' && /:\d[^:]*-[0-9a-f]{12}$/.test(t));
  return {
    ref: tagged ?? newest.RepoTags?.[0] ?? newest.Id,
    id: newest.Id,
    classpathDirs: classpathDirsFrom(newest.Labels ?? {}),
  };
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
