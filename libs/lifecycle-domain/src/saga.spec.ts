import fc from 'fast-check';
import { ContractFacts, decide, Decision, LifecycleMessage, LifecycleOutput, LifecycleState, renewalTermsProblem } from './saga';

const at = (iso: string) => new Date(`${iso}T09:00:00.000Z`);
const cdd: ContractFacts = {
  contractId: 'k-1', structureId: 's-1', conventionId: 'c-1', postId: 'p-1', conseillerId: 'cn-1', departmentCode: '59',
  legalStatus: 'PRIVATE', qpv: false, zrr: false, conventionKnown: true, contractType: 'CDD', startDate: '2021-04-01', followUntil: '2022-09-30',
};
const signed: LifecycleMessage = { kind: 'ContractSigned', at: at('2021-03-25'), facts: cdd };
const cdiTerms = { contractType: 'CDI' as const, startDate: '2022-10-01', endDate: null, grossMonthlySalaryCents: 185_000 };
const renewAsCdi: LifecycleMessage = { kind: 'RenewalIntentDeclared', at: at('2022-04-10'), intent: 'RENEW', terms: cdiTerms };
const favorable: LifecycleMessage = { kind: 'PrefectOpinionGiven', at: at('2022-05-02'), opinion: 'favorable' };
const approved: LifecycleMessage = { kind: 'RenewalDecided', at: at('2022-06-01'), approved: true, reason: 'COSELEC 40' };
const committed: LifecycleMessage = { kind: 'FinancingCommitted', at: at('2022-06-02'), commitmentId: 'm-9', amountCents: 4_400_000 };

/** given: the messages already handled; returns the state they lead to. */
function given(...messages: LifecycleMessage[]): LifecycleState {
  let state: LifecycleState | null = null;
  for (const message of messages) {
    const decision = decide(state, message);
    if (decision.refused) throw new Error(`given-step refused: ${decision.refused}`);
    state = decision.state;
  }
  return state!;
}
const when = (state: LifecycleState | null, message: LifecycleMessage): Decision => decide(state, message);

