// A local HTTP server for tests of protocol corners a real registry will not
// produce on demand (stalls, cuts, redirects): listens on 127.0.0.1, counts
// connections, and closes with every connection it holds.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** host:port */
  host: string;
  /** http://host:port */
  base: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startLocalServer(handler: RequestListener): Promise<LocalServer> {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    base: `http://${host}`,
    connections: () => connections,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
