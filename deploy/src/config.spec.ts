import { execFileSync } from 'node:child_process';
import { SERVICE_NODE_OPTIONS, serviceNodeOptions } from './config';

describe('the Node flags of service processes', () => {
  const heapLimitMiB = (nodeOptions: string) =>
    Number(execFileSync(process.execPath, ['-e', "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit / 1048576))"], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions },
    }).toString());

  it('cap the old space at 256 MiB, and let the caller’s own NODE_OPTIONS win', () => {
    expect(serviceNodeOptions(undefined)).toBe(SERVICE_NODE_OPTIONS);
    expect(serviceNodeOptions('--max-old-space-size=1024')).toBe(`${SERVICE_NODE_OPTIONS} --max-old-space-size=1024`);
    // what a service process really gets (old space + young generation)
    const capped = heapLimitMiB(serviceNodeOptions(undefined));
    expect(capped).toBeGreaterThanOrEqual(256);
    expect(capped).toBeLessThan(400);
    expect(heapLimitMiB(serviceNodeOptions('--max-old-space-size=1024'))).toBeGreaterThan(1024);
  });
});
