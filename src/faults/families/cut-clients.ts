/** cut-clients: the clients' links to the target (all brokers by default) cut; broker-to-broker links stay. */
import type { Link } from '../../net/proxied-network.js';
import type { FaultFamily } from '../fault-family.js';
import { cutLinks } from './link-breaks.js';

function clientLinksTo(brokers: number[], all: readonly Link[]): Link[] {
  return all.filter((l) => l.kind === 'client' && brokers.includes(l.to));
}

export const cutClients: FaultFamily<'cut-clients'> = {
  actions: ['cut-clients'],
  fields: {},
  takes: { 'cut-clients': ['target'] },
  target: 'all',
  network: true,
  breaks: () => 'links',
  nemesis: (_action, { broker }) => ({ target: `broker-${broker}` }),
  linksOf: (_fault, brokers, all) => clientLinksTo(brokers, all),
  apply: (app) => cutLinks(app, (all) => clientLinksTo(app.brokers, all)),
};
