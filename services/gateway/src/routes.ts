/**
 * The gateway's route table: the one place that lists the services behind http://localhost:3000.
 * Adding a service = one entry here (and one in deploy/src/launcher/services.ts so the launcher runs it).
 */
export interface RouteDefinition {
  /** Service name; its upstream URL is read from `UPSTREAM_<NAME>` (upper case, `-` → `_`). */
  name: string;
  /** Path prefixes served by the service, matched on whole segments (`/api/v1/structures` matches `/api/v1/structures/42`). */
  prefixes: string[];
  /** Upstream when `UPSTREAM_<NAME>` is not set: the port the launcher gives the service. */
  defaultUrl: string;
}

export const ROUTES: readonly RouteDefinition[] = [
  { name: 'structures', prefixes: ['/api/v1/structures', '/api/v1/docs/structures'], defaultUrl: 'http://127.0.0.1:3101' },
  {
    name: 'conventions',
    prefixes: ['/api/v1/conventions', '/api/v1/amendments', '/api/v1/posts', '/api/v1/contracts', '/api/v1/docs/conventions'],
    defaultUrl: 'http://127.0.0.1:3102',
  },
  {
    name: 'subsidies',
    prefixes: [
      '/api/v1/subsidy-rules', '/api/v1/budget-envelopes', '/api/v1/commitments', '/api/v1/tranches', '/api/v1/payment-orders',
      '/api/v1/ledger', '/api/v1/reconciliations', '/api/v1/programme-costs', '/api/v1/docs/subsidies',
    ],
    defaultUrl: 'http://127.0.0.1:3103',
  },
  { name: 'training', prefixes: ['/api/v1/training', '/api/v1/certifications', '/api/v1/docs/training'], defaultUrl: 'http://127.0.0.1:3104' },
  {
    name: 'lifecycle',
    prefixes: ['/api/v1/contracts/*/lifecycle', '/api/v1/lifecycle', '/api/v1/renewals', '/api/v1/docs/lifecycle'],
    defaultUrl: 'http://127.0.0.1:3105',
  },
  { name: 'audit', prefixes: ['/api/v1/audit', '/api/v1/docs/audit'], defaultUrl: 'http://127.0.0.1:3106' },
];

export interface Upstream {
  name: string;
  prefixes: string[];
  url: URL;
}

export const upstreamEnvVar = (name: string): string => `UPSTREAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** The route table with each upstream URL resolved from the environment. */
export function resolveUpstreams(env: NodeJS.ProcessEnv = process.env, routes: readonly RouteDefinition[] = ROUTES): Upstream[] {
  return routes.map((route) => {
    const raw = env[upstreamEnvVar(route.name)] || route.defaultUrl;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`${upstreamEnvVar(route.name)}="${raw}" is not a URL (expected e.g. http://127.0.0.1:3101)`);
    }
    if (url.protocol !== 'http:') throw new Error(`${upstreamEnvVar(route.name)}: only http:// upstreams are supported, got ${raw}`);
    return { name: route.name, prefixes: route.prefixes.map(normalizePrefix), url };
  });
}

function normalizePrefix(prefix: string): string {
  const p = prefix.startsWith('/') ? prefix : `/${prefix}`;
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/**
 * The upstream serving `path` (no query string), or undefined. Prefixes match whole segments only
 * (`/api/v1/structures` does not match `/api/v1/structuresX`); a `*` segment matches any one segment
 * (e.g. contracts, then any id, then lifecycle); the prefix with the most segments wins.
 */
export function matchRoute<T extends { prefixes: string[] }>(path: string, upstreams: readonly T[]): T | undefined {
  const segments = path.split('/').filter(Boolean);
  let best: T | undefined;
  let bestLength = -1;
  for (const upstream of upstreams) {
    for (const prefix of upstream.prefixes) {
      const wanted = prefix.split('/').filter(Boolean);
      const matches = wanted.length <= segments.length && wanted.every((segment, i) => segment === '*' || segment === segments[i]);
      // Exact segments beat a wildcard at equal length.
      const length = wanted.length * 2 - wanted.filter((s) => s === '*').length;
      if (matches && length > bestLength) {
        best = upstream;
        bestLength = length;
      }
    }
  }
  return best;
}

/**
 * Splits a request target into a normalised path (dot segments resolved, so `/api/v1/structures/../x`
 * cannot reach another service's prefix through the match) and the raw query string (with its `?`).
 * Returns undefined for targets that are not origin-form paths.
 */
export function parseTarget(target: string | undefined): { path: string; search: string } | undefined {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    const url = new URL(target, 'http://gateway.invalid');
    return { path: url.pathname, search: url.search };
  } catch {
    return undefined;
  }
}