describe('contract lifecycle saga', () => {
  describe('start', () => {
    it('given nothing, when a CDD is signed, then it is ACTIVE with reminders at 6, 3 and 1 months, a decision deadline and the end', () => {
      const then = when(null, signed);
      expect(then.state!.status).toBe('ACTIVE');
      expect(then.schedule.map((d) => [d.kind, d.dueAt.toISOString().slice(0, 10)])).toEqual([
        ['REMINDER_6M', '2022-03-30'],
        ['REMINDER_3M', '2022-06-30'],
        ['REMINDER_1M', '2022-08-30'],
        ['DECISION_DUE', '2022-09-15'],
        ['END_DATE', '2022-10-01'],
      ]);
    });

    it('given a started saga, when the same contract is signed again, then nothing happens', () => {
      const then = when(given(signed), signed);
      expect(then).toEqual({ state: given(signed), outputs: [], schedule: [], cancel: [] });
    });

    it('given nothing, when a contract of 4 months is signed, then no reminder already past is scheduled', () => {
      const short = { ...signed, facts: { ...cdd, startDate: '2022-06-01', followUntil: '2022-09-30' }, at: at('2022-05-20') } as LifecycleMessage;
      expect(when(null, short).schedule.map((d) => d.kind)).toEqual(['REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE']);
    });

    it('given nothing, when a CDI with no financing end known is signed, then it is followed without deadlines', () => {
      const then = when(null, { ...signed, facts: { ...cdd, contractType: 'CDI', followUntil: null } } as LifecycleMessage);
      expect(then.state!.status).toBe('ACTIVE');
      expect(then.schedule).toEqual([]);
    });

    it('given nothing, when any other message arrives, then it is refused as unknown', () => {
      expect(when(null, favorable).refused).toMatch(/unknown contract/);
    });
  });

  describe('reminders', () => {
    it('given an ACTIVE saga, when the 6-month reminder fires, then the expiry is approaching and announced once', () => {
      const reminder: LifecycleMessage = { kind: 'DeadlineFired', at: at('2022-03-30'), deadline: 'REMINDER_6M' };
      const then = when(given(signed), reminder);
      expect(then.state!.status).toBe('EXPIRY_APPROACHING');
      expect(then.outputs).toEqual([{ kind: 'ExpiryApproaching', monthsBeforeEnd: 6, endDate: '2022-09-30' }]);
      expect(when(then.state, reminder).outputs).toEqual([]);
    });

    it('given a service down past the 3-month date, when the 6- and 3-month reminders fire together, then only the 3-month one is sent', () => {
      const late = at('2022-07-02');
      const six = when(given(signed), { kind: 'DeadlineFired', at: late, deadline: 'REMINDER_6M' });
      expect(six.outputs).toEqual([]);
      const three = when(six.state, { kind: 'DeadlineFired', at: late, deadline: 'REMINDER_3M' });
      expect(three.outputs).toEqual([{ kind: 'ExpiryApproaching', monthsBeforeEnd: 3, endDate: '2022-09-30' }]);
      // and after the end date, a reminder is pointless
      expect(when(given(signed), { kind: 'DeadlineFired', at: at('2022-10-02'), deadline: 'REMINDER_1M' }).outputs).toEqual([]);
    });

    it('given the 3-month reminder sent, when the 6-month one fires late, then it stays silent', () => {
      const state = given(signed, { kind: 'DeadlineFired', at: at('2022-06-30'), deadline: 'REMINDER_3M' });
      expect(when(state, { kind: 'DeadlineFired', at: at('2022-06-30'), deadline: 'REMINDER_6M' }).outputs).toEqual([]);
    });
  });

  describe('renewal request', () => {
    it('given a private-law CDD of 18 months, when the structure asks to renew it as a CDD, then it is refused with the reason', () => {
      const asCdd: LifecycleMessage = { ...renewAsCdi, terms: { ...cdiTerms, contractType: 'CDD', endDate: '2023-09-30' } } as LifecycleMessage;
      const then = when(given(signed), asCdd);
      expect(then.refused).toMatch(/private-law CDD cannot be extended beyond 18 months.*CDI/);
      expect(then.state).toEqual(given(signed));
    });

    it('given a public-law CDD, when it is renewed as a CDD, then the request is accepted', () => {
      const publicSigned = { ...signed, facts: { ...cdd, legalStatus: 'PUBLIC' } } as LifecycleMessage;
      const asCdd = { ...renewAsCdi, terms: { ...cdiTerms, contractType: 'CDD', endDate: '2023-09-30' } } as LifecycleMessage;
      expect(when(given(publicSigned), asCdd).state!.status).toBe('RENEWAL_REQUESTED');
    });

    it('refuses terms that do not follow the current contract, or a CDI with an end date', () => {
      expect(renewalTermsProblem(cdd, { ...cdiTerms, startDate: '2022-11-01' })).toMatch(/start the day after/);
      expect(renewalTermsProblem(cdd, { ...cdiTerms, endDate: '2025-01-01' })).toMatch(/no end date/);
    });

    it('given an ACTIVE saga, when the structure renews as a CDI, then the renewal is requested', () => {
      const then = when(given(signed), renewAsCdi);
      expect(then.state!.status).toBe('RENEWAL_REQUESTED');
      expect(then.outputs).toEqual([{ kind: 'RenewalRequested', terms: cdiTerms }]);
    });

    it('given an ACTIVE saga, when the structure is not interested, then it is not renewed and goes to its end', () => {
      const then = when(given(signed), { kind: 'RenewalIntentDeclared', at: at('2022-04-10'), intent: 'NOT_INTERESTED', reason: 'budget communal' });
      expect(then.state!.status).toBe('NOT_RENEWED');
      expect(then.outputs[0]).toMatchObject({ kind: 'RenewalRejected', stage: 'STRUCTURE' });
    });
  });

  describe('decision and financing', () => {
    it("given a request without the préfet's opinion, when ANCT decides, then the decision is refused", () => {
      expect(when(given(signed, renewAsCdi), approved).refused).toMatch(/préfet's opinion/);
    });

    it('given a request with an opinion, when ANCT approves, then financing is requested and the decision deadline cancelled', () => {
      const then = when(given(signed, renewAsCdi, favorable), approved);
      expect(then.state!.status).toBe('RENEWAL_APPROVED');
      expect(then.outputs).toEqual([{ kind: 'RequestRenewalFinancing', terms: cdiTerms, requestId: 'renewal-k-1' }]);
      expect(then.cancel).toEqual(['DECISION_DUE']);
    });

    it('given an approved renewal, when the subsidy is committed (twice), then it is financed once', () => {
      const then = when(given(signed, renewAsCdi, favorable, approved), committed);
      expect(then.state!.status).toBe('RENEWAL_FINANCED');
      expect(then.outputs).toEqual([expect.objectContaining({ kind: 'RenewalFinanced', commitmentId: 'm-9', amountCents: 4_400_000 })]);
      expect(when(then.state, committed).outputs).toEqual([]);
    });

    it('given a financed renewal, when the renewed contract is recorded, then the saga is RENEWED and every deadline cancelled', () => {
      const then = when(given(signed, renewAsCdi, favorable, approved, committed), { kind: 'ContractRenewed', at: at('2022-06-10'), newContractId: 'k-2' });
      expect(then.state!.status).toBe('RENEWED');
      expect(then.cancel).toEqual(['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE']);
    });

    it('given an approved renewal, when the commitment is refused (envelope exhausted), then the renewal is rejected and the contract goes to its natural end', () => {
      const refusedMsg: LifecycleMessage = { kind: 'FinancingRefused', at: at('2022-06-02'), reason: 'envelope reconventionnement-2023 exhausted' };
      const notRenewed = when(given(signed, renewAsCdi, favorable, approved), refusedMsg);
      expect(notRenewed.state!.status).toBe('NOT_RENEWED');
      expect(notRenewed.outputs).toEqual([{ kind: 'RenewalRejected', stage: 'FINANCING', reason: expect.stringContaining('exhausted') }]);
      expect(notRenewed.cancel).not.toContain('END_DATE');
      const end = when(notRenewed.state, { kind: 'DeadlineFired', at: at('2022-10-01'), deadline: 'END_DATE' });
      expect(end.outputs).toEqual([{ kind: 'ContractEndDue', endDate: '2022-09-30' }]);
      expect(when(end.state, { kind: 'ContractEnded', at: at('2022-10-01') }).state!.status).toBe('ENDED');
    });
  });

  describe('compensations', () => {
    it('given an approved renewal, when the contract is ruptured, then the pending financing is cancelled', () => {
      const then = when(given(signed, renewAsCdi, favorable, approved), { kind: 'ContractRuptured', at: at('2022-06-05'), reason: 'DEMISSION', date: '2022-06-04' });
      expect(then.state!.status).toBe('RUPTURED');
      expect(then.outputs).toEqual([{ kind: 'CancelRenewalFinancing', reason: expect.stringContaining('ruptured'), requestId: 'renewal-k-1', commitmentId: null }]);
    });

    it('given a ruptured saga, when a commitment arrives late (twice), then it is released once', () => {
      const ruptured = given(signed, renewAsCdi, favorable, approved, { kind: 'ContractRuptured', at: at('2022-06-05'), reason: 'DEMISSION', date: '2022-06-04' });
      const late = when(ruptured, committed);
      expect(late.outputs).toEqual([{ kind: 'CancelRenewalFinancing', reason: expect.stringContaining('ruptured'), requestId: 'renewal-k-1', commitmentId: 'm-9' }]);
      expect(when(late.state, committed).outputs).toEqual([]);
    });

    it('given an approved renewal not yet financed, when the end date is reached, then the renewal is rejected, the financing cancelled and the end due', () => {
      const then = when(given(signed, renewAsCdi, favorable, approved), { kind: 'DeadlineFired', at: at('2022-10-01'), deadline: 'END_DATE' });
      expect(then.state!.status).toBe('NOT_RENEWED');
      expect(then.outputs.map((o) => o.kind)).toEqual(['RenewalRejected', 'CancelRenewalFinancing', 'ContractEndDue']);
    });

    it('given a request with no decision, when the decision deadline passes, then it is not renewed', () => {
      const then = when(given(signed, renewAsCdi, favorable), { kind: 'DeadlineFired', at: at('2022-09-15'), deadline: 'DECISION_DUE' });
      expect(then.state!.status).toBe('NOT_RENEWED');
      expect(then.outputs[0]).toMatchObject({ kind: 'RenewalRejected', stage: 'DEADLINE' });
    });

    it('given a financed renewal, when the end date is reached first, then the end is announced once (a contract already renewed is left alone by the conventions service)', () => {
      const financed = given(signed, renewAsCdi, favorable, approved, committed);
      const end: LifecycleMessage = { kind: 'DeadlineFired', at: at('2022-10-01'), deadline: 'END_DATE' };
      const then = when(financed, end);
      expect(then.state!.status).toBe('RENEWAL_FINANCED');
      expect(then.outputs).toEqual([{ kind: 'ContractEndDue', endDate: '2022-09-30' }]);
      expect(when(then.state, end).outputs).toEqual([]);
      // the renewed contract was recorded after all: renewed
      expect(when(then.state, { kind: 'ContractRenewed', at: at('2022-10-01'), newContractId: 'k-2' }).state!.status).toBe('RENEWED');
    });

    it('given a financed renewal, when the old contract ends without being renewed, then the renewal is rejected and its commitment released', () => {
      const financed = given(signed, renewAsCdi, favorable, approved, committed);
      const then = when(financed, { kind: 'ContractEnded', at: at('2022-10-01') });
      expect(then.state!.status).toBe('ENDED');
      expect(then.outputs).toEqual([
        { kind: 'RenewalRejected', stage: 'CONTRACT_END', reason: 'the contract ended before its renewal could be recorded' },
        { kind: 'CancelRenewalFinancing', reason: expect.stringContaining('ended'), requestId: 'renewal-k-1', commitmentId: 'm-9' },
      ]);
      expect(then.state!.renewal!.releaseRequested).toBe(true);
    });
  });

  describe('out of order and duplicates', () => {
    it('given an ACTIVE saga, when a commitment or an opinion arrives out of order, then nothing happens', () => {
      const state = given(signed);
      expect(when(state, committed)).toEqual({ state, outputs: [], schedule: [], cancel: [] });
      expect(when(state, favorable)).toEqual({ state, outputs: [], schedule: [], cancel: [] });
      expect(when(state, { kind: 'FinancingRefused', at: at('2022-06-02'), reason: 'x' })).toEqual({ state, outputs: [], schedule: [], cancel: [] });
    });

    it('given an ACTIVE saga, when the contract is renewed outside the saga (recorded directly), then the saga follows the fact: RENEWED, no deadline left', () => {
      const then = when(given(signed), { kind: 'ContractRenewed', at: at('2022-06-10'), newContractId: 'k-2' });
      expect(then.state!.status).toBe('RENEWED');
      expect(then.state!.outcome).toMatch(/outside the renewal financing/);
      expect(then.outputs).toEqual([]);
      expect(then.cancel).toEqual(['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE']);
    });

    const messages: LifecycleMessage[] = [
      renewAsCdi, favorable, approved, committed,
      { kind: 'RenewalIntentDeclared', at: at('2022-04-10'), intent: 'NOT_INTERESTED', reason: 'non' },
      { kind: 'RenewalDecided', at: at('2022-06-01'), approved: false, reason: 'non prioritaire' },
      { kind: 'FinancingRefused', at: at('2022-06-02'), reason: 'envelope exhausted' },
      { kind: 'FinancingCommitted', at: at('2022-06-03'), commitmentId: 'm-10', amountCents: 4_400_000 },
      { kind: 'ContractRenewed', at: at('2022-06-10'), newContractId: 'k-2' },
      { kind: 'ContractRuptured', at: at('2022-06-05'), reason: 'DEMISSION', date: '2022-06-04' },
      { kind: 'ContractEnded', at: at('2022-10-01') },
      { kind: 'ConventionKnown', at: at('2021-03-26'), financedUntil: '2023-02-28', qpv: true, zrr: false },
      ...(['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE'] as const).map((deadline) => ({ kind: 'DeadlineFired' as const, at: at('2022-09-01'), deadline })),
    ];
    const starts: LifecycleMessage[] = [
      signed,
      { ...signed, facts: { ...cdd, legalStatus: 'PUBLIC' } } as LifecycleMessage,
      // a CDI whose convention is not known yet: followed from its ConventionKnown
      { ...signed, facts: { ...cdd, contractType: 'CDI', followUntil: null, conventionKnown: false } } as LifecycleMessage,
      { ...signed, facts: { ...cdd, contractType: 'CDI', followUntil: '2022-09-30' } } as LifecycleMessage,
    ];

    it('for any sequence of messages: nothing twice, final states stay final, financing requested and announced at most once, nothing committed left behind', () => {
      fc.assert(
        fc.property(fc.constantFrom(...starts), fc.array(fc.constantFrom(...messages), { maxLength: 25 }), (start, sequence) => {
          let state: LifecycleState | null = decide(null, start).state;
          const outputs: LifecycleOutput[] = [];
          for (const message of sequence) {
            const first = decide(state, message);
            const next = first.refused ? state : first.state;
            if (first.refused) expect(first.outputs).toEqual([]);
            // the same message again (a redelivery) has no effect at all
            const second = decide(next, message);
            expect(second.outputs).toEqual([]);
            expect(second.schedule).toEqual([]);
            outputs.push(...first.outputs);
            if (state && ['RENEWED', 'ENDED', 'RUPTURED'].includes(state.status)) expect(next!.status).toBe(state.status);
            state = next;
          }
          const count = (kind: LifecycleOutput['kind']) => outputs.filter((o) => o.kind === kind).length;
          expect(count('RenewalFinanced')).toBeLessThanOrEqual(1);
          expect(count('RequestRenewalFinancing')).toBeLessThanOrEqual(1);
          expect(count('ContractEndDue')).toBeLessThanOrEqual(1);
          // a compensation only ever follows a financing request
          if (count('CancelRenewalFinancing') > 0) expect(count('RequestRenewalFinancing')).toBe(1);
          // a CDI has no natural end to announce
          if (state!.facts.contractType === 'CDI') expect(count('ContractEndDue')).toBe(0);
          // a commitment received is used (financed / renewed) or its release was asked for
          if (state!.renewal?.commitment && !['RENEWED', 'RENEWAL_FINANCED'].includes(state!.status)) {
            expect(state!.renewal.releaseRequested).toBe(true);
            expect(count('CancelRenewalFinancing')).toBeGreaterThanOrEqual(1);
          }
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('more compensations', () => {
    it('given a financed renewal, when the contract is ruptured before the renewed contract is recorded, then the commitment is released', () => {
      const then = when(given(signed, renewAsCdi, favorable, approved, committed), { kind: 'ContractRuptured', at: at('2022-06-05'), reason: 'DEMISSION', date: '2022-06-04' });
      expect(then.state!.status).toBe('RUPTURED');
      expect(then.outputs).toEqual([{ kind: 'CancelRenewalFinancing', reason: expect.stringContaining('ruptured'), requestId: 'renewal-k-1', commitmentId: 'm-9' }]);
      expect(then.cancel).toEqual(['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE']);
    });

    it('given an approved renewal abandoned at the end date, when the commitment arrives afterwards (twice), then it is released once more with its id, and nothing else happens', () => {
      const abandoned = given(signed, renewAsCdi, favorable, approved, { kind: 'DeadlineFired', at: at('2022-10-01'), deadline: 'END_DATE' });
      expect(abandoned.status).toBe('NOT_RENEWED');
      const late = when(abandoned, committed);
      expect(late.state!.status).toBe('NOT_RENEWED');
      expect(late.outputs).toEqual([{ kind: 'CancelRenewalFinancing', reason: expect.stringContaining('abandoned'), requestId: 'renewal-k-1', commitmentId: 'm-9' }]);
      expect(when(late.state, committed).outputs).toEqual([]);
      // ...and the contract still ends
      expect(when(late.state, { kind: 'ContractEnded', at: at('2022-10-01') }).state!.status).toBe('ENDED');
    });

    it('given an approved renewal, when the conventions service ends the contract before the END_DATE deadline fires, then the renewal is rejected and the pending financing cancelled', () => {
      const then = when(given(signed, renewAsCdi, favorable, approved), { kind: 'ContractEnded', at: at('2022-09-30') });
      expect(then.state!.status).toBe('ENDED');
      expect(then.outputs.map((o) => o.kind)).toEqual(['RenewalRejected', 'CancelRenewalFinancing']);
    });

    it('given a request, when ANCT refuses it, then nothing is committed and the contract goes to its end', () => {
      const then = when(given(signed, renewAsCdi, favorable), { kind: 'RenewalDecided', at: at('2022-06-01'), approved: false, reason: 'structure hors priorités' });
      expect(then.state!.status).toBe('NOT_RENEWED');
      expect(then.outputs).toEqual([{ kind: 'RenewalRejected', stage: 'ANCT', reason: 'renewal refused by ANCT: structure hors priorités' }]);
      expect(then.cancel).toEqual(['DECISION_DUE']);
      expect(when(then.state, { kind: 'DeadlineFired', at: at('2022-10-01'), deadline: 'END_DATE' }).outputs).toEqual([{ kind: 'ContractEndDue', endDate: '2022-09-30' }]);
    });
  });

  describe('CDI: followed until its financing ends', () => {
    const cdi: ContractFacts = { ...cdd, contractType: 'CDI', followUntil: null, conventionKnown: false };
    const cdiSigned: LifecycleMessage = { kind: 'ContractSigned', at: at('2021-03-25'), facts: cdi };
    const known: LifecycleMessage = { kind: 'ConventionKnown', at: at('2021-03-26'), financedUntil: '2023-02-28', qpv: true, zrr: false };
    const renewFinancing: LifecycleMessage = { kind: 'RenewalIntentDeclared', at: at('2022-10-10'), intent: 'RENEW', terms: { contractType: 'CDI', startDate: '2023-03-01', endDate: null } };

    it('given a CDI signed before its convention is known, when the convention arrives (twice), then its deadlines are scheduled once from the financing end', () => {
      const then = when(given(cdiSigned), known);
      expect(then.state!.facts).toMatchObject({ followUntil: '2023-02-28', qpv: true, conventionKnown: true });
      expect(then.schedule.map((d) => [d.kind, d.dueAt.toISOString().slice(0, 10)])).toEqual([
        ['REMINDER_6M', '2022-08-28'], ['REMINDER_3M', '2022-11-28'], ['REMINDER_1M', '2023-01-28'], ['DECISION_DUE', '2023-02-13'], ['END_DATE', '2023-03-01'],
      ]);
      expect(when(then.state, known)).toEqual({ state: then.state, outputs: [], schedule: [], cancel: [] });
    });

    it('given a CDI, when a renewal as another contract form is asked, then it is refused: the CDI goes on', () => {
      const asCdd = { ...renewFinancing, terms: { contractType: 'CDD', startDate: '2023-03-01', endDate: '2024-02-29', grossMonthlySalaryCents: 180_000 } } as LifecycleMessage;
      expect(when(given(cdiSigned, known), asCdd)).toMatchObject({ refusedCode: 'INVALID_TERMS', refused: expect.stringMatching(/CDI goes on/) });
    });

    it('given a CDI whose financing renewal is approved, when the subsidy is committed, then it is RENEWED at once: no contract to record', () => {
      const opinion: LifecycleMessage = { ...favorable, at: at('2022-11-02') };
      const decided: LifecycleMessage = { ...approved, at: at('2022-12-05') };
      const then = when(given(cdiSigned, known, renewFinancing, opinion, decided), { ...committed, at: at('2022-12-06') } as LifecycleMessage);
      expect(then.state!.status).toBe('RENEWED');
      expect(then.outputs).toEqual([expect.objectContaining({ kind: 'RenewalFinanced', recordContract: false, commitmentId: 'm-9' })]);
      expect(then.cancel).toContain('END_DATE');
    });

    it('given a CDI not renewed, when its financing end is reached, then the saga ENDS without announcing a natural end', () => {
      const then = when(given(cdiSigned, known), { kind: 'DeadlineFired', at: at('2023-03-01'), deadline: 'END_DATE' });
      expect(then.state!.status).toBe('ENDED');
      expect(then.outputs).toEqual([{ kind: 'RenewalRejected', stage: 'CONTRACT_END', reason: expect.stringMatching(/financing of the CDI/) }]);
    });
  });

  describe('commands refused with nothing changed', () => {
    it('given a request whose convention is unknown, when ANCT approves, then the decision is refused', () => {
      const unknown = { ...signed, facts: { ...cdd, conventionKnown: false } } as LifecycleMessage;
      const then = when(given(unknown, renewAsCdi, favorable), approved);
      expect(then.refused).toMatch(/convention is not known/);
      expect(then.state!.status).toBe('RENEWAL_REQUESTED');
    });

    it('refuses a renewal without a salary, and counts 18 months from the first CDD of a chain', () => {
      expect(renewalTermsProblem(cdd, { contractType: 'CDI', startDate: '2022-10-01', endDate: null })).toMatch(/salary/);
      const chained: ContractFacts = { ...cdd, startDate: '2022-04-01', chainStart: '2021-10-01', followUntil: '2022-09-30' };
      const until = (endDate: string) => ({ contractType: 'CDD' as const, startDate: '2022-10-01', endDate, grossMonthlySalaryCents: 180_000 });
      expect(renewalTermsProblem(chained, until('2023-03-31'))).toBeNull(); // 18 months in all
      expect(renewalTermsProblem(chained, until('2023-04-30'))).toMatch(/would make 19/);
      expect(renewalTermsProblem({ ...chained, chainStart: undefined }, until('2023-04-30'))).toBeNull(); // 13 months without the chain
    });

    it('given a finished saga, when a renewal is asked or decided, then it is refused', () => {
      const ruptured = given(signed, { kind: 'ContractRuptured', at: at('2022-06-05'), reason: 'DEMISSION', date: '2022-06-04' });
      expect(when(ruptured, renewAsCdi).refused).toMatch(/over \(RUPTURED\)/);
      expect(when(ruptured, approved).refused).toMatch(/over/);
    });
  });
});
