/**
 * Checks the `config` a scenario passes through to a broker (and its topics) against the broker's own
 * configuration definitions, with a small Java program compiled against the very jars the broker runs from.
 * Compiled once per system, version and program (into the cache); each distinct request's answer is cached
 * too, so `validate` pays for a JVM only the first time it sees a given set of settings. The definitions of
 * each version (every key with its type and validator, as JSON) are kept beside them for did-you-mean:
 * ~/.cache/faultline/config-checks/<system>-<version>/definitions-<program>.json.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from './cache.js';
import type { Classpath } from './maven-artifacts.js';

const run = promisify(execFile);
const CHECK_TIMEOUT_MS = 120_000;

export interface ConfigKeyDefinition {
  type: string;
  validator: string | null;
}

export interface ConfigDefinitions {
  brokerKeys: Record<string, ConfigKeyDefinition>;
  topicKeys: Record<string, ConfigKeyDefinition>;
}

export interface CheckerProblem {
  /** `broker`, or `topic:<n>` for the n-th topic of the request. */
  scope: string;
  /** The key at fault; null for a rule over the whole configuration. */
  key: string | null;
  /** The broker's own words. */
  reason: string;
}

export interface CheckerOutput extends ConfigDefinitions {
  problems: CheckerProblem[];
}

export interface JavaConfigChecker {
  /** Cache key of the broker build, e.g. kafka-4.1.1. */
  name: string;
  className: string;
  source: string;
  classpath: Classpath;
}

/** One problem a provider found in a cluster's config or its topics'. */
export interface ConfigProblem {
  /** Index into the topics given to checkConfig; absent: the cluster's broker config. */
  topic?: number;
  /** The key at fault (absent: the configuration as a whole). */
  key?: string;
  /** True when the key itself is not a setting of this broker (location: the key, not its value). */
  unknownKey?: boolean;
  message: string;
}

/** A request line: scope, key, value (tabs and newlines cannot appear in a key; values are flattened). */
export function requestLine(scope: string, key: string, value: string | number | boolean): string {
  return `${scope}\t${key.replace(/[\t\n]/g, ' ')}\t${String(value).replace(/[\t\n]/g, ' ')}`;
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Runs the checker over `lines` (cached by content); rejects with a one-line reason when it cannot run. */
export async function runConfigChecker(checker: JavaConfigChecker, lines: string[]): Promise<CheckerOutput> {
  const home = cacheDir('config-checks', checker.name);
  const programHash = sha(checker.source).slice(0, 16);
  const definitionsFile = join(home, `definitions-${programHash}.json`);
  const verdictFile = join(home, 'verdicts', `${sha(`${programHash}\n${lines.join('\n')}`).slice(0, 32)}.json`);
  if (existsSync(verdictFile) && existsSync(definitionsFile)) {
    try {
      const definitions = JSON.parse(await readFile(definitionsFile, 'utf8')) as ConfigDefinitions;
      const verdict = JSON.parse(await readFile(verdictFile, 'utf8')) as Pick<CheckerOutput, 'problems'>;
      return { ...definitions, problems: verdict.problems };
    } catch {
      /* a torn file: check again */
    }
  }
  const classes = await compiled(checker, join(home, `program-${programHash}`));
  await mkdir(join(home, 'verdicts'), { recursive: true });
  const work = await mkdtemp(join(home, 'verdicts', '.run-'));
  try {
    const request = join(work, 'request.tsv');
    const output = join(work, 'output.json');
    await writeFile(request, `${lines.join('\n')}\n`);
    try {
      await run(
        'java',
        [
          '-Xmx256m',
          '-XX:TieredStopAtLevel=1',
          '-Dlog4j2.level=OFF',
          '-cp',
          `${classes}:${checker.classpath.spec}`,
          checker.className,
          request,
          output,
        ],
        { timeout: CHECK_TIMEOUT_MS },
      );
    } catch (error) {
      throw new Error(`the ${checker.name} config checker failed: ${lastLine(error)}`);
    }
    const result = JSON.parse(await readFile(output, 'utf8')) as CheckerOutput;
    await writeAtomically(
      definitionsFile,
      JSON.stringify({ brokerKeys: result.brokerKeys, topicKeys: result.topicKeys }),
    );
    await writeAtomically(verdictFile, JSON.stringify({ problems: result.problems }));
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The checker's compiled classes (compiled once into `dir`); needs javac, i.e. a JDK. */
async function compiled(checker: JavaConfigChecker, dir: string): Promise<string> {
  if (existsSync(join(dir, `${checker.className}.class`))) return dir;
  await mkdir(join(dir, '..'), { recursive: true });
  const work = await mkdtemp(`${dir}.build-`);
  try {
    const source = join(work, `${checker.className}.java`);
    await writeFile(source, checker.source);
    const classes = join(work, 'classes');
    try {
      await run('javac', ['-nowarn', '-cp', checker.classpath.spec, '-d', classes, source], {
        timeout: CHECK_TIMEOUT_MS,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? 'javac was not found (checking broker config needs a JDK, not only a JRE)'
          : `compiling the ${checker.name} config checker failed: ${lastLine(error)}`,
      );
    }
    await rename(classes, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process compiled it first: theirs is as good.
      if (!existsSync(join(dir, `${checker.className}.class`))) throw error;
    });
    return dir;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

function lastLine(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  const lines = `${stderr ?? ''}`
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at /.test(l));
  return (lines.find((l) => /error|exception/i.test(l)) ?? lines.at(-1) ?? message ?? String(error)).trim();
}

/** Java: a string as a JSON string literal, for the config checkers' answers (shared by the Kafka and Pulsar programs). */
export const JAVA_JSON_STRING = String.raw`  static String json(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }`;
