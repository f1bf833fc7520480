import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { fanOut, mergeOpenApi } from './fan-out';
import { matchRoute, parseTarget, Upstream } from './routes';

export type GatewayLog = (entry: Record<string, unknown>) => void;

export interface GatewayOptions {
  upstreams: Upstream[];
  /** One JSON object per line on stdout by default. */
  log?: GatewayLog;
  /** A proxied request whose upstream sends no response headers within this delay gets a 504 (default 30 s). */
  upstreamTimeoutMs?: number;
  /** Per-upstream timeout of the aggregated health check (default 3 s). */
  healthTimeoutMs?: number;
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade',
]);

export const jsonLog: GatewayLog = (entry) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'gateway', ...entry })}\n`);

/** How long an idle keep-alive socket to a service is kept (below the services' keep-alive timeout). */
export const UPSTREAM_IDLE_SOCKET_MS = 60_000;
/** How long the gateway keeps a client's idle connection (above the 60 s idle timeout of common load balancers). */
export const CLIENT_KEEP_ALIVE_MS = 75_000;

/**
 * The gateway: one base URL for users. Routes `/api/v1/<…>` by path prefix to the services of the route table,
 * streaming bodies both ways; answers `GET /health` by aggregating every upstream's `/health`.
 */
export function createGateway(options: GatewayOptions): http.Server {
  const log = options.log ?? jsonLog;
  // Idle upstream sockets are closed by the gateway before the service would close them (services keep idle
  // connections 75 s, see libs/service-kit bootstrap.ts): a request never goes out on a socket the service is
  // closing at that moment (ECONNRESET, a 502 for nothing).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: UPSTREAM_IDLE_SOCKET_MS });
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const healthTimeoutMs = options.healthTimeoutMs ?? 3_000;

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const correlationId = correlationIdOf(req);
    res.setHeader(CORRELATION_HEADER, correlationId);
    const target = parseTarget(req.url);
    const routed: { upstream?: string } = {};
    res.once('finish', () =>
      log({
        level: res.statusCode >= 500 ? 'warn' : 'info',
        msg: 'request',
        method: req.method,
        path: target?.path ?? req.url,
        status: res.statusCode,
        upstream: routed.upstream,
        durationMs: Number((process.hrtime.bigint() - started) / 1_000_000n),
        correlationId,
      }),
    );

    if (!target) {
      return sendProblem(res, 400, 'Bad Request', 'The request target must be an absolute path such as /api/v1/structures.', req.url, correlationId);
    }
    if (target.path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return sendProblem(res, 405, 'Method Not Allowed', 'Use GET /health.', target.path, correlationId);
      }
      return void aggregateHealth(options.upstreams, agent, healthTimeoutMs, correlationId).then(({ ok, body }) => {
        const payload = JSON.stringify(body);
        res.writeHead(ok ? 200 : 503, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          'cache-control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : payload);
      });
    }
    if (target.path === '/api/v1/openapi.json' && req.method === 'GET') {
      return void fanOut(options.upstreams, agent, {
        method: 'GET', path: (u) => `/api/v1/docs/${u.name}/openapi.json`, timeoutMs: healthTimeoutMs, correlationId,
      }).then((answers) => {
        const documents = answers.filter((a) => a.status === 200 && typeof a.body === 'object').map((a) => ({ name: a.name, document: a.body as object }));
        sendJson(res, documents.length === answers.length ? 200 : 502, mergeOpenApi(documents));
      });
    }
    if (target.path === '/api/v1/clock') {
      // The platform's time, read or moved on every service at once (simulation; services refuse unless CNFS_CLOCK=manual).
      return void readBody(req).then((body) =>
        fanOut(options.upstreams, agent, {
          method: req.method ?? 'GET',
          path: () => '/clock',
          headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
          body: req.method === 'PUT' ? body : undefined,
          timeoutMs: upstreamTimeoutMs,
          correlationId,
        }).then((answers) => {
          const failed = answers.find((a) => a.status >= 300);
          sendJson(res, failed ? (failed.status >= 500 ? 502 : failed.status) : 200, { services: Object.fromEntries(answers.map((a) => [a.name, { status: a.status, body: a.body }])) });
        }),
      );
    }
    const upstream = matchRoute(target.path, options.upstreams);
    if (!upstream) {
      return sendProblem(res, 404, 'Not Found', `No service serves ${target.path}.`, target.path, correlationId);
    }
    routed.upstream = upstream.name;
    proxy(req, res, upstream, `${target.path}${target.search}`, correlationId, agent, upstreamTimeoutMs, log);
  });

  server.on('clientError', (error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy(error);
  });
  server.on('close', () => agent.destroy());
  server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
  server.headersTimeout = CLIENT_KEEP_ALIVE_MS + 1_000;
  return server;
}

function correlationIdOf(req: http.IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  // accept any sane token; anything else (empty, huge, control characters) is replaced
  return value && /^[\w.:@/+=-]{1,128}$/.test(value) ? value : randomUUID();
}

function proxy(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  upstream: Upstream,
  pathAndQuery: string,
  correlationId: string,
  agent: http.Agent,
  timeoutMs: number,
  log: GatewayLog,
  retried = false,
): void {
  const base = upstream.url.pathname.replace(/\/+$/, '');
  const headers = forwardedRequestHeaders(req, upstream, correlationId);
  const upstreamReq = http.request({
    protocol: upstream.url.protocol,
    hostname: upstream.url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: upstream.url.port || 80,
    method: req.method,
    path: `${base}${pathAndQuery}`,
    headers,
    agent,
  });
  upstreamReq.setTimeout(timeoutMs, () => upstreamReq.destroy(new UpstreamTimeout()));

  upstreamReq.on('response', (upstreamRes) => {
    upstreamReq.setTimeout(0);
    const responseHeaders = withoutHopByHop(upstreamRes.headers);
    responseHeaders[CORRELATION_HEADER] = correlationId;
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders);
    upstreamRes.pipe(res);
    upstreamRes.on('error', () => res.destroy());
    upstreamRes.on('aborted', () => res.destroy());
  });

  upstreamReq.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (req.destroyed && !res.writable) return; // the client went away first
    // A kept-alive socket the service closed as we reused it: the service most likely never saw the request. A
    // request that is safe to repeat — a read, or a bodiless command under an Idempotency-Key, which the service
    // replays — is sent again once on a new socket (a body has been streamed away already).
    if (!retried && upstreamReq.reusedSocket && isSafeToRepeat(req) && isConnectionReset(error)) {
      log({ level: 'info', msg: 'upstream closed a reused connection; sending again on a new one', upstream: upstream.name, error: error.message, correlationId });
      proxy(req, res, upstream, pathAndQuery, correlationId, agent, timeoutMs, log, true);
      return;
    }
    const timedOut = error instanceof UpstreamTimeout;
    log({ level: 'warn', msg: 'upstream error', upstream: upstream.name, error: error.message, correlationId });
    if (timedOut) {
      sendProblem(res, 504, 'Gateway Timeout', `The ${upstream.name} service did not answer within ${timeoutMs / 1000} s.`, pathAndQuery, correlationId);
    } else {
      sendProblem(res, 502, 'Bad Gateway', `The ${upstream.name} service is unavailable (${describe(error)}).`, pathAndQuery, correlationId);
    }
  });

  // the client aborted: abort the upstream exchange too
  const abort = () => {
    if (!res.writableFinished) upstreamReq.destroy();
  };
  res.on('close', abort);
  upstreamReq.once('close', () => res.off('close', abort));
  if (retried) upstreamReq.end();
  else req.pipe(upstreamReq);
}

function isSafeToRepeat(req: http.IncomingMessage): boolean {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody) return false;
  return req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.headers['idempotency-key'] !== undefined;
}

function isConnectionReset(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.message === 'socket hang up';
}

class UpstreamTimeout extends Error {
  constructor() {
    super('upstream timeout');
  }
}

function describe(error: NodeJS.ErrnoException): string {
  return error.code ?? error.message;
}

function forwardedRequestHeaders(req: http.IncomingMessage, upstream: Upstream, correlationId: string): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = withoutHopByHop(req.headers);
  const originalHost = req.headers.host;
  headers.host = upstream.url.host;
  if (originalHost) headers['x-forwarded-host'] = originalHost;
  headers['x-forwarded-proto'] = 'http';
  const remote = req.socket.remoteAddress;
  if (remote) {
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${remote}` : remote;
  }
  headers[CORRELATION_HEADER] = correlationId;
  return headers;
}

