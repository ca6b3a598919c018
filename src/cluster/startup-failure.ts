/**
 * The one line that says why a broker (or a broker tool) failed, from its log4j log and its console output:
 * the first ERROR/FATAL entry and the innermost exception under it ("Caused by" chains end at the real reason),
 * without the stack. Falls back to the console's last exception or error line, then its last line.
 */

const LOG_ENTRY = /^\[[^\]]*\] (ERROR|FATAL) (.*?)(?: \([\w.$]+\))?$/;
const EXCEPTION =
  /^(?:Caused by: )?((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Fault)[\w$]*)(?::\s*(.*))?$/;
/** An exception named anywhere in a console line ("Exception in thread "main" java.lang.X: why"). */
const EXCEPTION_IN_LINE = new RegExp(EXCEPTION.source.replace('^(?:Caused by: )?', '(?:^|\\s)'));
const STACK_LINE = /^\s+(at |\.\.\. \d+ more)/;
const MAX_REASON = 400;

interface Found {
  message: string;
  exception?: string;
}

/** The innermost exception of the lines following a log entry (up to the next entry). */
function innermostException(lines: string[], from: number): string | undefined {
  let found: string | undefined;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('[')) break;
    if (STACK_LINE.test(line)) continue;
    const match = EXCEPTION.exec(line.trim());
    if (match) found = `${match[1]!.split('.').at(-1)}${match[2] ? `: ${match[2]}` : ''}`;
  }
  return found;
}

function fromLog(lines: string[]): Found | undefined {
  let first: Found | undefined;
  for (let i = 0; i < lines.length; i++) {
    const match = LOG_ENTRY.exec(lines[i]!);
    if (!match) continue;
    const exception = innermostException(lines, i + 1);
    const found = { message: match[2]!.trim(), ...(exception ? { exception } : {}) };
    if (exception) return found;
    first ??= found;
  }
  return first;
}

function fromConsole(lines: string[]): Found | undefined {
  const meaningful = lines.map((l) => l.trim()).filter((l) => l && !STACK_LINE.test(` ${l}`) && !/^at /.test(l));
  const exceptions = meaningful.filter((l) => EXCEPTION_IN_LINE.test(l));
  if (exceptions.length > 0) {
    const match = EXCEPTION_IN_LINE.exec(exceptions.at(-1)!)!;
    return { message: `${match[1]!.split('.').at(-1)}${match[2] ? `: ${match[2]}` : ''}` };
  }
  const errors = meaningful.filter((l) => /\b(error|failed|cannot|could not)\b/i.test(l));
  const line = errors[0] ?? meaningful.at(-1);
  return line ? { message: line } : undefined;
}

/** Why the process failed, in one line. */
export function startupFailureReason(logLines: string[], consoleLines: string[]): string {
  const found = fromLog(logLines) ?? fromConsole(consoleLines);
  if (!found) return 'no error in its log or output';
  const text =
    found.exception && !found.message.includes(found.exception)
      ? `${found.message}: ${found.exception}`
      : found.message;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_REASON ? `${oneLine.slice(0, MAX_REASON - 1)}…` : oneLine;
}
