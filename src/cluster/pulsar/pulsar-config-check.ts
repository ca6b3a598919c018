/** Pulsar standalone broker `config` checked against ServiceConfiguration (and the in-process bookie's keys). */
import { didYouMean } from '../../scenario/suggest.js';
import type { ClusterSpec } from '../../scenario/schema.js';
import { type ConfigProblem, requestLine, runConfigChecker } from '../config-check.js';
import type { Classpath } from '../maven-artifacts.js';
import { PULSAR_CONFIG_CHECKER_CLASS, PULSAR_CONFIG_CHECKER_SOURCE } from './pulsar-config-checker.js';

/** Bookie settings of DbLedgerStorage and its RocksDB are read by prefix, not declared one by one. */
const BOOKIE_KEY_PREFIXES = ['dbStorage_'];

export async function checkPulsarConfig(
  version: string,
  classpath: Classpath,
  spec: ClusterSpec,
): Promise<ConfigProblem[]> {
  const config = Object.entries(spec.config);
  if (config.length === 0) return [];
  const lines = config.map(([key, value]) => requestLine('broker', key, value));
  const result = await runConfigChecker(
    {
      name: `pulsar-${version}`,
      className: PULSAR_CONFIG_CHECKER_CLASS,
      source: PULSAR_CONFIG_CHECKER_SOURCE,
      classpath,
    },
    lines,
  );
  const known = Object.keys(result.brokerKeys);
  const problems: ConfigProblem[] = [];
  for (const [key] of config) {
    if (key in result.brokerKeys || BOOKIE_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    problems.push({
      key,
      unknownKey: true,
      message: `not a Pulsar ${version} broker setting${didYouMean(key, known)}`,
    });
  }
  for (const problem of result.problems) {
    problems.push({
      ...(problem.key ? { key: problem.key } : {}),
      message: `Pulsar ${version} refuses it: ${problem.reason}`,
    });
  }
  return problems;
}
