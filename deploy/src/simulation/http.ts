import * as http from 'node:http';
import { performance } from 'node:perf_hooks';

/** An answer of the platform. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
}

/** A refusal the caller did not expect: carries the request and the problem document, for the report. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} → ${status} ${describeBody(body)}`);
    this.name = 'ApiError';
  }

  /** The machine code of a problem document (`code`), if any. */
  get code(): string | undefined {
    const b = this.body as { code?: string; errors?: { code?: string }[] } | null;
    return b?.code ?? b?.errors?.find((e) => e.code)?.code;
  }
}

function describeBody(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { detail?: string; title?: string; errors?: unknown };
    const errors = b.errors ? ` ${JSON.stringify(b.errors).slice(0, 300)}` : '';
    return `${b.detail ?? b.title ?? JSON.stringify(body).slice(0, 300)}${errors}`;
  }
  return String(body ?? '').slice(0, 300);
}

export interface RequestOptions {
  token?: string;
  /** JSON body, or a string sent as is with `contentType`. */
  body?: unknown;
  contentType?: string;
  idempotencyKey?: string;
  /** Statuses that are answers, not errors (default: 2xx). */
  expect?: readonly number[];
  /**
   * Retry 404 and the listed 409 codes until this many ms have passed: the other service has not yet
   * received the event this request depends on (its read model lags a little).
   */
  awaitDependency?: { ms: number; conflictCodes?: readonly string[]; statuses?: readonly number[] };
  /** Counted as a business operation when it succeeds (default: any non-GET). */
  businessOperation?: boolean;
  /** Overrides the client's retry deadline for transient failures. */
  transientDeadlineMs?: number;
}

/**
 * The first request with this Idempotency-Key never finished (its service was killed while handling it):
 * the key stays "in progress" for ever, and only a look at the data tells whether it had an effect.
 */
export const STUCK_IDEMPOTENCY_KEY = 'IDEMPOTENCY_KEY_STUCK';
/** How long a key may stay "in progress" before it is considered stuck (no live request lasts that long). */
const IN_PROGRESS_DEADLINE_MS = 20_000;

export interface RouteStats {
  route: string;
  count: number;
  errors: number;
  latenciesMs: number[];
}

export interface ClientOptions {
  baseUrl: string;
  /** Requests in flight at most (default 32). */
  concurrency?: number;
  /** One attempt's timeout (default 60 s: a paused service answers after it resumes). */
  timeoutMs?: number;
  /** How long transient failures (connection refused, 502/503/504, in-progress idempotency key) are retried (default 300 s). */
  transientDeadlineMs?: number;
  /** Called on each retried failure (the soak logs them). */
  onRetry?: (info: { method: string; path: string; attempt: number; reason: string }) => void;
  /** After how long an Idempotency-Key still "in progress" is taken as stuck (default 20 s). */
  inProgressDeadlineMs?: number;
}

/** A counting semaphore. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ID_SEGMENT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

/** `/api/v1/contracts/3f…/ruptures?x=1` → `/api/v1/contracts/:id/ruptures`. */
export function routeOf(method: string, path: string): string {
  const bare = path.split('?')[0];
  return `${method} ${bare
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? ':id' : s))
    .join('/')}`;
}

/**
 * The simulation's HTTP client: one keep-alive agent, at most `concurrency` requests in flight,
 * transient failures retried with backoff (same Idempotency-Key, so a retried creation has one effect),
 * latency recorded per route.
 */
export class ApiClient {
  readonly agent: http.Agent;
  private readonly url: URL;
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly transientDeadlineMs: number;
  readonly stats = new Map<string, RouteStats>();
  businessOperations = 0;
  requests = 0;
  retries = 0;

