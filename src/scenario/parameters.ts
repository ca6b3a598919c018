/**
 * Parameterized scenarios: `${NAME}` and `${NAME:-default}` from the environment inside scenario values, and
 * `--set path=value` overrides from the command line (repeatable: `--set workload.rate=5000/s`,
 * `--set topics[0].partitions=6`). Both act on the parsed YAML document, before validation, so what they give is
 * checked like the file itself; a problem names the flag or the variable. Only values are substituted (never keys
 * nor YAML structure); `$${` writes a literal `${`.
 */
import { isMap, isScalar, isSeq, parse, type Document, type Scalar } from 'yaml';
import { InvalidInputError } from '../errors.js';
import { type FieldPath, formatPath, type Problem } from './problems.js';
import { scenarioSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import { type SchemaNode, unwrap } from './schema-nodes.js';

/** What the results record: the flags as given, and each variable with the value it took. */
export interface ScenarioParameters {
  set: string[];
  variables: Record<string, string>;
}

export interface Override {
  flag: string;
  path: Array<string | number>;
  value: unknown;
}

/** Where a value came from, when not from the file as written. */
export interface ValueOrigin {
  path: FieldPath;
  /** Replaces file:line:col (a --set flag). */
  origin?: string;
  /** Appended to the message (the variables a value was made of). */
  note?: string;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses one `--set path=value`; the value is read as YAML (5000/s stays text, 6 a number, true a boolean). */
export function parseOverride(flag: string): Override {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new InvalidInputError(`--set ${flag}: expected path=value, e.g. --set workload.rate=5000/s`);
  const text = flag.slice(0, eq).trim();
  const path = parsePath(text);
  if (!path) throw new InvalidInputError(`--set ${flag}: "${text}" is not a field path (e.g. workload.rate)`);
  let value: unknown;
  try {
    value = parse(flag.slice(eq + 1));
  } catch (error) {
    throw new InvalidInputError(
      `--set ${flag}: the value is not valid YAML (${(error as Error).message.split('\n')[0]})`,
    );
  }
  return { flag, path, value: value ?? null };
}

/** a.b[0].c, a.b.0.c, and keys holding dots in quotes: clusters[0].config["num.io.threads"]. */
function parsePath(text: string): Array<string | number> | undefined {
  const path: Array<string | number> = [];
  const segment = /^(?:\.?([^.[\]"']+)|\[(\d+)\]|\["([^"]+)"\]|\['([^']+)'\])/;
  let rest = text;
  while (rest !== '') {
    const match = segment.exec(rest);
    if (!match) return undefined;
    const [whole, plain, index, double, single] = match;
    // A name follows a dot, but the first one.
    if (plain !== undefined && whole.startsWith('.') === (path.length === 0)) return undefined;
    if (plain !== undefined) path.push(/^\d+$/.test(plain) ? Number(plain) : plain);
    else if (index !== undefined) path.push(Number(index));
    else path.push((double ?? single)!);
    rest = rest.slice(whole.length);
  }
  return path.length > 0 ? path : undefined;
}

/**
 * Replaces every `${NAME}` / `${NAME:-default}` in the document's scalar values. A plain (unquoted) value, or a
 * quoted value that is one reference, is read again as YAML once substituted: `partitions: ${PARTS}` gives a
 * number (inside a flow mapping, quote it: `{partitions: "${PARTS:-3}"}`); text around a reference keeps it text.
 */
export function substituteVariables(
  document: Document,
  env: NodeJS.ProcessEnv,
  problems: Problem[],
  origins: ValueOrigin[],
): Record<string, string> {
  const used: Record<string, string> = {};
  const walk = (node: unknown, path: FieldPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        walk(pair.value, [...path, String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      substitute(node, path);
    }
  };
  const substitute = (scalar: Scalar, path: FieldPath) => {
    const source = scalar.value as string;
    const names: string[] = [];
    let failed = false;
    const text = source.replace(REFERENCE, (match, body: string | undefined) => {
      if (body === undefined) return '${';
      const [, name, fallback] = /^([^:]*)(?::-([\s\S]*))?$/.exec(body) ?? [];
      if (!name || !NAME.test(name)) {
        problems.push({ path, message: `"${match}" is not a variable reference: write \${NAME} or \${NAME:-default}` });
        failed = true;
        return match;
      }
      const value = env[name];
      if ((value === undefined || value === '') && fallback === undefined) {
        problems.push({
          path,
          message: `\${${name}} is not set in the environment and has no default (write \${${name}:-default})`,
        });
        failed = true;
        return match;
      }
      const taken = value === undefined || value === '' ? fallback! : value;
      used[name] = taken;
      names.push(`\${${name}}=${JSON.stringify(taken)}`);
      return taken;
    });
    if (failed) return;
    let value: unknown = text;
    // Typed like YAML would type the value: a plain scalar, or a quoted one that is a single reference (quotes
    // are needed inside flow mappings: {partitions: "${PARTS:-3}"} gives a number).
    if (scalar.type === 'PLAIN' || /^\$\{[^}]*\}$/.test(source)) {
      try {
        const reread = parse(text);
        if (reread === null || typeof reread !== 'object') value = reread;
      } catch {
        /* kept as text: the schema says what it expected */
      }
    }
    scalar.value = value;
    origins.push({ path, note: `from ${names.join(', ')}` });
  };
  walk(document.contents, []);
  return used;
}

/** Applies the overrides in order; a path the schema does not know, or past the end of a list, is a problem. */
export function applyOverrides(
  document: Document,
  overrides: Override[],
  problems: Problem[],
  origins: ValueOrigin[],
): void {
  for (const override of overrides) {
    const unknown = unknownPath(override.path, document);
    if (unknown) {
      problems.push({ path: override.path, message: unknown });
      origins.push({ path: override.path, origin: `--set ${override.flag}` });
      continue;
    }
    document.setIn(override.path, document.createNode(override.value));
    origins.push({ path: override.path, origin: `--set ${override.flag}` });
  }
}

/** The origin of the value at `path`: the deepest override or substitution that covers it. */
export function originOf(origins: ValueOrigin[], path: FieldPath): ValueOrigin | undefined {
  let best: ValueOrigin | undefined;
  for (const origin of origins) {
    const covers = origin.path.length <= path.length && origin.path.every((part, i) => part === path[i]);
    if (covers && (!best || origin.path.length >= best.path.length)) best = origin;
  }
  return best;
}

function unknownPath(path: Array<string | number>, document: Document): string | undefined {
  let node: SchemaNode | undefined = scenarioSchema as unknown as SchemaNode;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    const here = formatPath(path.slice(0, i + 1));
    node = node && unwrap(node);
    const def = node?._zod.def;
    if (!def) return undefined;
    if (def.type === 'object') {
      const shape = def.shape as Record<string, SchemaNode>;
      if (typeof part === 'number' || !(part in shape)) {
        const known = Object.keys(shape);
        return `no field "${here}"${didYouMean(String(part), known)}; ${formatPath(path.slice(0, i)) === '(document)' ? 'top-level fields' : `fields of ${formatPath(path.slice(0, i))}`}: ${known.join(', ')}`;
      }
      node = shape[part];
    } else if (def.type === 'array') {
      const list = document.getIn(path.slice(0, i), true);
      const length = isSeq(list) ? list.items.length : 0;
      if (typeof part !== 'number')
        return `${formatPath(path.slice(0, i))} is a list: name an item by its index, e.g. ${formatPath(path.slice(0, i))}[0]`;
      if (part >= length)
        return `${formatPath(path.slice(0, i))} has ${length} item(s) in the file: --set changes items, it does not add them`;
      node = def.element as SchemaNode;
    } else if (def.type === 'record') {
      node = def.valueType as SchemaNode;
    } else {
      // A union, a value with units, a free-form map: the schema check of the whole document decides.
      return undefined;
    }
  }
  return undefined;
}
