/**
 * What faults hold each broker process to, reference-counted: down while any kill or stop holds it, paused
 * while any pause holds it and it runs. A heal releases only its own hold: the broker starts again when no kill
 * or stop holds it any more (and is paused again at once if a pause still holds it); it continues when no pause
 * holds it. Steps on one broker run one after the other; brokers never wait for each other. Every step goes
 * through the process's runtime control (signals for a JVM, the container runtime for a container).
 */
import type { BrokerProcess } from '../cluster/provider.js';
import type { ProcessControl } from '../cluster/runtime.js';
import { timeBoxed } from '../time-box.js';

/** How long a `stop` or `restart` lets the broker shut down before it is killed. */
export const STOP_GRACE_MS = 30_000;
/** How long a heal waits for a killed or stopped broker to exit (a kill follows the grace) before it gives up. */
const EXIT_WAIT_MS = STOP_GRACE_MS + 10_000;

export class ProcessHolds {
  private readonly down = new Map<number, Set<string>>();
  private readonly paused = new Map<number, Set<string>>();
  /** Brokers a fault killed or stopped, not started since. */
  private readonly dying = new Set<number>();
  private readonly chains = new Map<number, Promise<unknown>>();

  constructor(
    private readonly processes: readonly BrokerProcess[],
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
    /** How a process is named in messages (broker-N, or mirrormaker(cluster)). */
    private readonly nameOf: (id: number) => string = (id) => `broker-${id}`,
  ) {}

  control(id: number): ProcessControl {
    const found = this.processes.find((p) => p.id === id);
    if (!found) throw new Error(`no process control for ${this.nameOf(id)}`);
    return found.control;
  }

  /** The faults holding broker `id` down. */
  downHolders(id: number): string[] {
    return [...(this.down.get(id) ?? [])];
  }

  /**
   * kill (awaited: it ends at once) or stop (not awaited: it may take the grace): holds the broker down; resolves
   * with when the kill or stop went out.
   */
  takeDown(faultId: string, id: number, how: 'kill' | 'stop', proceed: () => boolean = always): Promise<number> {
    const control = this.control(id);
    add(this.down, id, faultId);
    return this.enqueue(id, async () => {
      if (!proceed()) throw new Error(notProceeding);
      this.dying.add(id);
      const at = this.clock();
      if (how === 'kill')
        await timeBoxed(
          control.kill(),
          EXIT_WAIT_MS,
          `${this.nameOf(id)} did not exit within ${EXIT_WAIT_MS / 1000} s of its kill`,
        );
      else
        void control
          .stop(STOP_GRACE_MS)
          .catch((error: unknown) => this.log(`stopping ${this.nameOf(id)} failed: ${message(error)}`));
      return at;
    });
  }

  /** Releases a kill or stop: when nothing else holds the broker down, it starts again. */
  bringUp(faultId: string, id: number): Promise<void> {
    this.down.get(id)?.delete(faultId);
    return this.enqueue(id, () => this.restore(id));
  }

  /** Pauses the process (if it runs); resolves with when the pause went out. */
  pause(faultId: string, id: number, proceed: () => boolean = always): Promise<number> {
    const control = this.control(id);
    add(this.paused, id, faultId);
    return this.enqueue(id, async () => {
      if (!proceed()) throw new Error(notProceeding);
      const at = this.clock();
      if (control.running && !this.dying.has(id)) await control.pause();
      return at;
    });
  }

  /** Releases a pause: resumes the process when no other pause holds it. */
  resume(faultId: string, id: number): Promise<void> {
    this.paused.get(id)?.delete(faultId);
    return this.enqueue(id, async () => {
      if ((this.paused.get(id)?.size ?? 0) === 0) await this.control(id).resume();
    });
  }

  /** Stop, wait for the exit, start again; `signalled` is told when the stop goes out (the fault's start). */
  restart(id: number, signalled: (atMs: number) => void, proceed: () => boolean = always): Promise<void> {
    const control = this.control(id);
    return this.enqueue(id, async () => {
      if (!proceed()) throw new Error(notProceeding);
      const holders = this.downHolders(id);
      if (holders.length > 0)
        throw new Error(
          `${this.nameOf(id)} is held down by ${holders.join(', ')}: restarting it would end that fault early`,
        );
      signalled(this.clock());
      this.dying.add(id);
      await control.stop(STOP_GRACE_MS);
      await this.restore(id);
    });
  }

  /** Waits for every pending step. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()].map((chain) => chain.catch(() => undefined)));
  }

  /**
   * The end of producing: every hold dropped but those of the faults in `keep` (`duration: forever`); every broker
   * continued and, if down, started — each on its own — except a broker a kept fault holds down or paused.
   */
  async releaseAll(keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    for (const holds of [this.down, this.paused])
      for (const [id, holders] of holds) {
        for (const holder of holders) if (!keep.has(holder)) holders.delete(holder);
        if (holders.size === 0) holds.delete(id);
      }
    const errors: string[] = [];
    await Promise.all(
      this.processes.map(({ id, control }) =>
        this.enqueue(id, async () => {
          if ((this.paused.get(id)?.size ?? 0) === 0) await control.resume();
          await this.restore(id);
        }).catch((error: unknown) => errors.push(`${this.nameOf(id)}: ${message(error)}`)),
      ),
    );
    return errors;
  }

  private async restore(id: number): Promise<void> {
    if ((this.down.get(id)?.size ?? 0) > 0) return;
    const control = this.control(id);
    if (this.dying.has(id))
      await timeBoxed(
        control.exited(),
        EXIT_WAIT_MS,
        `${this.nameOf(id)} did not exit within ${EXIT_WAIT_MS / 1000} s of its kill or stop`,
      );
    if (!control.running) await control.start();
    this.dying.delete(id);
    if ((this.paused.get(id)?.size ?? 0) > 0) await control.pause();
  }

  private enqueue<T>(id: number, step: () => Promise<T>): Promise<T> {
    const result = (this.chains.get(id) ?? Promise.resolve()).catch(() => undefined).then(step);
    this.chains.set(
      id,
      result.catch(() => undefined),
    );
    return result;
  }
}

const always = () => true;
const notProceeding = 'producing ended before its turn came';

function add(map: Map<number, Set<string>>, id: number, faultId: string): void {
  const holders = map.get(id) ?? new Set<string>();
  holders.add(faultId);
  map.set(id, holders);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
