import { matchRoute, parseTarget, resolveUpstreams, ROUTES, upstreamEnvVar } from './routes';

describe('gateway route table', () => {
  const upstreams = resolveUpstreams({}, [
    { name: 'structures', prefixes: ['/api/v1/structures'], defaultUrl: 'http://127.0.0.1:3101' },
    { name: 'conventions', prefixes: ['/api/v1/conventions', '/api/v1/conventions/'], defaultUrl: 'http://127.0.0.1:3102' },
    { name: 'amendments', prefixes: ['/api/v1/conventions/amendments'], defaultUrl: 'http://127.0.0.1:3103' },
  ]);
  const match = (path: string) => matchRoute(path, upstreams)?.name;

  it('matches a prefix exactly and on whole segments below it', () => {
    expect(match('/api/v1/structures')).toBe('structures');
    expect(match('/api/v1/structures/')).toBe('structures');
    expect(match('/api/v1/structures/42/coselec')).toBe('structures');
  });

  it('does not match a longer segment nor a parent path', () => {
    expect(match('/api/v1/structuresX')).toBeUndefined();
    expect(match('/api/v1/structures-archive/1')).toBeUndefined();
    expect(match('/api/v1')).toBeUndefined();
    expect(match('/')).toBeUndefined();
    expect(match('/health')).toBeUndefined();
  });

  it('prefers the longest matching prefix', () => {
    expect(match('/api/v1/conventions/12')).toBe('conventions');
    expect(match('/api/v1/conventions/amendments')).toBe('amendments');
    expect(match('/api/v1/conventions/amendments/3')).toBe('amendments');
  });

  it('matches a one-segment wildcard, exact segments winning at equal length', () => {
    const platform = resolveUpstreams({});
    const on = (path: string) => matchRoute(path, platform)?.name;
    expect(on('/api/v1/contracts/k-1')).toBe('conventions');
    expect(on('/api/v1/contracts/k-1/ruptures')).toBe('conventions');
    expect(on('/api/v1/contracts/k-1/lifecycle')).toBe('lifecycle');
    expect(on('/api/v1/contracts')).toBe('conventions');
    expect(on('/api/v1/docs/subsidies/openapi.json')).toBe('subsidies');
  });

  it('normalises a trailing slash in the table', () => {
    expect(upstreams[1].prefixes).toEqual(['/api/v1/conventions', '/api/v1/conventions']);
  });

  it('is case-sensitive like the services behind it', () => {
    expect(match('/API/v1/structures')).toBeUndefined();
  });

  it('reads upstream URLs from UPSTREAM_<NAME>, else the default', () => {
    expect(upstreamEnvVar('contract-lifecycle')).toBe('UPSTREAM_CONTRACT_LIFECYCLE');
    const [structures] = resolveUpstreams({ UPSTREAM_STRUCTURES: 'http://10.0.0.5:8080' });
    expect(structures.url.toString()).toBe('http://10.0.0.5:8080/');
    const [byDefault] = resolveUpstreams({});
    expect(byDefault.url.toString()).toBe(`${ROUTES[0].defaultUrl}/`);
  });

  it('rejects an upstream that is not an http URL', () => {
    expect(() => resolveUpstreams({ UPSTREAM_STRUCTURES: 'not a url' })).toThrow(/UPSTREAM_STRUCTURES/);
    expect(() => resolveUpstreams({ UPSTREAM_STRUCTURES: 'https://x' })).toThrow(/http/);
  });

  it('lists the structures service in the real table', () => {
    expect(matchRoute('/api/v1/structures/1', resolveUpstreams({}))?.name).toBe('structures');
  });

  describe('parseTarget', () => {
    it('splits path and query', () => {
      expect(parseTarget('/api/v1/structures?page=2&q=a%20b')).toEqual({ path: '/api/v1/structures', search: '?page=2&q=a%20b' });
    });

    it('resolves dot segments before matching, so a prefix cannot be escaped', () => {
      const target = parseTarget('/api/v1/structures/../conventions/1');
      expect(target?.path).toBe('/api/v1/conventions/1');
      expect(match(target!.path)).toBe('conventions');
      expect(parseTarget('/api/v1/structures/%2e%2e/conventions')?.path).toBe('/api/v1/conventions');
    });

    it('refuses absolute-form and scheme-relative targets', () => {
      expect(parseTarget('http://evil.example/api/v1/structures')).toBeUndefined();
      expect(parseTarget('//evil.example/x')).toBeUndefined();
      expect(parseTarget('*')).toBeUndefined();
      expect(parseTarget(undefined)).toBeUndefined();
    });
  });
});
