import { ContractEndDueV1, EventEnvelope, RenewalFinancedV1, TOPICS } from '@cnfs/contracts';
import { headersFor } from '@cnfs/messaging';
import { randomUUID } from 'node:crypto';
import { contractBody, eventually, givenStructure, givenValidatedConvention, Harness, startConventions } from './testing/harness';

/**
 * The lifecycle saga's requests (its topic), consumed by this service: a financed renewal is recorded at once, in
 * the inbox's transaction (once, whatever the redeliveries); a renewal the rules refuse is left for the natural end;
 * an announced end ends an active contract past its end date and nothing else.
 */
describe('conventions: the lifecycle saga’s requests (PostgreSQL + Kafka)', () => {
  let h: Harness;
  const asAnct = () => ({ Authorization: `Bearer ${h.anct}` });
  const saga = { actor: { kind: 'system' as const, job: 'lifecycle-saga' } };

  beforeAll(async () => {
    h = await startConventions('2021-06-01T10:00:00Z');
  });

  afterAll(async () => {
    await h?.close();
  });

  async function send(...envelopes: EventEnvelope[]): Promise<void> {
    await h.publisher.publish(envelopes.map((e) => ({ topic: TOPICS.lifecycle, key: e.aggregateId, value: JSON.stringify(e), headers: headersFor(e) })));
  }
  const consumed = (...ids: string[]) =>
    eventually(async () => (await h.dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE message_id = ANY($1::uuid[])`, [ids]))[0].n === ids.length, 60_000);
  const contract = async (id: string) => (await h.http().get(`/api/v1/contracts/${id}`).set(asAnct()).expect(200)).body;

  function financed(k: { id: string; structureId: string; conventionId: string; postId: string }, renewal: Record<string, unknown>) {
    return RenewalFinancedV1.create(k.id, {
      contractId: k.id, structureId: k.structureId, departmentCode: '59', conventionId: k.conventionId, postId: k.postId, endDate: '2022-09-30',
      renewal: { contractType: 'CDI', startDate: '2022-10-01', endDate: null, grossMonthlySalaryCents: 185_000, ...renewal } as never,
      requestId: `renewal-${k.id}`, commitmentId: randomUUID(), amountCents: 4_400_000, recordContract: true,
    }, { ...saga, occurredAt: h.clock.now() });
  }

  it('records a financed renewal at once, on the same post, once even when the request is delivered twice', async () => {
    const structure = await givenStructure(h, { grantedPosts: 1, legalStatus: 'PRIVATE' });
    await givenValidatedConvention(h, structure);
    const cdd = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId)).expect(201)).body;
    h.clock.set(new Date('2022-09-01T10:00:00Z'));
    const first = financed(cdd, {});
    const again = financed(cdd, {}); // another message id: a second answer of the saga would look like this
    await send(first, first, again);
    await consumed(first.messageId, again.messageId);
    expect(await contract(cdd.id)).toMatchObject({ status: 'RENOUVELE', endedOn: '2022-09-30' });
    const renewals = await h.dataSource.query(`SELECT id, type, start_date, end_date, post_id, created_by FROM contracts WHERE renews_contract_id = $1`, [cdd.id]);
    expect(renewals).toEqual([{ id: expect.any(String), type: 'CDI', start_date: '2022-10-01', end_date: null, post_id: cdd.postId, created_by: 'system:conventions.lifecycle-requests' }]);
    const [signed] = await h.dataSource.query(`SELECT envelope FROM outbox WHERE message_key = $1 AND event_type = 'conventions.ContractSigned'`, [renewals[0].id]);
    // caused by the saga's message, in its correlation
    expect(JSON.parse(signed.envelope)).toMatchObject({ causationId: first.messageId, correlationId: first.correlationId, actor: { kind: 'system', job: 'conventions.lifecycle-requests' } });
  });

  it('leaves a renewal the rules refuse unrecorded (the message is done, nothing written), and ends an active contract when its end is announced', async () => {
    h.clock.set(new Date('2022-09-15T10:00:00Z'));
    const structure = await givenStructure(h, { grantedPosts: 1, legalStatus: 'PRIVATE' });
    await givenValidatedConvention(h, structure);
    const cdd = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId, { startDate: '2022-04-01', endDate: '2022-09-30' })).expect(201)).body;
    // a salary below the minimum wage: refused by the contract rules
    const refused = financed(cdd, { grossMonthlySalaryCents: 90_000 });
    await send(refused);
    await consumed(refused.messageId);
    expect(await contract(cdd.id)).toMatchObject({ status: 'ACTIF' });
    expect((await h.dataSource.query(`SELECT count(*)::int AS n FROM contracts WHERE renews_contract_id = $1`, [cdd.id]))[0].n).toBe(0);

    const endDue = (id: string) => ContractEndDueV1.create(id, { contractId: id, structureId: structure.structureId, departmentCode: '59', endDate: '2022-09-30' }, { ...saga, occurredAt: h.clock.now() });
    // announced too early (not past its end where the structure is): nothing
    const early = endDue(cdd.id);
    await send(early);
    await consumed(early.messageId);
    expect(await contract(cdd.id)).toMatchObject({ status: 'ACTIF' });
    h.clock.set(new Date('2022-10-01T00:00:00Z'));
    const due = endDue(cdd.id);
    // unknown contracts (another context's history, not even a uuid) are ignored
    const unknown = endDue(randomUUID());
    const foreign = endDue('k-1');
    await send(unknown, foreign, due, due);
    await consumed(unknown.messageId, foreign.messageId, due.messageId);
    expect(await contract(cdd.id)).toMatchObject({ status: 'TERMINE', endedOn: '2022-09-30' });
    const [ended] = await h.dataSource.query(`SELECT envelope FROM outbox WHERE message_key = $1 AND event_type = 'conventions.ContractEnded'`, [cdd.id]);
    expect(JSON.parse(ended.envelope)).toMatchObject({ causationId: due.messageId, reason: 'fin de contrat' });
    expect((await h.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1 AND event_type = 'conventions.ContractEnded'`, [cdd.id]))[0].n).toBe(1);
    // nothing went to the dead-letter path
    expect((await h.dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE message_id = ANY($1::uuid[])`, [[refused.messageId, early.messageId, due.messageId]]))[0].n).toBe(3);
  });
});
