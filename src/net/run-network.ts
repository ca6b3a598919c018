/**
 * Every proxied path of a run, whichever cluster's Toxiproxy carries it, under one switch. Each cluster has its
 * own Toxiproxy, and the bytes crossing a region pair travel through proxies of several clusters: a workload
 * client's path to the source, MirrorMaker 2's read of the source (the source's proxy for the target's region), a
 * Pulsar broker's push to its peer (the peer's proxy for the pushing broker's region). A region fault cuts them all
 * (fault-links.ts picks them from `paths`); the switch sends each link's change to the Toxiproxy that owns it.
 */
import type { Link, ProxiedNetwork, ToxicSpec } from './proxied-network.js';

/** One cluster's proxied paths, and where its brokers sit (what a path's ends are: region-links.ts). */
export interface ClusterPaths {
  cluster: string;
  links: Link[];
  /** Region of broker N at index N - 1. */
  brokerRegions: string[];
}

/** What faults do to a network: open and close links, add and remove toxics, reset everything. */
export type NetworkSwitch = Pick<ProxiedNetwork, 'setEnabled' | 'addToxic' | 'removeToxics' | 'healAll'>;

export class RunNetwork implements NetworkSwitch {
  private readonly owners = new Map<string, NetworkSwitch>();

  constructor(private readonly members: Array<{ paths: ClusterPaths; network: NetworkSwitch }>) {
    for (const { paths, network } of members) {
      for (const link of paths.links) {
        if (this.owners.has(link.name))
          throw new Error(`two clusters of the run have a proxied path named ${link.name}: names must be unique`);
        this.owners.set(link.name, network);
      }
    }
  }

  /** Every cluster's paths. */
  get paths(): ClusterPaths[] {
    return this.members.map((m) => m.paths);
  }

  async setEnabled(links: Link[], enabled: boolean): Promise<void> {
    await settleAll([...this.byOwner(links)].map(([network, own]) => network.setEnabled(own, enabled)));
  }

  async addToxic(faultId: string, links: Link[], toxic: ToxicSpec): Promise<void> {
    await settleAll([...this.byOwner(links)].map(([network, own]) => network.addToxic(faultId, own, toxic)));
  }

  /** Removes `faultId`'s toxics from every cluster's Toxiproxy (each keeps its own list); rejects if any failed. */
  async removeToxics(faultId: string): Promise<void> {
    await settleAll(this.members.map(({ network }) => network.removeToxics(faultId)));
  }

  /** Resets every cluster's Toxiproxy (each keeps its standing costs); each is tried, then the first error thrown. */
  async healAll(): Promise<void> {
    await settleAll(this.members.map(({ network }) => network.healAll()));
  }

  private byOwner(links: Link[]): Map<NetworkSwitch, Link[]> {
    const grouped = new Map<NetworkSwitch, Link[]>();
    for (const link of links) {
      const owner = this.owners.get(link.name);
      if (!owner) throw new Error(`no cluster of the run has a proxied path named ${link.name}`);
      const own = grouped.get(owner) ?? [];
      own.push(link);
      grouped.set(owner, own);
    }
    return grouped;
  }
}

/** Waits for every promise, then rejects with the first error (so one failure does not stop the others). */
async function settleAll(promises: Array<Promise<void>>): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
