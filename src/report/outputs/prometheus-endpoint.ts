/**
 * The live view (--metrics-port PORT): during a run, GET http://127.0.0.1:PORT/metrics answers the Prometheus text
 * format (src/live/). The port is bound when the outputs open, before any broker starts: one that is taken ends
 * the run at once (exit 3, one line). dashboards/faultline.json is a Grafana dashboard that reads it.
 */
import { Option } from 'commander';
import { InvalidInputError } from '../../errors.js';
import { LiveMetrics } from '../../live/live-metrics.js';
import { type MetricsServer, startMetricsServer } from '../../live/metrics-server.js';
import type { OutputKind } from '../output.js';

export const prometheusEndpointOutput: OutputKind = {
  commands: ['run'],
  options: () => [
    new Option(
      '--metrics-port <port>',
      'serve live metrics (Prometheus text format) on 127.0.0.1:PORT/metrics during the run',
    ).argParser(metricsPort),
  ],
  create: (flags) => {
    const port = flags.metricsPort as number | undefined;
    if (port === undefined) return undefined;
    const live = new LiveMetrics();
    let server: MetricsServer | undefined;
    return {
      name: `metrics on 127.0.0.1:${port}`,
      open: async () => {
        server = await startMetricsServer(port, () => live.render());
        if (!flags.quiet) process.stderr.write(`faultline: live metrics: ${server.url}\n`);
      },
      onLoadStart: (sources, part) => live.started(part.cluster, sources),
      onProgress: (progress, part) => live.load(part.cluster, progress),
      close: async () => server?.close(),
    };
  },
};

function metricsPort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535)
    throw new InvalidInputError(`--metrics-port: expected a port number from 1 to 65535, got "${value}"`);
  return port;
}
