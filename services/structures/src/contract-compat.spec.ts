import { VOCABULARY_PAIRS } from './contract-compat';

describe('domain and contract vocabularies', () => {
  it.each(VOCABULARY_PAIRS.map(([name, c, d]) => [name, c, d]))('%s are the same list', (_name, fromContracts, fromDomain) => {
    expect([...fromDomain]).toEqual([...fromContracts]);
  });
});
