/** Kafka broker and topic `config` checked against KafkaConfig's and LogConfig's definitions of the same jars. */
import { didYouMean } from '../../scenario/suggest.js';
import type { ClusterSpec, TopicSpec } from '../../scenario/schema.js';
import { type ConfigProblem, requestLine, runConfigChecker } from '../config-check.js';
import type { Classpath } from '../maven-artifacts.js';
import { KAFKA_CONFIG_CHECKER_CLASS, KAFKA_CONFIG_CHECKER_SOURCE } from './kafka-config-checker.js';
import { directLayout, kafkaNodeProperties } from './kafka-node-config.js';

/** Broker keys Kafka accepts beyond its ConfigDef: per-listener overrides (listener.name.<listener>.<setting>). */
const BROKER_KEY_PREFIXES = ['listener.name.'];

/** Stand-in ports and data directory for the cross-field check (stable, so the answer can be cached). */
const CHECK_PORT_BASE = 19_000;

export async function checkKafkaConfig(
  version: string,
  classpath: Classpath,
  spec: ClusterSpec,
  topics: TopicSpec[],
): Promise<ConfigProblem[]> {
  const brokerConfig = Object.entries(spec.config);
  const lines = brokerConfig.map(([key, value]) => requestLine('broker', key, value));
  if (brokerConfig.length > 0) {
    const ports = Array.from({ length: 2 * spec.brokers }, (_, i) => CHECK_PORT_BASE + i);
    const node = directLayout(spec.brokers, ports).nodes[0]!;
    for (const [key, value] of kafkaNodeProperties(
      node,
      spec.brokers,
      '/tmp/faultline-config-check/node-1',
      spec.config,
    ))
      lines.push(requestLine('node', key, value));
  }
  topics.forEach((topic, i) => {
    for (const [key, value] of Object.entries(topic.config)) lines.push(requestLine(`topic:${i}`, key, value));
  });
  if (lines.length === 0) return [];
  const result = await runConfigChecker(
    { name: `kafka-${version}`, className: KAFKA_CONFIG_CHECKER_CLASS, source: KAFKA_CONFIG_CHECKER_SOURCE, classpath },
    lines,
  );
  const brokerKeys = Object.keys(result.brokerKeys);
  const topicKeys = Object.keys(result.topicKeys);
  const problems: ConfigProblem[] = [];
  for (const [key] of brokerConfig) {
    if (key in result.brokerKeys || BROKER_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    const hint =
      key in result.topicKeys ? ' (it is a topic setting: give it in topics[].config)' : didYouMean(key, brokerKeys);
    problems.push({ key, unknownKey: true, message: `not a Kafka ${version} broker setting${hint}` });
  }
  topics.forEach((topic, i) => {
    for (const key of Object.keys(topic.config)) {
      if (key in result.topicKeys) continue;
      const hint =
        key in result.brokerKeys
          ? ' (it is a broker setting: give it in clusters[].config)'
          : didYouMean(key, topicKeys);
      problems.push({ topic: i, key, unknownKey: true, message: `not a Kafka ${version} topic setting${hint}` });
    }
  });
  for (const problem of result.problems) {
    const topic = problem.scope.startsWith('topic:') ? Number(problem.scope.slice('topic:'.length)) : undefined;
    const key =
      problem.key ??
      keyNamedIn(problem.reason, topic === undefined ? Object.keys(spec.config) : Object.keys(topics[topic]!.config));
    problems.push({
      ...(topic === undefined ? {} : { topic }),
      ...(key ? { key } : {}),
      message: `Kafka ${version} refuses it: ${problem.reason}`,
    });
  }
  return problems;
}

/** The scenario key a whole-configuration reason names, so the error points at it. */
function keyNamedIn(reason: string, keys: string[]): string | undefined {
  return keys.filter((key) => reason.includes(key)).sort((a, b) => b.length - a.length)[0];
}
