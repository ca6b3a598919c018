/**
 * Which links are cut, reference-counted: each link is held cut by the faults that need it, and is open again
 * only when the last of them heals. So overlapping and back-to-back cuts (isolate broker-1 then isolate broker-1,
 * isolate broker-1 beside isolate broker-2, which share the 1↔2 links) are each exactly in force for their own
 * window. Updates of one link run one after the other and set the link to what its holders need at that moment,
 * so a heal and an injection due together never leave a link in the wrong state, and never flicker it.
 */
import type { Link } from '../net/proxied-network.js';

/** The part of the proxied network that opens and closes links. */
export interface LinkSwitch {
  setEnabled(links: Link[], enabled: boolean): Promise<void>;
}

export class LinkCutError extends Error {
  constructor(
    readonly failed: string[],
    readonly done: string[],
    message: string,
  ) {
    super(message);
  }
}

export class LinkCuts {
  private readonly holders = new Map<string, Set<string>>();
  /** Each link's state as last set (true: open); undefined when a call failed and the state is unknown. */
  private readonly known = new Map<string, boolean | undefined>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly network: LinkSwitch) {}

  /** Holds `links` cut for `faultId`; resolves when every one is cut, else rejects with a LinkCutError. */
  hold(faultId: string, links: Link[]): Promise<void> {
    for (const link of links) {
      const holders = this.holders.get(link.name) ?? new Set<string>();
      holders.add(faultId);
      this.holders.set(link.name, holders);
    }
    return this.reconcileAll(links, 'cut');
  }

  /** Releases `faultId`'s hold on `links`; each link opens if no other fault holds it. */
  release(faultId: string, links: Link[]): Promise<void> {
    for (const link of links) this.holders.get(link.name)?.delete(faultId);
    return this.reconcileAll(links, 'open');
  }

  /** The faults holding `link` cut. */
  holdersOf(link: Link): string[] {
    return [...(this.holders.get(link.name) ?? [])];
  }

  /** Waits for every pending link update. */
  async settled(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  /** After a reset of the whole network (every proxy enabled): nothing is held, every link is open. */
  resetAllOpen(): void {
    this.holders.clear();
    this.known.clear();
  }

  private async reconcileAll(links: Link[], verb: 'cut' | 'open'): Promise<void> {
    const outcomes = await Promise.allSettled(links.map((link) => this.reconcile(link)));
    const failed: string[] = [];
    const done: string[] = [];
    outcomes.forEach((outcome, i) => {
      const name = links[i]!.name;
      if (outcome.status === 'fulfilled') done.push(name);
      else
        failed.push(`${name} (${outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)})`);
    });
    if (failed.length > 0) {
      throw new LinkCutError(
        failed,
        done,
        `${failed.length} of ${links.length} link(s) could not be ${verb === 'cut' ? 'cut' : 'opened'}: ${failed.join(', ')}`,
      );
    }
  }

  /** Queues one update of `link`: when it runs, it sets the link to what its holders need then. */
  private reconcile(link: Link): Promise<void> {
    const step = async () => {
      const open = (this.holders.get(link.name)?.size ?? 0) === 0;
      // A link never touched is open: every proxy starts enabled.
      const current = this.known.has(link.name) ? this.known.get(link.name) : true;
      if (current === open) return;
      try {
        await this.network.setEnabled([link], open);
        this.known.set(link.name, open);
      } catch (error) {
        this.known.set(link.name, undefined);
        throw error;
      }
    };
    const result = (this.chains.get(link.name) ?? Promise.resolve()).then(step);
    this.chains.set(
      link.name,
      result.catch(() => undefined),
    );
    return result;
  }
}
