/**
 * The live view's HTTP endpoint: GET /metrics answers the Prometheus text format, on loopback only. A port that is
 * taken is an infrastructure error in one line (exit 3), found before any broker starts.
 */
import { createServer, type Server } from 'node:http';
import { errorMessage, InfrastructureError } from '../errors.js';

export const METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(port: number, render: () => string): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '/').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('faultline serves /metrics\n');
      return;
    }
    try {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(render());
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`${errorMessage(error)}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new InfrastructureError(
          error.code === 'EADDRINUSE'
            ? `--metrics-port ${port}: port ${port} on ${METRICS_HOST} is already in use`
            : `--metrics-port ${port}: cannot listen on ${METRICS_HOST}:${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, METRICS_HOST, () => resolve());
  });
  server.unref();
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${METRICS_HOST}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
