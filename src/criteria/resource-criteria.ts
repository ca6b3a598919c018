/**
 * A resource criterion on processes the run will never start can never be measured: refused at validate, like a
 * selector naming traffic the run will not have. (brokers: none with provider external; mirrorMakers: only with
 * replication into Kafka; toxiproxies: only with network faults or regions.)
 */
import type { Problem } from '../scenario/problems.js';

export interface ResourceKindsRun {
  brokers: boolean;
  mirrorMakers: boolean;
  toxiproxies: boolean;
}

const WHY: Record<keyof ResourceKindsRun, string> = {
  brokers: "no broker process of this run is faultline's to sample (provider external)",
  mirrorMakers: 'no MirrorMaker 2 runs in this scenario (it carries replication into a Kafka cluster)',
  toxiproxies: 'no Toxiproxy runs in this scenario (it carries network faults and links between regions)',
};

export function checkResourceCriteria(criteria: string[], kinds: ResourceKindsRun, problems: Problem[]): void {
  criteria.forEach((expression, index) => {
    const kind = /^\s*resources\.(brokers|mirrorMakers|toxiproxies)\./.exec(expression)?.[1] as
      | keyof ResourceKindsRun
      | undefined;
    if (kind && !kinds[kind])
      problems.push({
        path: ['criteria', index],
        message: `"resources.${kind}" would never be measured: ${WHY[kind]}`,
      });
  });
}
