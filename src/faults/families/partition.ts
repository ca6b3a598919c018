/** partition: the brokers split into groups; every broker-to-broker link between two groups cut. */
import { z } from 'zod';
import type { Link } from '../../net/proxied-network.js';
import type { FaultFamily } from '../fault-family.js';
import type { PlannedFault } from '../fault-plan.js';
import { cutLinks } from './link-breaks.js';

const fields = {
  groups: z
    .array(z.array(z.number().int().min(1)).min(1))
    .min(2)
    .optional()
    .meta({ description: 'partition: broker ids per side, e.g. [[1], [2, 3]].' }),
};

function linksBetweenGroups(fault: PlannedFault, all: readonly Link[]): Link[] {
  const side = new Map<number, number>();
  (fault.groups ?? []).forEach((group, i) => group.forEach((id) => side.set(id, i)));
  return all.filter(
    (l) =>
      l.kind !== 'client' &&
      typeof l.from === 'number' &&
      side.has(l.from) &&
      side.has(l.to) &&
      side.get(l.from) !== side.get(l.to),
  );
}

export const partition: FaultFamily<'partition', typeof fields> = {
  actions: ['partition'],
  fields,
  takes: { partition: ['groups'] },
  network: true,
  brokerLinksOnly: true,
  breaks: () => 'links',
  check(spec, { cluster }, problem) {
    const ids = spec.groups?.flat() ?? [];
    if (!spec.groups) problem(undefined, 'partition needs groups, e.g. groups: [[1], [2, 3]]');
    else if (new Set(ids).size !== ids.length) problem('groups', 'a broker may stand in one group only');
    else if (cluster.brokers < 2 || spec.groups.filter((group) => group.length > 0).length < 2) {
      problem(
        'groups',
        `a partition needs brokers on at least two sides, e.g. [[1], [2, 3]]; cluster "${cluster.name}" has ${cluster.brokers} broker(s)${cluster.brokers < 2 ? ', so there is nothing to partition' : ''}`,
      );
    }
    const outside = ids.filter((id) => id > cluster.brokers);
    if (outside.length)
      problem('groups', `cluster "${cluster.name}" has ${cluster.brokers} broker(s); no broker ${outside.join(', ')}`);
    return undefined;
  },
  nemesis: (_action, { broker, brokers }) => ({ groups: [[broker], brokers.filter((b) => b !== broker)] }),
  label: (fault) => `groups ${JSON.stringify(fault.groups)}`,
  resolvedLabel: (fault) => JSON.stringify(fault.groups),
  linksOf: (fault, _brokers, all) => linksBetweenGroups(fault, all),
  apply: (app) => cutLinks(app, (all) => linksBetweenGroups(app.fault, all)),
};
