import { catalogKey, EVENT_CATALOG, EVENT_SAMPLES, StructureRegisteredV1, TOPICS } from '@cnfs/contracts';
import { BatchContext, IncomingRecord } from '@cnfs/messaging';
import { ProblemException } from '@cnfs/service-kit';
import { AuditTrailConsumer, unrecognisedEnvelope } from './audit.consumer';
import { toFilter } from './audit.controller';
import { DEFAULT_AUDIT_CONSUMER, resolveAuditOptions } from './audit.options';
import { AuditRecorder } from './audit.recorder';

const record = (value: unknown, offset: string): IncomingRecord => ({
  topic: 't', partition: 0, offset, key: 'k', headers: {},
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});
const registered = EVENT_SAMPLES.find((s) => StructureRegisteredV1.is(s))!;
const future = { ...registered, messageId: '7d7f0c4e-9a8b-4f43-9d6b-3a1f0e0b6c11', type: 'structures.StructureMerged' };
const context: BatchContext = { heartbeat: async () => undefined, isActive: () => true };

describe('audit options', () => {
  it('records every platform topic under the audit.trail consumer by default', () => {
    expect(resolveAuditOptions()).toMatchObject({ topics: Object.values(TOPICS), consumerName: DEFAULT_AUDIT_CONSUMER });
    expect(resolveAuditOptions({ topics: ['a'], consumerName: 'x' })).toMatchObject({ topics: ['a'], consumerName: 'x' });
    expect(() => resolveAuditOptions({ topics: [] })).toThrow(/at least one topic/);
  });
});

describe('audit consumer', () => {
  const calls: string[] = [];
  const recorder = { record: async (_m: unknown, r: IncomingRecord, status: string) => void calls.push(`record ${r.offset} ${status}`) } as unknown as AuditRecorder;
  const dataSource = {
    transaction: async (work: (manager: unknown) => Promise<unknown>) => work({ query: async () => [{ message_id: 'claimed' }] }),
    query: async () => [],
  };
  const consumer = () => {
    calls.length = 0;
    const options = resolveAuditOptions({ topics: ['t'] });
    const instance = new AuditTrailConsumer(dataSource as never, {} as never, {} as never, { name: 'audit' } as never, options, recorder);
    return instance;
  };

  it('has one handler per event of the catalog, recording it as known', async () => {
    const handlers = consumer().handlers();
    expect(Object.keys(handlers).sort()).toEqual([...EVENT_CATALOG.keys()].sort());
    await handlers[catalogKey(registered.type, registered.version)](registered, { record: record(registered, '4'), manager: {} } as never);
    expect(calls).toEqual(['record 4 catalog']);
  });

  it('tells unknown-but-valid envelopes from known and invalid messages', () => {
    expect(unrecognisedEnvelope(record(registered, '0'))).toBeUndefined();
    expect(unrecognisedEnvelope(record(future, '0'))?.type).toBe('structures.StructureMerged');
    expect(unrecognisedEnvelope(record({ ...registered, version: 2 }, '0'))?.version).toBe(2);
    expect(unrecognisedEnvelope(record({ ...future, actor: undefined }, '0'))).toBeUndefined();
    expect(unrecognisedEnvelope(record('{"not json', '0'))).toBeUndefined();
    expect(unrecognisedEnvelope(record(null, '0'))).toBeUndefined();
  });

  it('keeps partition order: runs of known messages to the inbox, unknown ones recorded in between', async () => {
    const instance = consumer();
    const runs: string[][] = [];
    (instance as unknown as { inbox: unknown }).inbox = {
      handleBatch: async (records: IncomingRecord[]) => {
        runs.push(records.map((r) => r.offset));
        calls.push(`inbox ${records.map((r) => r.offset).join(',')}`);
        return records[records.length - 1].offset;
      },
    };
    const batch = [record(registered, '1'), record('garbage', '2'), record(future, '3'), record(registered, '4')];
    expect(await instance.handleBatch(batch, context)).toBe('4');
    expect(calls).toEqual(['inbox 1,2', 'record 3 unrecognised', 'inbox 4']);
    expect(instance.stats.unrecognised).toBe(1);
  });

  it('stops at the last message the inbox made durable', async () => {
    const instance = consumer();
    (instance as unknown as { inbox: unknown }).inbox = { handleBatch: async () => '1' };
    expect(await instance.handleBatch([record(registered, '1'), record(registered, '2'), record(future, '3')], context)).toBe('1');
    expect(calls).toEqual([]);
  });
});

describe('query dates', () => {
  it('reads a date-only `to` as the whole day and a date-time `to` as inclusive', () => {
    expect(toFilter({ from: '2021-02-01', to: '2021-02-15' })).toMatchObject({
      from: new Date('2021-02-01T00:00:00Z'), toExclusive: new Date('2021-02-16T00:00:00Z'),
    });
    expect(toFilter({ to: '2021-02-15T14:30:00+01:00' }).toExclusive).toEqual(new Date('2021-02-15T13:30:00.001Z'));
  });

  it('refuses impossible dates and reversed periods, naming the field', () => {
    const fields = (query: object) => {
      try {
        toFilter(query);
        return [];
      } catch (error) {
        return ((error as ProblemException).getResponse() as { errors: { field: string }[] }).errors.map((e) => e.field);
      }
    };
    expect(fields({ from: '2021-02-30' })).toEqual(['from']);
    expect(fields({ from: '2021-03-01', to: '2021-02-28' })).toEqual(['to']);
    expect(fields({ from: '2021-03-01', to: '2021-03-01' })).toEqual([]);
  });
});
