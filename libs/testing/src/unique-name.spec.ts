import { uniqueName } from './index';

describe('uniqueName', () => {
  it('gives distinct names valid as schema, topic and group names', () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueName('Outbox-Test.1')));
    expect(names.size).toBe(200);
    for (const name of names) {
      expect(name).toMatch(/^outbox_test_1_[a-z0-9]+_[0-9a-f]{8}$/);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('starts with a letter or underscore whatever the prefix', () => {
    expect(uniqueName('42')).toMatch(/^_42_/);
    expect(uniqueName('')).toMatch(/^test_/);
  });
});
