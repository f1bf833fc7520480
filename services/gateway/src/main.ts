import { createGateway, jsonLog, shutdownGateway } from './gateway';
import { resolveUpstreams } from './routes';

/** The gateway process: `PORT` (default 3000), upstreams from `UPSTREAM_<NAME>` (see routes.ts). */
function main(): void {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    jsonLog({ level: 'error', msg: `PORT="${process.env.PORT}" is not a TCP port` });
    process.exit(1);
  }
  const upstreams = resolveUpstreams(process.env);
  const server = createGateway({ upstreams });

  server.on('error', (error: NodeJS.ErrnoException) => {
    const msg =
      error.code === 'EADDRINUSE'
        ? `port ${port} is already in use: stop what holds it (ss -ltnp 'sport = :${port}') or set PORT`
        : `cannot listen on port ${port}: ${error.message}`;
    jsonLog({ level: 'error', msg });
    process.exit(1);
  });

  server.listen(port, () =>
    jsonLog({
      level: 'info',
      msg: `gateway listening on http://localhost:${port}`,
      upstreams: upstreams.map((u) => ({ name: u.name, url: u.url.toString(), prefixes: u.prefixes })),
    }),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    jsonLog({ level: 'info', msg: `${signal} received: draining connections` });
    void shutdownGateway(server, 10_000).then(() => {
      jsonLog({ level: 'info', msg: 'gateway stopped' });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
