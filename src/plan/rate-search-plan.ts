/**
 * What a max-rate search (`workload.rate: {find: max, while: …}`) cannot run with, rejected before any broker
 * starts: a condition that does not parse or names a figure no step measures, criteria on such figures (the run's
 * figures are a step's), and faults, a nemesis or replication (each step is a short load on a healthy cluster).
 */
import { CriterionSyntaxError, parseCriterion } from '../criteria/criterion.js';
import type { FieldPath, Locate, Problem } from '../scenario/problems.js';
import type { Scenario } from '../scenario/schema.js';

const alwaysMeasured = [
  /^throughput\.produced\./,
  /^latency\.(publish|publishUncorrected)\./,
  /^errors\.total$/,
  /^messages\.(sent|acked|failed|unacked)$/,
];
const measuredWithConsumers = [
  /^throughput\.consumed\./,
  /^latency\.endToEnd\./,
  /^messages\.(consumed|lost|notDelivered|duplicated|redelivered|duplicatesUnclassified|reordered|consumedUnacked|foundByFinalRead)$/,
];

/** Why a step of the search does not measure `metric`, or undefined when it does. */
export function unmeasuredPerStep(metric: string, consumers: boolean): string | undefined {
  if (metric.includes('['))
    return `${metric}: a max-rate search judges each step on the whole workload's figures; write it without a selector`;
  if (alwaysMeasured.some((re) => re.test(metric))) return undefined;
  if (measuredWithConsumers.some((re) => re.test(metric)))
    return consumers ? undefined : `${metric} is not measured: the workload has no consumers (consumers: 0)`;
  return `${metric} is not measured by the steps of a max-rate search: each step measures throughput, latency, messages and errors.total (resources, replication, RPO, RTO and failover need a run of their own)`;
}

export function checkRateSearch(scenario: Scenario, problems: Problem[], locate: Locate): void {
  const search = scenario.workload.rateSearch;
  if (!search) return;
  const consumers = scenario.workload.consumers > 0;
  // `while` as one string or a list: an item of a string locates where the string itself does.
  const [whole, first] = [locate(['workload', 'rate', 'while']), locate(['workload', 'rate', 'while', 0])];
  const listed = first !== undefined && (first.line !== whole?.line || first.col !== whole?.col);
  search.while.forEach((expression, i) => {
    const path: FieldPath = listed ? ['workload', 'rate', 'while', i] : ['workload', 'rate', 'while'];
    try {
      const reason = unmeasuredPerStep(parseCriterion(expression).metric, consumers);
      if (reason) problems.push({ path, message: reason });
    } catch (error) {
      if (!(error instanceof CriterionSyntaxError)) throw error;
      problems.push({ path, message: error.message });
    }
  });
  scenario.criteria.forEach((expression, i) => {
    try {
      const reason = unmeasuredPerStep(parseCriterion(expression).metric, consumers);
      if (reason && !expression.includes('['))
        problems.push({ path: ['criteria', i], message: `${reason}; with find: max the run's figures are a step's` });
    } catch {
      // A criterion that does not parse is reported by the plan already.
    }
  });
  const refuse = (field: 'faults' | 'nemesis' | 'replication', what: string) =>
    problems.push({
      path: [field],
      message: `workload.rate find: max runs each step on a healthy cluster, so it takes no ${what}: search without them, or give workload.rate a fixed rate`,
    });
  if (scenario.faults.length > 0) refuse('faults', 'faults (a fault timeline cannot repeat across the steps)');
  if (scenario.nemesis) refuse('nemesis', 'nemesis');
  if (scenario.replication.length > 0) refuse('replication', 'replication between clusters');
}
