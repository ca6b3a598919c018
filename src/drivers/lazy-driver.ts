/**
 * A driver whose module (and its client library) loads on first need, so a CLI start that never uses it does not
 * pay for its import (@platformatic/kafka with its schema compiler: a third of a second of every start). The plan
 * asks every driver it chooses whether it can run here (unavailableReason) before a client or admin is made: that
 * is where the module loads, the way the native Pulsar driver loads its addon.
 */
import type { z } from 'zod';
import { InfrastructureError } from '../errors.js';
import type { DriverFactory } from './driver.js';

export interface LazyDriverSpec {
  name: string;
  system: DriverFactory['system'];
  /** The option schemas (cheap: no client library behind them), needed to check a scenario before any load. */
  producerOptions: z.ZodType;
  consumerOptions: z.ZodType;
  load: () => Promise<DriverFactory>;
}

export function lazyDriver(spec: LazyDriverSpec): DriverFactory {
  let loading: Promise<DriverFactory> | undefined;
  let loaded: DriverFactory | undefined;
  const load = () => {
    loading ??= spec.load().then((driver) => (loaded = driver));
    return loading;
  };
  const ready = (): DriverFactory => {
    if (!loaded) throw new InfrastructureError(`the ${spec.name} driver was used before it was loaded (plan time)`);
    return loaded;
  };
  return {
    name: spec.name,
    system: spec.system,
    producerOptions: spec.producerOptions,
    consumerOptions: spec.consumerOptions,
    async unavailableReason() {
      return (await load()).unavailableReason();
    },
    createClient: (context) => ready().createClient(context),
    createAdmin: (endpoints, log) => ready().createAdmin(endpoints, log),
  };
}
