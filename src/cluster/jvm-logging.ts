/** log4j2 configuration that sends a JVM's log into one file of the run's log directory. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes log4j2.properties into `dir`; returns the JVM flag that loads it. */
export async function writeLog4j2Config(dir: string, logFile: string, quietLoggers: string[] = []): Promise<string> {
  const file = join(dir, 'log4j2.properties');
  const quiet = quietLoggers.flatMap((name, i) => [`logger.q${i}.name = ${name}`, `logger.q${i}.level = WARN`]);
  await writeFile(
    file,
    [
      'status = error',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${logFile}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = file',
      ...quiet,
      '',
    ].join('\n'),
  );
  return `-Dlog4j2.configurationFile=${file}`;
}
