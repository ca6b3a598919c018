/** isolate: every link of the target (client links, broker-to-broker links, or both) cut. */
import type { FaultFamily } from '../fault-family.js';
import { cutLinks, linksTouching } from './link-breaks.js';

export const isolate: FaultFamily<'isolate'> = {
  actions: ['isolate'],
  fields: {},
  takes: { isolate: ['target', 'links'] },
  target: 'required',
  network: true,
  breaks: () => 'links',
  nemesis: (_action, { broker }) => ({ target: `broker-${broker}` }),
  linksOf: (fault, brokers, all) => linksTouching(fault, brokers, all),
  apply: (app) => cutLinks(app, (all) => linksTouching(app.fault, app.brokers, all)),
};
