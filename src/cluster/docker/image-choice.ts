/**
 * Which image provider: docker runs, as pure rules (container-image.ts applies them to the daemon):
 * - Without `image:`, the official image of the version (`apache/kafka:<v>` for Kafka and MirrorMaker 2,
 *   `apachepulsar/pulsar:<v>`): used when present, else pulled (bounded in time); when it cannot be pulled, the
 *   local build (`faultline images build`) runs instead and one line says so. `FAULTLINE_PULL=never` skips the
 *   official image: the local build runs straight away (offline machines, CI).
 * - With `image: X`: X when present, else pulled; a failed pull is an error (no fallback for a named image).
 * - A registry mirror: `FAULTLINE_IMAGE_PREFIX`, else testcontainers' `TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX`, is put
 *   before the official names (e.g. `mirror.corp:5000/` → `mirror.corp:5000/apache/kafka:4.1.1`); `image:` is
 *   used as written.
 */
import { InfrastructureError } from '../../errors.js';

/** How a broker's image was chosen, for result.json (`cluster.containers[].imageSource`). */
export type ImageSource = 'pulled' | 'present' | 'local';

export interface ImageChoice {
  /** pulled: by this run; present: already on this machine; local: faultline's own build (`faultline images build`). */
  source: ImageSource;
  /** For `local` without `image:`: why the official image did not run (its pull error, or FAULTLINE_PULL=never). */
  reason?: string;
}

export interface PullSettings {
  /** FAULTLINE_PULL=never: run the local build without trying the official image. */
  skip: boolean;
  /** FAULTLINE_PULL_TIMEOUT (seconds; default 60): the bound on each pull. */
  timeoutMs: number;
  /** The registry mirror put before official image names (FAULTLINE_IMAGE_PREFIX, TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX). */
  prefix: string | undefined;
}

export const DEFAULT_PULL_TIMEOUT_S = 60;

export function pullSettings(env: NodeJS.ProcessEnv = process.env): PullSettings {
  const pull = env.FAULTLINE_PULL?.trim() ?? '';
  if (pull !== '' && pull !== 'never' && pull !== 'missing')
    throw new InfrastructureError(
      `FAULTLINE_PULL=${pull}: expected \`never\` (skip pulling) or \`missing\` (the default)`,
    );
  const timeout = env.FAULTLINE_PULL_TIMEOUT?.trim() ?? '';
  const seconds = timeout === '' ? DEFAULT_PULL_TIMEOUT_S : Number(timeout.replace(/s$/, ''));
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InfrastructureError(`FAULTLINE_PULL_TIMEOUT=${timeout}: expected a number of seconds above 0, e.g. 60`);
  const prefix = env.FAULTLINE_IMAGE_PREFIX?.trim() || env.TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX?.trim() || '';
  return { skip: pull === 'never', timeoutMs: Math.round(seconds * 1000), prefix: prefix === '' ? undefined : prefix };
}

/** Artifact sets (see the systems' layout code) → the official image of their version. */
const OFFICIAL_IMAGES: Array<{ artifacts: RegExp; repository: string }> = [
  { artifacts: /^(?:kafka|mm2)-(\d[^/:]*)$/, repository: 'apache/kafka' },
  { artifacts: /^pulsar-(\d[^/:]*)$/, repository: 'apachepulsar/pulsar' },
];

/** The official image for an artifact set (e.g. "mm2-4.1.1" → "apache/kafka:4.1.1"); undefined when none. */
export function officialImage(artifacts: string): string | undefined {
  for (const { artifacts: pattern, repository } of OFFICIAL_IMAGES) {
    const match = pattern.exec(artifacts);
    if (match) return `${repository}:${match[1]}`;
  }
  return undefined;
}

/**
 * A Docker Hub name through a mirror, as testcontainers does it: the prefix is a registry ("mirror:5000") or a
 * registry and a path ("mirror.corp/hub/"); a name that already names a registry is left as it is.
 */
export function withMirrorPrefix(name: string, prefix: string | undefined): string {
  if (!prefix || namesRegistry(name)) return name;
  return `${prefix.replace(/\/+$/, '')}/${name}`;
}

/** The first path component is a registry host when it has a dot or a port, or is "localhost" (Docker's rule). */
export function namesRegistry(name: string): boolean {
  const parts = name.split('/');
  return parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost');
}

/** "kafka-4.1.1" → "kafka 4.1.1", for the line that says which image runs. */
export function artifactsLabel(artifacts: string): string {
  return artifacts.replace(/-(?=\d)/, ' ');
}

/** The one line a run prints about the image an artifact set runs in (none when the user asked for the local build). */
export function choiceLine(
  artifacts: string,
  ref: string,
  choice: ImageChoice,
  pullSeconds?: number,
): string | undefined {
  const what = artifactsLabel(artifacts);
  if (choice.source === 'pulled')
    return `${what}: pulled ${ref}${pullSeconds !== undefined ? ` in ${pullSeconds.toFixed(1)} s` : ''}`;
  if (choice.source === 'present') return `${what}: running ${ref} (already on this machine)`;
  if (!choice.reason || choice.reason === SKIPPED_REASON) return undefined;
  return `${what}: ${choice.reason}; running the local build ${ref}`;
}

export const SKIPPED_REASON = 'FAULTLINE_PULL=never';

/** Why the official image did not run, for the result and the line: "<ref> could not be pulled (<error>)". */
export function pullFailedReason(ref: string, error: string): string {
  return `${ref} could not be pulled (${error})`;
}

/** The repository of an image reference, without its tag or digest ("127.0.0.1:5000/apache/kafka:4.1.1" → "127.0.0.1:5000/apache/kafka"). */
export function repositoryOf(ref: string): string {
  return ref.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
}

/**
 * The java a container runs: `$JAVA_HOME/bin/java` when the image's configuration sets JAVA_HOME (eclipse-temurin,
 * under apache/kafka: /opt/java/openjdk; apachepulsar/pulsar: /opt/jvm; faultline's base: Debian's JVM), else
 * `java` on the image's PATH.
 */
export function javaOf(imageEnv: readonly string[]): string {
  const home = imageEnv
    .find((entry) => entry.startsWith('JAVA_HOME='))
    ?.slice('JAVA_HOME='.length)
    .replace(/\/+$/, '');
  return home ? `${home}/bin/java` : 'java';
}
