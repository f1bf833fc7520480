import { parseSimulationArgs, UsageError } from './args';

describe('npm run simulate arguments', () => {
  it('has defaults for the full programme', () => {
    expect(parseSimulationArgs([])).toMatchObject({ structures: 2500, seed: 1, baseUrl: 'http://localhost:3000', until: '2024-12', report: true });
  });

  it('reads the options, with = or a space', () => {
    expect(parseSimulationArgs(['--structures', '40', '--seed=9', '--base-url', 'http://127.0.0.1:4000/', '--until', '2023-06', '--no-report'])).toMatchObject({
      structures: 40,
      seed: 9,
      baseUrl: 'http://127.0.0.1:4000',
      until: '2023-06',
      report: false,
    });
    expect(parseSimulationArgs(['--metrics', 'structures=http://127.0.0.1:3101/metrics'])?.metrics).toEqual({ structures: 'http://127.0.0.1:3101/metrics' });
    expect(parseSimulationArgs(['--help'])).toBeUndefined();
  });

  it.each([
    [['--structures', '0']],
    [['--structures', 'many']],
    [['--seed']],
    [['--base-url', 'ftp://x']],
    [['--until', '2026-01']],
    [['--frobnicate', '1']],
    [['stray']],
  ])('refuses %j', (argv) => {
    expect(() => parseSimulationArgs(argv)).toThrow(UsageError);
  });
});
