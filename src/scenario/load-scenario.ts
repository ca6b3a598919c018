/**
 * Reads a scenario file: YAML → schema validation → cross-field checks. Every problem is reported with
 * file, line, column and field, all at once, as an InvalidInputError (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { type FieldPath, type Locate, type Problem, scenarioError } from './problems.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { didYouMean } from './suggest.js';
import { factsOf } from '../systems/facts.js';
import {
  applyOverrides,
  originOf,
  parseOverride,
  type ScenarioParameters,
  substituteVariables,
  type ValueOrigin,
} from './parameters.js';
import { type SchemaNode, unwrap } from './schema-nodes.js';

export interface ScenarioDocument {
  file: string;
  scenario: Scenario;
  locate: Locate;
  /** The --set overrides and the ${NAME} variables that made this scenario (see parameters.ts). */
  parameters?: ScenarioParameters;
}

/** How a scenario is parameterized: --set flags, and the environment ${NAME} reads (default: process.env). */
export interface ScenarioInputs {
  set?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function loadScenarioFile(file: string, inputs: ScenarioInputs = {}): Promise<ScenarioDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(`${file}: cannot read scenario file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  return parseScenario(text, file, inputs);
}

export function parseScenario(text: string, file = '<scenario>', inputs: ScenarioInputs = {}): ScenarioDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const lines = document.errors.map((error) => {
      const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      const where = position ? `${file}:${position.line}:${position.col}` : file;
      return `${where}: invalid YAML: ${error.message.split('\n')[0]}`;
    });
    throw new InvalidInputError(lines.join('\n'), lines);
  }
  const overrides = (inputs.set ?? []).map(parseOverride);
  const parameterProblems: Problem[] = [];
  const origins: ValueOrigin[] = [];
  const variables = substituteVariables(document, inputs.env ?? process.env, parameterProblems, origins);
  applyOverrides(document, overrides, parameterProblems, origins);
  const locate = withOrigins(locator(document, lineCounter), origins);
  const parameters = { set: inputs.set ?? [], variables };
  const data = toPlainData(document, file, lineCounter);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw scenarioError(
      file,
      [...parameterProblems, { path: [], message: 'expected a mapping with name, clusters, topics and workload' }],
      locate,
    );
  }
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success || parameterProblems.length > 0) {
    // Every problem at once; none twice for a value whose variable or flag was already refused.
    const refused = (path: FieldPath) =>
      parameterProblems.some((p) => p.path.length <= path.length && p.path.every((part, i) => part === path[i]));
    const schemaProblems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, data));
    throw scenarioError(
      file,
      [...parameterProblems, ...schemaProblems.filter((p) => !refused(p.key ? [...p.path, p.key] : p.path))],
      locate,
    );
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw scenarioError(file, problems, locate);
  return { file, scenario: parsed.data, locate, parameters };
}

/** Positions of values given by --set or ${NAME}: the flag instead of the file's position, or the variables. */
function withOrigins(locate: Locate, origins: ValueOrigin[]): Locate {
  if (origins.length === 0) return locate;
  return (path, key) => {
    const position = locate(path, key);
    const origin = originOf(origins, key === undefined ? path : [...path, key]);
    if (!origin) return position;
    return {
      ...(position ?? { line: 0, col: 0 }),
      ...(origin.origin ? { origin: origin.origin } : {}),
      ...(origin.note ? { note: origin.note } : {}),
    };
  };
}

/** Aliases a scenario may expand: far more than any real scenario uses, far fewer than a "billion laughs" bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. The yaml package refuses to expand an alias that would multiply the document
 * beyond `maxAliasCount` (the billion-laughs shape: aliases of aliases nested deep); that is bad input, not a crash.
 */
function toPlainData(document: Document, file: string, lineCounter: LineCounter): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let where = file;
    visit(document, {
      Alias(_, alias) {
        const position = alias.range ? lineCounter.linePos(alias.range[0]) : undefined;
        if (position) where = `${file}:${position.line}:${position.col}`;
        return visit.BREAK;
      },
    });
    const reason = /excessive/i.test(error.message)
      ? `aliases expand beyond ${MAX_ALIAS_COUNT} nodes (aliases of aliases nested deep, the "billion laughs" shape); write the values out instead`
      : error.message;
    throw new InvalidInputError(`${where}: invalid YAML: ${reason}`);
  }
}

function locator(document: Document, lineCounter: LineCounter): Locate {
  return (path, key) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
      if (!isNode(node)) continue;
      let offset = node.range?.[0];
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
        if (pair && isNode(pair.key)) offset = pair.key.range?.[0];
      }
      if (offset !== undefined) return lineCounter.linePos(offset);
    }
    return undefined;
  };
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): Problem[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path);
      return issue.keys.map((key) => ({
        path,
        key,
        message: `unknown field${didYouMean(key, known)}; expected one of: ${known.join(', ')}`,
      }));
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const actual = valueAt(data, path);
      const hint = typeof actual === 'string' ? didYouMean(actual, values) : '';
      return [{ path, message: `expected one of ${values.join(', ')}, got ${JSON.stringify(actual)}${hint}` }];
    }
    case 'invalid_type':
      if (valueAt(data, path) === undefined)
        return [{ path, message: `required field is missing (expected ${issue.expected})` }];
      return [{ path, message: `expected ${issue.expected}, got ${describeValue(valueAt(data, path))}` }];
    case 'too_small':
    case 'too_big': {
      const actual = valueAt(data, path);
      const what = Array.isArray(actual) ? `${actual.length} item(s)` : JSON.stringify(actual);
      return [{ path, message: `${issue.message.replace(/^Too (small|big): /, '')}, got ${what}` }];
    }
    case 'invalid_union': {
      // One option of the value's shape (a string for 2000/s, an object for {find: max}): that option's problems.
      const mismatch = (errors: z.core.$ZodIssue[]) =>
        errors.every((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_union'));
      if (valueAt(data, path) === undefined) return [{ path, message: 'required field is missing' }];
      const option = issue.errors.find((errors) => errors.length > 0 && !mismatch(errors));
      if (option)
        return option.flatMap((inner) => describeIssue({ ...inner, path: [...issue.path, ...inner.path] }, data));
      return [{ path, message: issue.message }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** Checks that need the whole scenario: references between sections, and impossible combinations. */
function crossFieldProblems(scenario: Scenario): Problem[] {
  const problems: Problem[] = [];
  const clusters = new Map(scenario.clusters.map((cluster) => [cluster.name, cluster]));
  const regionNames = scenario.regions.map((region) => region.name);
  duplicates(scenario.clusters.map((c) => c.name)).forEach((i) =>
    problems.push({ path: ['clusters', i, 'name'], message: `duplicate cluster name "${scenario.clusters[i]!.name}"` }),
  );
  duplicates(scenario.regions.map((r) => r.name)).forEach((i) =>
    problems.push({ path: ['regions', i, 'name'], message: `duplicate region name "${scenario.regions[i]!.name}"` }),
  );
  scenario.clusters.forEach((cluster, i) => {
    for (const field of ['bootstrap', 'webServiceUrl'] as const) {
      if (cluster.provider !== 'external' && cluster[field]) {
        problems.push({
          path: ['clusters', i, field],
          message: `${field} is only for provider external (this cluster's provider is ${cluster.provider})`,
        });
      }
    }
    for (const problem of factsOf(cluster.system).checkEntry(cluster))
      problems.push({ ...problem, path: ['clusters', i, ...problem.path] });
    if (cluster.region && !regionNames.includes(cluster.region)) {
      problems.push({
        path: ['clusters', i, 'region'],
        message: `no region named "${cluster.region}" in regions${didYouMean(cluster.region, regionNames)}`,
      });
    }
  });
  scenario.topics.forEach((topic, i) => {
    const targets =
      topic.cluster === undefined ? scenario.clusters : [clusters.get(topic.cluster)].filter((c) => c !== undefined);
    if (topic.cluster !== undefined && targets.length === 0) {
      const names = [...clusters.keys()];
      problems.push({
        path: ['topics', i, 'cluster'],
        message: `no cluster named "${topic.cluster}"${didYouMean(topic.cluster, names)}; clusters: ${names.join(', ')}`,
      });
    }
    for (const cluster of targets) {
      if (cluster.provider !== 'external' && topic.replicationFactor > cluster.brokers) {
        problems.push({
          path: ['topics', i, 'replicationFactor'],
          message: `replicationFactor ${topic.replicationFactor} exceeds the ${cluster.brokers} broker(s) of cluster "${cluster.name}"`,
        });
      }
    }
  });
  const sameTopicTwice = scenario.topics.map((t) => `${t.cluster ?? '*'}/${t.name}`);
  duplicates(sameTopicTwice).forEach((i) =>
    problems.push({ path: ['topics', i, 'name'], message: `topic "${scenario.topics[i]!.name}" is declared twice` }),
  );
  const topicNames = scenario.topics.map((t) => t.name);
  scenario.workload.topics?.forEach((name, i) => {
    if (!topicNames.includes(name)) {
      problems.push({
        path: ['workload', 'topics', i],
        message: `no topic named "${name}" in topics${didYouMean(name, topicNames)}`,
      });
    }
  });
  if (scenario.workload.duration <= 0) {
    problems.push({ path: ['workload', 'duration'], message: 'must be longer than 0' });
  }
  return problems;
}

function duplicates(values: string[]): number[] {
  return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Field names the schema allows at a path, for "did you mean" on unknown keys. */
function knownKeys(path: FieldPath): string[] {
  let node: SchemaNode | undefined = scenarioSchema as unknown as SchemaNode;
  for (const part of [...path, undefined]) {
    node = node && unwrap(node);
    if (!node) return [];
    const def: SchemaNode['_zod']['def'] = node._zod.def;
    if (part === undefined) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    if (def.type === 'object') node = (def.shape as Record<string, SchemaNode>)[part];
    else if (def.type === 'array') node = def.element as SchemaNode;
    else if (def.type === 'record') node = def.valueType as SchemaNode;
    else return [];
  }
  return [];
}
