/**
 * The warning written when the drain ended unfinished. It states what happened and nothing more: which sends were
 * still unanswered, which consumer group had not received what, and what the final read found — only when one ran.
 * Under Kafka acks=0 nothing is acknowledged, so it speaks of messages sent and of `notDelivered`, never of
 * "acknowledged" or "lost".
 */

export interface DrainFacts {
  drainTimeoutMs: number;
  driverName: string;
  /** False under Kafka acks=0: a resolved send only means the bytes were on the socket. */
  acknowledged: boolean;
  /** Sends still unanswered at the drain's end; undefined when not known. */
  unanswered: number | undefined;
  /** Messages of the schedule never sent (no send slot free before the drain's end); undefined when not known. */
  unsent?: number | undefined;
  /** Each consumer group: its name (empty with one group and no regions), what it lacked at the drain's end, what the final read then found in the log of it. */
  groups: Array<{ name: string; behindAtDrainEnd: number; foundByFinalRead: number }>;
  /** null: no final read ran; else whether it reached the end of every partition. */
  finalReadComplete: boolean | null;
  finalReadAvailable: boolean;
}

export function drainWarning(f: DrainFacts): string {
  const bound = `when the drain bound (${f.drainTimeoutMs} ms) passed`;
  const figure = f.acknowledged ? '"lost"' : '"notDelivered"';
  const parts: string[] = [];
  if (f.unanswered !== undefined && f.unanswered > 0) {
    parts.push(
      f.acknowledged
        ? `${f.unanswered} message(s) were still waiting for the broker's answer ${bound}: their outcome is unknown (counted unacked, neither acknowledged nor failed, not lost) and an answer after the bound was ignored`
        : `${f.unanswered} send(s) had not completed ${bound} (outcome unknown; a later answer was ignored)`,
    );
  }
  if (f.unsent !== undefined && f.unsent > 0)
    parts.push(
      `${f.unsent} message(s) of the schedule were never sent: every send slot was still taken by unanswered sends ${bound}`,
    );
  const behind = f.groups.filter((g) => g.behindAtDrainEnd > 0);
  const what = f.acknowledged ? 'acknowledged message(s)' : 'message(s) sent';
  if (behind.length > 0) {
    const named = f.groups.some((g) => g.name !== '');
    const each = (count: (g: DrainFacts['groups'][number]) => number) =>
      behind.map((g) => `${g.name} ${count(g)}`).join(', ');
    parts.push(
      !named
        ? `the consumer group had not received ${behind[0]!.behindAtDrainEnd} ${what} ${bound}`
        : behind.length === 1
          ? `the ${behind[0]!.name} consumer group had not received ${behind[0]!.behindAtDrainEnd} ${what} ${bound}`
          : `consumer groups had not received every ${what} ${bound} (${each((g) => g.behindAtDrainEnd)} missing)`,
    );
    if (f.finalReadComplete === null)
      parts.push(`no final read ran, so ${figure} is unverified: it may include messages that are in the log`);
    else if (!f.finalReadAvailable)
      parts.push(
        `the ${f.driverName} driver has no final read to look them up in the log, so ${figure} is unverified: it may include messages that are in the log`,
      );
    else if (!f.finalReadComplete)
      parts.push(
        `a final read from the beginning of each partition did not reach the end in time, so ${figure} is unverified: it may include messages that are in the log`,
      );
    else {
      const found = behind.length === 1 ? `${behind[0]!.foundByFinalRead}` : each((g) => g.foundByFinalRead);
      parts.push(
        `a final read from the beginning of each partition then found ${found} of them still undelivered but in the log (not ${f.acknowledged ? 'lost' : 'counted notDelivered'}), so ${figure} counts only messages missing from the log`,
      );
    }
  } else if (f.unanswered !== undefined && f.unanswered > 0 && f.groups.length > 0) {
    parts.push(
      f.acknowledged
        ? 'every acknowledged message had been delivered to every consumer group, so no final read was needed'
        : 'every completed send had been delivered to every consumer group, so no final read was needed',
    );
  }
  if (parts.length === 0) parts.push(`the drain did not finish ${bound}`);
  return parts.join('; ');
}