function withoutHopByHop(source: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const listed = new Set(
    String(source.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    headers[name] = value;
  }
  return headers;
}

/** RFC 9457 problem details. */
export function sendProblem(
  res: http.ServerResponse,
  status: number,
  title: string,
  detail: string,
  instance: string | undefined,
  correlationId: string,
): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail, instance, correlationId });
  res.writeHead(status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export interface UpstreamHealth {
  name: string;
  url: string;
  status: 'up' | 'down';
  httpStatus?: number;
  /** The upstream's own /health body (database, Kafka…), when JSON. */
  details?: unknown;
  error?: string;
}

export interface HealthReport {
  status: 'up' | 'down';
  service: 'gateway';
  upstreams: UpstreamHealth[];
}

/** Calls every upstream's /health in parallel; the gateway is up only when all of them answer 200. */
export async function aggregateHealth(
  upstreams: Upstream[],
  agent: http.Agent,
  timeoutMs: number,
  correlationId: string,
): Promise<{ ok: boolean; body: HealthReport }> {
  const results = await Promise.all(upstreams.map((u) => checkUpstream(u, agent, timeoutMs, correlationId)));
  const ok = results.every((r) => r.status === 'up');
  return { ok, body: { status: ok ? 'up' : 'down', service: 'gateway', upstreams: results } };
}

function checkUpstream(upstream: Upstream, agent: http.Agent, timeoutMs: number, correlationId: string): Promise<UpstreamHealth> {
  const url = new URL(`${upstream.url.pathname.replace(/\/+$/, '')}/health`, upstream.url);
  const base = { name: upstream.name, url: url.toString() };
  return new Promise((resolve) => {
    const request = http.get(url, { agent, headers: { accept: 'application/json', [CORRELATION_HEADER]: correlationId } }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let details: unknown = text || undefined;
        try {
          details = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        const httpStatus = response.statusCode ?? 0;
        resolve({ ...base, status: httpStatus === 200 ? 'up' : 'down', httpStatus, details });
      });
      response.on('error', (error) => resolve({ ...base, status: 'down', error: error.message }));
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ...base, status: 'down', error: error.code ?? error.message }));
  });
}

/** Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then closes what remains. */
export function shutdownGateway(server: http.Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store' });
  res.end(payload);
}

function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