  constructor(private readonly options: ClientOptions) {
    this.url = new URL(options.baseUrl);
    const concurrency = options.concurrency ?? 32;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, keepAliveMsecs: 1000 });
    this.semaphore = new Semaphore(concurrency);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.transientDeadlineMs = options.transientDeadlineMs ?? 300_000;
  }

  get<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, body: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const started = Date.now();
    const transientDeadline = started + (options.transientDeadlineMs ?? this.transientDeadlineMs);
    const dependencyDeadline = options.awaitDependency ? started + options.awaitDependency.ms : 0;
    const expect = options.expect ?? [];
    let inProgressSince = 0;
    for (let attempt = 1; ; attempt++) {
      let response: ApiResponse<T> | undefined;
      let failure: string | undefined;
      try {
        response = await this.semaphore.run(() => this.once<T>(method, path, options));
      } catch (error) {
        failure = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      }
      if (response) {
        // An Idempotency-Key still in progress is never an answer, even where a 409 would be one.
        const ok = !isInProgress(response) && ((response.status >= 200 && response.status < 300) || expect.includes(response.status));
        if (ok) {
          if (response.status < 300 && (options.businessOperation ?? method !== 'GET')) this.businessOperations++;
          return response;
        }
        if (isInProgress(response)) {
          inProgressSince ||= Date.now();
          if (Date.now() - inProgressSince > (this.options.inProgressDeadlineMs ?? IN_PROGRESS_DEADLINE_MS)) {
            throw new ApiError(method, path, 409, { code: STUCK_IDEMPOTENCY_KEY, detail: `Idempotency-Key ${options.idempotencyKey} stays in progress` });
          }
          failure = 'idempotency key in progress';
        } else if (isTransient(response)) failure = `HTTP ${response.status} ${describeBody(response.body)}`;
        else if (options.awaitDependency && Date.now() < dependencyDeadline && awaitsDependency(response, options.awaitDependency)) {
          await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
          continue;
        } else {
          throw new ApiError(method, path, response.status, response.body);
        }
      }
      if (Date.now() > transientDeadline) throw new ApiError(method, path, response?.status ?? 0, failure);
      this.retries++;
      this.options.onRetry?.({ method, path, attempt, reason: failure ?? 'unknown' });
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  private once<T>(method: string, path: string, options: RequestOptions): Promise<ApiResponse<T>> {
    const started = performance.now();
    const route = routeOf(method, path);
    this.requests++;
    return new Promise<ApiResponse<T>>((resolve, reject) => {
      let payload: string | undefined;
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
      if (options.body !== undefined) {
        payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] = options.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const req = http.request(
        { hostname: this.url.hostname, port: this.url.port || 80, method, path: `${this.url.pathname.replace(/\/$/, '')}${path}`, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: any = text;
            if (text && /json/.test(String(res.headers['content-type'] ?? ''))) {
              try {
                body = JSON.parse(text);
              } catch {
                // keep the text
              }
            }
            const status = res.statusCode ?? 0;
            this.record(route, performance.now() - started, status >= 400);
            resolve({ status, body, headers: res.headers });
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'TIMEOUT' })));
      req.on('error', (error) => {
        this.record(route, performance.now() - started, true);
        reject(error);
      });
      req.end(payload);
    });
  }

  private record(route: string, ms: number, error: boolean): void {
    let s = this.stats.get(route);
    if (!s) this.stats.set(route, (s = { route, count: 0, errors: 0, latenciesMs: [] }));
    s.count++;
    if (error) s.errors++;
    s.latenciesMs.push(ms);
  }

  /**
   * Every item of a list route (`items`), page after page (`pageSize` 500). The pages are offsets into a list that can move meanwhile (a
   * tranche becoming DUE while the préfecture reads the DUE ones): an item seen on two pages is kept once — taken
   * twice, it was ordered twice under one Idempotency-Key and counted twice (an answer replayed, one effect).
   */
  async all<T = any>(path: string, token: string): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<unknown>();
    const sep = path.includes('?') ? '&' : '?';
    for (let page = 1; ; page++) {
      const { body } = await this.get<{ items: T[]; total: number }>(`${path}${sep}page=${page}&pageSize=500`, { token });
      for (const item of body.items) {
        const id = (item as { id?: unknown }).id;
        if (id !== undefined) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        items.push(item);
      }
      if (body.items.length < 500) return items;
    }
  }

  /** `total` of a list route. */
  async total(path: string, token: string): Promise<number> {
    const sep = path.includes('?') ? '&' : '?';
    const { body } = await this.get<{ total: number }>(`${path}${sep}pageSize=1`, { token });
    return body.total;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Worth retrying as is: the platform (or one service) is momentarily unavailable. */
function isTransient(response: ApiResponse): boolean {
  return response.status === 502 || response.status === 503 || response.status === 504 || response.status === 429;
}

/** The same Idempotency-Key is still being processed (or its first request died with its process). */
function isInProgress(response: ApiResponse): boolean {
  if (response.status !== 409) return false;
  const detail = String((response.body as { detail?: string } | null)?.detail ?? '');
  return /Idempotency-Key is still being processed/i.test(detail);
}

function awaitsDependency(response: ApiResponse, wait: NonNullable<RequestOptions['awaitDependency']>): boolean {
  if (response.status === 404) return true;
  if (wait.statuses?.includes(response.status)) return true;
  if (response.status === 409 && wait.conflictCodes) {
    const code = new ApiError('', '', 409, response.body).code;
    return code !== undefined && wait.conflictCodes.includes(code);
  }
  return false;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
