/**
 * The base image every broker image starts FROM: Debian (debootstrap, minbase) with a headless Java 17 runtime,
 * bootstrapped from the mirror this machine's apt uses and imported with `docker import` — no registry needed.
 * Its tag is derived from a hash of its inputs (recipe, suite, mirrors, architecture), so it is built once.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { InfrastructureError } from '../../errors.js';
import { cacheDir } from '../cache.js';
import { debianMirrors } from './debian-mirror.js';
import { runLogged } from './docker-cli.js';
import { type BuildLog, type BuiltImage, imageBuilt, inspectImage } from './image-inspect.js';

export const BASE_SUITE = 'bookworm';
export const BASE_PACKAGES = ['openjdk-17-jre-headless'];

/**
 * Run as root with ROOT, SUITE, ARCHIVE, SECURITY, PACKAGES, TAG and JAVA_HOME set; the arguments are `docker
 * import --change` options. /proc must be mounted in the chroot while Java's packages configure (without it java
 * fails: "libjli.so: cannot open shared object file").
 */
const RECIPE = `
set -euo pipefail
debootstrap --variant=minbase "$SUITE" "$ROOT" "$ARCHIVE"
cat >"$ROOT/etc/apt/sources.list" <<SOURCES
deb $ARCHIVE $SUITE main
deb $ARCHIVE $SUITE-updates main
deb $SECURITY $SUITE-security main
SOURCES
printf 'APT::Install-Recommends "false";\\nAPT::Install-Suggests "false";\\n' >"$ROOT/etc/apt/apt.conf.d/90faultline"
for f in /etc/apt/apt.conf.d/*; do grep -qs 'Acquire::' "$f" && cp "$f" "$ROOT/etc/apt/apt.conf.d/"; done
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
trap 'umount "$ROOT/proc" "$ROOT/sys" 2>/dev/null || true' EXIT
chroot "$ROOT" apt-get update -qq
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES
chroot "$ROOT" apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/*
umount "$ROOT/proc" "$ROOT/sys"
: >"$ROOT/etc/resolv.conf"
"$ROOT/usr/bin/java" -version 2>&1 | head -1 || true
tar -C "$ROOT" -c . | docker import "$@" - "$TAG"
`;

export interface BaseImageInputs {
  suite: string;
  archive: string;
  security: string;
  architecture: string;
  packages: string[];
}

export function baseImageInputs(): BaseImageInputs {
  return {
    suite: BASE_SUITE,
    ...debianMirrors(BASE_SUITE),
    architecture: debianArchitecture(),
    packages: BASE_PACKAGES,
  };
}

export function baseImageTag(inputs: BaseImageInputs): string {
  const hash = createHash('sha256').update(RECIPE).update(JSON.stringify(inputs)).digest('hex').slice(0, 12);
  return `faultline/base:${inputs.suite}-jre17-${hash}`;
}

/** Builds the base image unless an image with its tag exists. */
export async function ensureBaseImage(log: BuildLog): Promise<BuiltImage> {
  const inputs = baseImageInputs();
  const tag = baseImageTag(inputs);
  const existing = await inspectImage(tag);
  if (existing) return { ...existing, built: false, seconds: 0 };
  if (process.getuid?.() !== 0) throw new InfrastructureError(`building ${tag} needs root (debootstrap, chroot)`);
  if (!commandExists('debootstrap'))
    throw new InfrastructureError(`building ${tag} needs debootstrap: run \`sudo scripts/containers.sh\``);
  const started = performance.now();
  const root = cacheDir('docker', 'rootfs', tag.replace(/[^A-Za-z0-9_.-]/g, '-'));
  removeRoot(root);
  await mkdir(root, { recursive: true });
  const javaHome = `/usr/lib/jvm/java-17-openjdk-${inputs.architecture}`;
  const changes = [
    `ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    `ENV JAVA_HOME=${javaHome}`,
    `LABEL org.opencontainers.image.title="faultline base"`,
    `LABEL org.opencontainers.image.description="Debian ${inputs.suite} (debootstrap minbase) with ${inputs.packages.join(' ')}"`,
    `LABEL faultline.image=base faultline.inputs=${tag.split('-').pop()} faultline.debian.suite=${inputs.suite}`,
    `LABEL faultline.debian.archive=${inputs.archive} faultline.packages="${inputs.packages.join(' ')}"`,
  ].flatMap((change) => ['--change', change]);
  log.info(`building ${tag}: debootstrap ${inputs.suite} from ${inputs.archive}, then ${inputs.packages.join(' ')}`);
  try {
    await runLogged('bash', ['-c', RECIPE, 'recipe', ...changes], {
      env: {
        ...process.env,
        ROOT: root,
        SUITE: inputs.suite,
        ARCHIVE: inputs.archive,
        SECURITY: inputs.security,
        PACKAGES: inputs.packages.join(' '),
        TAG: tag,
      },
      log: log.detail,
      timeoutMs: 20 * 60_000,
      what: `building the base image ${tag}`,
    });
  } finally {
    removeRoot(root);
  }
  return imageBuilt(tag, started);
}

/** Never follows a mount out of the chroot: /proc and /sys are unmounted first, and rm stays on one filesystem. */
function removeRoot(root: string): void {
  if (!existsSync(root)) return;
  for (const mount of ['proc', 'sys']) {
    try {
      execFileSync('umount', [`${root}/${mount}`], { stdio: 'ignore' });
    } catch {
      /* not mounted */
    }
  }
  try {
    execFileSync('rm', ['-rf', '--one-file-system', root], { stdio: 'ignore' });
  } catch {
    /* something still mounted under it: left in place rather than followed */
  }
}

function debianArchitecture(): string {
  try {
    return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  } catch {
    return process.arch === 'arm64' ? 'arm64' : 'amd64';
  }
}

function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
