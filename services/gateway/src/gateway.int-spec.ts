import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { SERVICE_KEEP_ALIVE_MS } from '@cnfs/service-kit';
import { CLIENT_KEEP_ALIVE_MS, createGateway, shutdownGateway, UPSTREAM_IDLE_SOCKET_MS } from './gateway';
import { resolveUpstreams } from './routes';

/** Two tiny upstream services behind a real gateway, all on ephemeral ports. */

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

function upstream(name: string, seen: Seen[], health: () => number): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === '/health') {
        const status = health();
        res.writeHead(status, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ status: status === 200 ? 'up' : 'down', database: 'up', kafka: 'up' }));
      }
      if (req.url === `/api/v1/docs/${name}/openapi.json`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ openapi: '3.0.0', paths: { [`/api/v1/${name}`]: { get: { summary: `list ${name}` } } }, components: { schemas: { [`${name}Dto`]: { type: 'object' } } } }));
      }
      if (req.url?.startsWith(`/api/v1/${name}/stream`)) {
        // a streamed (chunked) response
        res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
        let i = 0;
        const timer = setInterval(() => {
          res.write(`chunk-${i}\n`);
          if (++i === 5) {
            clearInterval(timer);
            res.end();
          }
        }, 5);
        return;
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(JSON.stringify({ upstream: name, method: req.method, url: req.url, echo: body }));
    });
  });
}

async function call(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; json: () => any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('gateway against real upstream servers', () => {
  const seenA: Seen[] = [];
  const seenB: Seen[] = [];
  let healthB = 200;
  let upstreamA: http.Server;
  let upstreamB: http.Server;
  let gateway: http.Server;
  let base: string;
  let deadUrl: string;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    upstreamA = upstream('structures', seenA, () => 200);
    upstreamB = upstream('conventions', seenB, () => healthB);
    const [urlA, urlB] = await Promise.all([listen(upstreamA), listen(upstreamB)]);
    // a port nobody listens on: bind then close
    const probe = http.createServer();
    deadUrl = await listen(probe);
    await close(probe);

    const upstreams = resolveUpstreams(
      { UPSTREAM_STRUCTURES: urlA, UPSTREAM_CONVENTIONS: urlB, UPSTREAM_TRAINING: deadUrl },
      [
        { name: 'structures', prefixes: ['/api/v1/structures'], defaultUrl: 'http://127.0.0.1:1' },
        { name: 'conventions', prefixes: ['/api/v1/conventions'], defaultUrl: 'http://127.0.0.1:1' },
        { name: 'training', prefixes: ['/api/v1/training'], defaultUrl: 'http://127.0.0.1:1' },
      ],
    );
    gateway = createGateway({ upstreams: upstreams.slice(0, 2), log: (e) => logs.push(e), healthTimeoutMs: 1000 });
    base = await listen(gateway);
    // a second gateway whose table includes the dead upstream, for the 502 and health cases
    deadGateway = createGateway({ upstreams, log: () => undefined, healthTimeoutMs: 1000 });
    deadBase = await listen(deadGateway);
  });
  let deadGateway: http.Server;
  let deadBase: string;

  afterAll(async () => {
    await shutdownGateway(gateway, 1000);
    await shutdownGateway(deadGateway, 1000);
    await Promise.all([close(upstreamA), close(upstreamB)]);
  });

  it('routes by path prefix, keeping path and query', async () => {
    const a = await call(base, '/api/v1/structures/42?include=posts&q=a%20b');
    expect(a.status).toBe(200);
    expect(a.json()).toMatchObject({ upstream: 'structures', url: '/api/v1/structures/42?include=posts&q=a%20b' });
    expect(a.headers['x-upstream']).toBe('structures');
    const b = await call(base, '/api/v1/conventions');
    expect(b.json()).toMatchObject({ upstream: 'conventions', url: '/api/v1/conventions' });
  });

  it('streams request bodies to the upstream and relays status and headers', async () => {
    const payload = JSON.stringify({ name: 'Commune de Lille', posts: 3, filler: 'x'.repeat(200_000) });
    const res = await call(base, '/api/v1/structures', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc', 'idempotency-key': 'k-1' },
      body: payload,
    });
    expect(res.status).toBe(201);
    expect(res.json().echo).toBe(payload);
    const seen = seenA[seenA.length - 1];
    expect(seen.headers.authorization).toBe('Bearer abc');
    expect(seen.headers['idempotency-key']).toBe('k-1');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-host']).toBe(new URL(base).host);
  });

  it('streams chunked responses back, multi-valued headers included', async () => {
    const res = await call(base, '/api/v1/structures/stream');
    expect(res.status).toBe(200);
    expect(res.text).toBe('chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('passes x-correlation-id through, or generates one', async () => {
    const given = await call(base, '/api/v1/structures/1', { headers: { 'x-correlation-id': 'corr-123' } });
    expect(given.headers['x-correlation-id']).toBe('corr-123');
    expect(seenA[seenA.length - 1].headers['x-correlation-id']).toBe('corr-123');

    const generated = await call(base, '/api/v1/structures/1');
    const id = generated.headers['x-correlation-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seenA[seenA.length - 1].headers['x-correlation-id']).toBe(id);
    expect(logs.some((l) => l.correlationId === id && l.upstream === 'structures' && l.status === 200)).toBe(true);
  });

  it('answers 404 problem+json for a path no service serves', async () => {
    const res = await call(base, '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('answers 502 problem+json when the upstream is down', async () => {
    const res = await call(deadBase, '/api/v1/training/enrolments', { headers: { 'x-correlation-id': 'corr-502' } });
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: 'about:blank', title: 'Bad Gateway', status: 502, correlationId: 'corr-502' });
    expect(res.json().detail).toContain('training');
    // the other routes of the same gateway keep working
    expect((await call(deadBase, '/api/v1/structures/1')).status).toBe(200);
  });

  it('serves one OpenAPI document merged from every service', async () => {
    const response = await call(base, '/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const document = response.json();
    expect(Object.keys(document.paths).sort()).toEqual(['/api/v1/conventions', '/api/v1/structures']);
    expect(Object.keys(document.components.schemas).sort()).toEqual(['conventionsDto', 'structuresDto']);
    expect(document['x-clashes']).toBeUndefined();
  });

  it('fans PUT /api/v1/clock out to every service with the caller token', async () => {
    const before = seenA.length;
    const response = await call(base, '/api/v1/clock', { method: 'PUT', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"now":"2022-12-01T00:00:00Z"}' });
    expect(response.status).toBe(200);
    expect(Object.keys(response.json().services).sort()).toEqual(['conventions', 'structures']);
    const forwarded = seenA.slice(before).find((s) => s.url === '/clock')!;
    expect(forwarded).toMatchObject({ method: 'PUT', body: '{"now":"2022-12-01T00:00:00Z"}' });
    expect(forwarded.headers.authorization).toBe('Bearer t');
  });

  it('answers 502 on the clock when a service cannot be reached', async () => {
    const response = await call(deadBase, '/api/v1/clock', { headers: { authorization: 'Bearer t' } });
    expect(response.status).toBe(502);
    expect(response.json().services.training.status).toBe(502);
  });

  it('aggregates /health: 200 when every upstream is up', async () => {
    const res = await call(base, '/health');
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.status).toBe('up');
    expect(body.upstreams).toEqual([
      expect.objectContaining({ name: 'structures', status: 'up', httpStatus: 200, details: expect.objectContaining({ database: 'up' }) }),
      expect.objectContaining({ name: 'conventions', status: 'up', httpStatus: 200 }),
    ]);
  });

  it('aggregates /health: 503 when an upstream is unhealthy or unreachable, listing each', async () => {
    healthB = 503;
    try {
      const res = await call(base, '/health');
      expect(res.status).toBe(503);
      expect(res.json().upstreams.map((u: any) => [u.name, u.status])).toEqual([
        ['structures', 'up'],
        ['conventions', 'down'],
      ]);
    } finally {
      healthB = 200;
    }
    const dead = await call(deadBase, '/health');
    expect(dead.status).toBe(503);
    const training = dead.json().upstreams.find((u: any) => u.name === 'training');
    expect(training).toMatchObject({ status: 'down', error: 'ECONNREFUSED' });
  });
});

