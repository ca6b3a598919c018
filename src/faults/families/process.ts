/**
 * Process faults on the target's processes (a broker, or a MirrorMaker 2): kill, stop (a graceful shutdown),
 * pause (frozen, as in a long GC pause) — each held until its heal, which starts or continues the process — and
 * restart (stop, then start again at once: over when the process is back). They act through the process's
 * runtime control (process-holds.ts), so the same fault works on a JVM and on a container.
 */
import type { FaultApplication, FaultFamily } from '../fault-family.js';

type ProcessAction = 'kill' | 'stop' | 'pause' | 'restart';

/** Like Promise.all, but waits for every promise before rejecting with the first error. */
export async function settleAll<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

/** Takes the brokers down (kill, stop) and holds them down until the heal. */
export async function takeDown(app: FaultApplication, how: 'kill' | 'stop'): Promise<void> {
  const { fault, brokers, processes } = app;
  brokers.forEach((id) => processes.control(id));
  app.undoWith(async () => void (await settleAll(brokers.map((id) => processes.bringUp(fault.id, id)))));
  const times = await settleAll(brokers.map((id) => processes.takeDown(fault.id, id, how, app.proceed)));
  app.inForce(Math.min(...times));
}

async function pause(app: FaultApplication): Promise<void> {
  const { fault, brokers, processes } = app;
  brokers.forEach((id) => processes.control(id));
  app.undoWith(async () => void (await settleAll(brokers.map((id) => processes.resume(fault.id, id)))));
  const times = await settleAll(brokers.map((id) => processes.pause(fault.id, id, app.proceed)));
  app.inForce(Math.min(...times));
}

async function restart(app: FaultApplication): Promise<void> {
  const { fault, brokers, processes } = app;
  brokers.forEach((id) => processes.control(id));
  let injected = false;
  for (const id of brokers)
    await processes.restart(
      id,
      (atMs) => {
        if (injected) return;
        injected = true;
        app.inForce(atMs);
      },
      app.proceed,
    );
  const healedAt = app.over();
  app.log(`fault ${fault.id}: ${brokers.map(app.processName).join(', ')} restarted at ${healedAt} ms`);
}

export const processFaults: FaultFamily<ProcessAction> = {
  actions: ['kill', 'stop', 'pause', 'restart'],
  fields: {},
  takes: { kill: ['target'], stop: ['target'], pause: ['target'], restart: ['target'] },
  target: 'required',
  instant: { actions: ['restart'], why: 'a restart lasts as long as the broker takes to stop and start again' },
  network: false,
  mirrorMakers: true,
  breaks: () => 'processes',
  nemesis: (_action, { broker }) => ({ target: `broker-${broker}` }),
  apply(app) {
    const action = app.fault.action as ProcessAction;
    if (action === 'pause') return pause(app);
    if (action === 'restart') return restart(app);
    return takeDown(app, action);
  },
};
