/**
 * The JSON frames of Pulsar's WebSocket API, checked as they arrive: a frame that is not JSON or lacks a field
 * faultline needs is skipped and counted (and the first few logged), never allowed to crash a run.
 */

/** A producer's answer to one message: `context` names the message, `result` is "ok" or an error. */
export interface ProducerReply {
  result: string;
  context: string;
  messageId?: string;
  errorMsg?: string;
}

/** A message delivered to a consumer or reader. */
export interface DeliveredMessage {
  messageId: string;
  /** base64 */
  payload: string;
  /** publishTime (wall-clock ms since the epoch), when the frame carries one. */
  publishedMs?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; context?: string };

function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : 'not a JSON object';
}

/** A producer reply; when the frame names its message (`context`) but is otherwise unusable, says which. */
export function parseProducerReply(text: string): Parsed<ProducerReply> {
  const frame = parseObject(text);
  if (typeof frame === 'string') return { ok: false, reason: frame };
  const { result, context, messageId, errorMsg } = frame;
  if (typeof context !== 'string') return { ok: false, reason: 'no "context" string' };
  if (typeof result !== 'string') return { ok: false, reason: 'no "result" string', context };
  return {
    ok: true,
    value: {
      result,
      context,
      ...(typeof messageId === 'string' ? { messageId } : {}),
      ...(typeof errorMsg === 'string' ? { errorMsg } : {}),
    },
  };
}

/** A consumer's or reader's message frame. */
export function parseDeliveredMessage(text: string): Parsed<DeliveredMessage> {
  const frame = parseObject(text);
  if (typeof frame === 'string') return { ok: false, reason: frame };
  const { messageId, payload, publishTime } = frame;
  if (typeof messageId !== 'string' || messageId === '') return { ok: false, reason: 'no "messageId" string' };
  if (typeof payload !== 'string') return { ok: false, reason: 'no "payload" string' };
  const publishedMs = typeof publishTime === 'string' ? Date.parse(publishTime) : Number.NaN;
  return { ok: true, value: { messageId, payload, ...(Number.isFinite(publishedMs) ? { publishedMs } : {}) } };
}

/**
 * Counts problems that must not stop a run (a frame skipped, an acknowledgement rejected); logs the first few and
 * then every thousandth.
 */
export class ProblemCounter {
  count = 0;

  constructor(
    private readonly what: string,
    private readonly log: (line: string) => void,
  ) {}

  record(reason: string, detail: string): void {
    this.count++;
    if (this.count <= 10 || this.count % 1000 === 0) {
      this.log(`${this.what} #${this.count} (${reason}): ${detail.length > 200 ? `${detail.slice(0, 200)}…` : detail}`);
    }
  }

  /** One closing line when anything was counted. */
  summary(): string | undefined {
    return this.count > 0 ? `${this.what}: ${this.count} in all` : undefined;
  }
}