describe('gateway and kept-alive upstream connections', () => {
  /**
   * An upstream that closes a kept-alive connection just as the gateway reuses it — the race of an idle timeout —
   * modelled deterministically: the second request on a connection is dropped unanswered.
   */
  let upstreamServer: http.Server;
  let gateway: http.Server;
  let base: string;
  const answered: string[] = [];

  beforeAll(async () => {
    const requestsOn = new WeakMap<object, number>();
    upstreamServer = http.createServer((req, res) => {
      const n = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, n);
      req.resume();
      req.on('end', () => {
        if (n >= 2) {
          req.socket.destroy();
          return;
        }
        answered.push(`${req.method} ${req.url}`);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      });
    });
    const url = await listen(upstreamServer);
    const upstreams = resolveUpstreams({ UPSTREAM_STRUCTURES: url }, [{ name: 'structures', prefixes: ['/api/v1/structures'], defaultUrl: 'http://127.0.0.1:1' }]);
    gateway = createGateway({ upstreams, log: () => undefined });
    base = await listen(gateway);
  });

  afterAll(async () => {
    await shutdownGateway(gateway, 1000);
    await close(upstreamServer);
  });

  it('sends a read (or a bodiless command under an Idempotency-Key) again on a new connection when its reused one was closed under it, never a body twice', async () => {
    expect((await call(base, '/api/v1/structures/1')).status).toBe(200);
    // the gateway's kept-alive connection is dropped on reuse: the GET goes again on a new one
    expect((await call(base, '/api/v1/structures/2')).status).toBe(200);
    expect(answered).toEqual(['GET /api/v1/structures/1', 'GET /api/v1/structures/2']);
    // a POST has streamed its body away: it is not replayed (the client decides, with its Idempotency-Key)
    const post = await call(base, '/api/v1/structures', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(post.status).toBe(502);
    expect(post.json()).toMatchObject({ status: 502 });
    // a bodiless command is repeated only under an Idempotency-Key (the service replays it); each one goes out on
    // the kept-alive connection a read opened just before
    expect((await call(base, '/api/v1/structures/3')).status).toBe(200);
    expect((await call(base, '/api/v1/structures/3/run', { method: 'POST' })).status).toBe(502);
    expect((await call(base, '/api/v1/structures/4')).status).toBe(200);
    expect((await call(base, '/api/v1/structures/4/run', { method: 'POST', headers: { 'idempotency-key': 'k-4' } })).status).toBe(200);
    expect(answered).toEqual(['GET /api/v1/structures/1', 'GET /api/v1/structures/2', 'GET /api/v1/structures/3', 'GET /api/v1/structures/4', 'POST /api/v1/structures/4/run']);
  });

  it('keeps client and upstream connections alive longer than the common 60 s idle timeouts, closing the upstream side first', () => {
    expect(gateway.keepAliveTimeout).toBe(CLIENT_KEEP_ALIVE_MS);
    expect(UPSTREAM_IDLE_SOCKET_MS).toBeLessThan(SERVICE_KEEP_ALIVE_MS);
  });
});
