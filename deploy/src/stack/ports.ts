import * as net from 'node:net';

/** True when something accepts TCP connections on host:port. */
export function isPortAnswering(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (answer: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when we can bind the port on every interface (nothing listens on it, on any address). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port is free when nothing answers on loopback and it can be bound. */
export async function isPortFree(port: number): Promise<boolean> {
  if (await isPortAnswering(port)) return false;
  return canBind(port);
}

/** A shell hint that tells who holds a port, for error messages. */
export const whoHoldsPortHint = (port: number): string => `see who holds it with \`ss -ltnp 'sport = :${port}'\` (or \`lsof -i :${port}\`)`;
