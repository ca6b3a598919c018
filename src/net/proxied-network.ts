/**
 * The links of a local cluster that faults may cut, each a Toxiproxy proxy on 127.0.0.1: clients → broker b,
 * broker p → broker b (replication), and node p → controller b (KRaft quorum), one proxy per ordered pair, so a
 * partition cuts exactly the pairs it names, in both directions, and leaves the rest alone.
 */
import toxiproxyClient from 'toxiproxy-node-client';
import { freePorts } from '../cluster/free-ports.js';
import { InfrastructureError } from '../errors.js';

const { Toxiproxy } = toxiproxyClient;
type ToxiproxyApi = InstanceType<typeof Toxiproxy>;
type ProxyApi = Awaited<ReturnType<ToxiproxyApi['createProxy']>>;

export type LinkKind = 'client' | 'peer' | 'controller';

export interface Link {
  name: string;
  kind: LinkKind;
  /** Source broker id, or 'clients'. */
  from: number | 'clients';
  /** Destination broker id. */
  to: number;
  /** Client links of a scenario with regions: the region the clients using this link sit in. */
  clientRegion?: string;
  /** When one broker has several services behind links of one kind (Pulsar: web and binary): which; named in the proxy's name. */
  service?: string;
  listenPort: number;
  upstreamPort: number;
}

export type ToxicStream = 'upstream' | 'downstream';

export interface ToxicSpec {
  type: 'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'slow_close' | 'slicer' | 'limit_data';
  attributes: Record<string, number>;
  stream: ToxicStream;
}

export class ProxiedNetwork {
  private readonly proxies = new Map<string, { link: Link; proxy: ProxyApi }>();
  private readonly toxicsByFault = new Map<string, Array<{ proxy: string; toxic: string }>>();
  /** Toxics that are the network itself (what crossing regions costs): kept through healAll. */
  private readonly standing = new Map<string, ToxicSpec[]>();

  /**
   * `prefix` starts every proxy's name: a run of several clusters gives each its cluster's name, so each path of the
   * run has a name of its own (a fault that cuts paths of every cluster holds each by name: link-cuts.ts).
   */
  constructor(
    private readonly api: ToxiproxyApi,
    private readonly prefix = '',
  ) {}

  static connect(url: string, prefix = ''): ProxiedNetwork {
    return new ProxiedNetwork(new Toxiproxy(url), prefix);
  }

