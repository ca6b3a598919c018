/** The names of PulsarApi.proto's ServerError values, for error messages and failure kinds. */
import { root } from './protocol.js';

const ServerError = root.lookupEnum('pulsar.proto.ServerError');

export function serverErrorName(code: number | undefined): string {
  return (code !== undefined && ServerError.valuesById[code]) || `ServerError${code ?? '?'}`;
}

/** Errors after which a fresh lookup and a new attempt may succeed (the topic moved, the broker is not ready). */
export function isRetryable(name: string): boolean {
  return [
    'ServiceNotReady',
    'TooManyRequests',
    'MetadataError',
    'PersistenceError',
    'UnknownError',
    'ProducerBusy',
    'ConsumerBusy',
  ].includes(name);
}
