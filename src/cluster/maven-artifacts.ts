/**
 * Resolves a set of Maven Central artifacts, with their runtime dependencies, into a directory of jars in the
 * cache (one directory per classpath, so systems never share jars). Done once: a marker file records success;
 * a lock directory keeps concurrent runs from resolving the same classpath twice.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InfrastructureError } from '../errors.js';
import { cacheDir } from './cache.js';
import { isAlive } from './pid.js';
import { requireTool } from './toolchain.js';

export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  /** Transitive dependencies to leave out, as groupId:artifactId. */
  exclusions?: string[];
}

export interface Classpath {
  /** Directory holding the jars. */
  dir: string;
  /** The `-cp` argument. */
  spec: string;
}

const LOCK_STALE_MS = 10 * 60_000;

export async function ensureClasspath(
  name: string,
  artifacts: MavenArtifact[],
  log: (line: string) => void,
): Promise<Classpath> {
  const home = cacheDir('classpaths', name);
  const lib = join(home, 'lib');
  const marker = join(home, 'complete.json');
  const classpath = { dir: lib, spec: `${lib}/*` };
  if (existsSync(marker)) return classpath;
  await mkdir(home, { recursive: true });
  const lock = join(home, '.lock');
  await acquireLock(lock);
  try {
    if (existsSync(marker)) return classpath;
    requireTool('mvn');
    log(`resolving ${name} from Maven Central into ${lib} (once)`);
    await rm(lib, { recursive: true, force: true });
    await writeFile(join(home, 'pom.xml'), pom(name, artifacts));
    const settings = await centralOnlySettings(home);
    const output = await runMaven(home, lib, settings);
    const jars = (await readdir(lib).catch(() => [])).filter((f) => f.endsWith('.jar'));
    if (jars.length === 0) throw new InfrastructureError(`Maven resolved no jars for ${name}:\n${output}`);
    await writeFile(marker, JSON.stringify({ artifacts, jars, resolvedAt: new Date().toISOString() }, null, 2));
    return classpath;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function pom(name: string, artifacts: MavenArtifact[]): string {
  const exclusion = (ga: string) => {
    const [groupId, artifactId] = ga.split(':');
    return `<exclusion><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId></exclusion>`;
  };
  const dependencies = artifacts
    .map((a) => {
      const exclusions = a.exclusions?.length ? `<exclusions>${a.exclusions.map(exclusion).join('')}</exclusions>` : '';
      return `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId><version>${a.version}</version>${exclusions}</dependency>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>faultline.cache</groupId>
  <artifactId>${name.replace(/[^A-Za-z0-9_.-]/g, '-')}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}

/**
 * Some broker poms declare extra repositories (Pulsar's name Confluent's, for instance); faultline resolves from
 * Maven Central only. A user's own ~/.m2/settings.xml (a company mirror, say) is respected as it is.
 */
async function centralOnlySettings(home: string): Promise<string | undefined> {
  if (existsSync(join(homedir(), '.m2', 'settings.xml'))) return undefined;
  const file = join(home, 'settings.xml');
  await writeFile(
    file,
    `<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <mirrors>
    <mirror><id>central-only</id><name>Maven Central for every repository</name><url>https://repo.maven.apache.org/maven2</url><mirrorOf>*</mirrorOf></mirror>
  </mirrors>
</settings>
`,
  );
  return file;
}

function runMaven(home: string, lib: string, settings: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = [
      '-B',
      '-q',
      ...(settings ? ['-s', settings] : []),
      '-f',
      join(home, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${lib}`,
    ];
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => reject(new InfrastructureError(`could not run mvn: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve(output);
      const missing = /Could not find artifact ([^\s]+)/.exec(output);
      const reason = missing
        ? `artifact ${missing[1]} is not on Maven Central (is the version right?)`
        : output.trim().split('\n').slice(-15).join('\n');
      reject(new InfrastructureError(`Maven could not resolve the broker jars: ${reason}`));
    });
  });
}

async function acquireLock(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'owner'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await lockIsStale(lock)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new InfrastructureError(`timed out waiting for the artifact lock ${lock}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function lockIsStale(lock: string): Promise<boolean> {
  const owner = Number(await readFile(join(lock, 'owner'), 'utf8').catch(() => ''));
  if (owner > 0 && !isAlive(owner)) return true;
  const info = await stat(lock).catch(() => undefined);
  return !info || Date.now() - info.mtimeMs > LOCK_STALE_MS;
}
