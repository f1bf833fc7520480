import * as http from 'node:http';
import { CORRELATION_HEADER } from './gateway';
import { Upstream } from './routes';

export interface UpstreamAnswer {
  name: string;
  status: number;
  body: unknown;
  error?: string;
}

/** One request to one upstream, body buffered (small JSON answers only: docs, clock). */
export function callUpstream(
  upstream: Upstream,
  agent: http.Agent,
  request: { method: string; path: string; headers?: http.OutgoingHttpHeaders; body?: string; timeoutMs: number },
): Promise<UpstreamAnswer> {
  const base = upstream.url.pathname.replace(/\/+$/, '');
  return new Promise((resolve) => {
    const req = http.request(
      {
        hostname: upstream.url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: upstream.url.port || 80,
        method: request.method,
        path: `${base}${request.path}`,
        headers: { accept: 'application/json', ...request.headers },
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // keep the text
          }
          resolve({ name: upstream.name, status: response.statusCode ?? 502, body });
        });
        response.on('error', (error) => resolve({ name: upstream.name, status: 502, body: null, error: error.message }));
      },
    );
    req.setTimeout(request.timeoutMs, () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ name: upstream.name, status: 502, body: null, error: error.code ?? error.message }));
    req.end(request.body);
  });
}

/** Sends the same request to every upstream in parallel. */
export function fanOut(
  upstreams: Upstream[],
  agent: http.Agent,
  request: { method: string; path: (u: Upstream) => string; headers?: http.OutgoingHttpHeaders; body?: string; timeoutMs: number; correlationId: string },
): Promise<UpstreamAnswer[]> {
  return Promise.all(
    upstreams.map((u) =>
      callUpstream(u, agent, {
        ...request,
        path: request.path(u),
        headers: { ...request.headers, [CORRELATION_HEADER]: request.correlationId },
      }),
    ),
  );
}

type OpenApi = { openapi?: string; info?: unknown; paths?: Record<string, unknown>; components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }; tags?: { name: string }[] };

/**
 * One OpenAPI document for the platform, from every service's own. Schema names are unique per
 * service by construction of the DTOs; a clash would be a bug, so it is reported in `x-clashes`.
 */
export function mergeOpenApi(documents: { name: string; document: OpenApi }[]): OpenApi & { 'x-clashes'?: string[] } {
  const merged: OpenApi & { 'x-clashes'?: string[] } = {
    openapi: '3.0.0',
    info: { title: 'CNFS platform API', version: '1', description: 'All services behind the gateway. Authorization: Bearer <JWT>.' },
    paths: {},
    components: { schemas: {}, securitySchemes: {} },
    tags: [],
  };
  const clashes: string[] = [];
  for (const { name, document } of documents) {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (merged.paths![path]) clashes.push(`path ${path} (${name})`);
      merged.paths![path] = item;
    }
    for (const [schema, definition] of Object.entries(document.components?.schemas ?? {})) {
      if (merged.components!.schemas![schema] && JSON.stringify(merged.components!.schemas![schema]) !== JSON.stringify(definition)) {
        clashes.push(`schema ${schema} (${name})`);
      }
      merged.components!.schemas![schema] = definition;
    }
    Object.assign(merged.components!.securitySchemes!, document.components?.securitySchemes ?? {});
    merged.tags!.push({ name, ...(document.tags ? {} : {}) } as { name: string });
  }
  if (clashes.length) merged['x-clashes'] = clashes;
  return merged;
}