  /** Creates the proxies for `links` (listen ports are chosen here). */
  async addLinks(specs: Array<Omit<Link, 'listenPort' | 'name'>>): Promise<Link[]> {
    const ports = await freePorts(specs.length);
    const links = specs.map((spec, i) => ({
      ...spec,
      listenPort: ports[i]!,
      name: `${this.prefix}${spec.kind}-${spec.clientRegion ?? spec.from}-to-${spec.to}${spec.service ? `-${spec.service}` : ''}`,
    }));
    for (const link of links) {
      try {
        const proxy = await this.api.createProxy({
          name: link.name,
          listen: `127.0.0.1:${link.listenPort}`,
          upstream: `127.0.0.1:${link.upstreamPort}`,
        });
        this.proxies.set(link.name, { link, proxy });
      } catch (error) {
        throw new InfrastructureError(
          `Toxiproxy could not create proxy ${link.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return links;
  }

  get links(): Link[] {
    return [...this.proxies.values()].map((p) => p.link);
  }

  /** Cuts (enabled=false: connections closed, new ones refused) or restores links. */
  async setEnabled(links: Link[], enabled: boolean): Promise<void> {
    await Promise.all(
      links.map(async (link) => {
        const entry = this.proxies.get(link.name)!;
        entry.proxy = await entry.proxy.update({ enabled, listen: entry.proxy.listen, upstream: entry.proxy.upstream });
      }),
    );
  }

  async addToxic(faultId: string, links: Link[], toxic: ToxicSpec): Promise<void> {
    const added = this.toxicsByFault.get(faultId) ?? [];
    this.toxicsByFault.set(faultId, added);
    for (const link of links) {
      const entry = this.proxies.get(link.name)!;
      const name = `${faultId}-${toxic.type}-${toxic.stream}`;
      await entry.proxy.addToxic({
        name,
        type: toxic.type as never,
        stream: toxic.stream as never,
        toxicity: 1,
        attributes: toxic.attributes as never,
      });
      added.push({ proxy: link.name, toxic: name });
    }
  }

  /**
   * Removes every toxic `faultId` added. Each removal is tried; those that fail stay listed (a later call or the
   * reset retries them) and the call rejects naming them — a fault whose toxic is still there is not healed.
   * A toxic already gone (404) counts as removed.
   */
  async removeToxics(faultId: string): Promise<void> {
    const failed: Array<{ proxy: string; toxic: string }> = [];
    const reasons: string[] = [];
    for (const entry of this.toxicsByFault.get(faultId) ?? []) {
      try {
        const response = await fetch(`${this.api.host}/proxies/${entry.proxy}/toxics/${entry.toxic}`, {
          method: 'DELETE',
        });
        if (!response.ok && response.status !== 404)
          throw new Error(`HTTP ${response.status} ${(await response.text()).trim()}`);
      } catch (error) {
        failed.push(entry);
        reasons.push(`${entry.toxic} on ${entry.proxy}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failed.length > 0) {
      this.toxicsByFault.set(faultId, failed);
      throw new Error(`Toxiproxy could not remove ${failed.length} toxic(s): ${reasons.join('; ')}`);
    }
    this.toxicsByFault.delete(faultId);
  }

  /**
   * Sets what a link always costs (region latency, jitter, bandwidth), replacing what it cost before; an empty
   * list makes it free. Faults add their toxics on top; healAll keeps these.
   */
  async setStanding(link: Link, toxics: ToxicSpec[]): Promise<void> {
    const entry = this.proxies.get(link.name)!;
    for (const toxic of this.standing.get(link.name) ?? []) {
      await fetch(`${this.api.host}/proxies/${link.name}/toxics/${standingName(toxic)}`, { method: 'DELETE' }).catch(
        () => undefined,
      );
    }
    for (const toxic of toxics) {
      await entry.proxy.addToxic({
        name: standingName(toxic),
        type: toxic.type as never,
        stream: toxic.stream as never,
        toxicity: 1,
        attributes: toxic.attributes as never,
      });
    }
    if (toxics.length) this.standing.set(link.name, toxics);
    else this.standing.delete(link.name);
  }

  /**
   * Enables every proxy and removes every toxic but the links' standing costs, which stay in place throughout. (A
   * Toxiproxy reset followed by adding the standing costs back left each link free of its cost for a moment, and
   * Toxiproxy 2.12 can crash — link.go, "index out of range" — when a toxic is added to a connection that a
   * bandwidth toxic is writing on: the heal before the drain did exactly that under load.)
   */
  async healAll(): Promise<void> {
    this.toxicsByFault.clear();
    for (const entry of this.proxies.values()) {
      const name = entry.link.name;
      const standing = this.standing.get(name) ?? [];
      const keep = new Set(standing.map(standingName));
      const response = await fetch(`${this.api.host}/proxies/${name}/toxics`);
      if (!response.ok) throw new Error(`Toxiproxy: listing the toxics of ${name}: HTTP ${response.status}`);
      const present = ((await response.json()) as Array<{ name: string }>).map((t) => t.name);
      for (const toxic of present.filter((t) => !keep.has(t))) {
        const removed = await fetch(`${this.api.host}/proxies/${name}/toxics/${toxic}`, { method: 'DELETE' });
        if (!removed.ok && removed.status !== 404)
          throw new Error(`Toxiproxy: removing ${toxic} from ${name}: HTTP ${removed.status}`);
      }
      entry.proxy = await this.api.get(name);
      if (!entry.proxy.enabled)
        entry.proxy = await entry.proxy.update({
          enabled: true,
          listen: entry.proxy.listen,
          upstream: entry.proxy.upstream,
        });
      for (const toxic of standing.filter((t) => !present.includes(standingName(t)))) {
        await entry.proxy.addToxic({
          name: standingName(toxic),
          type: toxic.type as never,
          stream: toxic.stream as never,
          toxicity: 1,
          attributes: toxic.attributes as never,
        });
      }
    }
  }
}

function standingName(toxic: ToxicSpec): string {
  return `region-${toxic.type}-${toxic.stream}`;
}
