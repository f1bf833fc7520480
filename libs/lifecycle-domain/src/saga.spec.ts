import fc from 'fast-check';
import { ContractFacts, decide, Decision, LifecycleMessage, LifecycleState, renewalTermsProblem } from './saga';

const at = (iso: string) => new Date(`${iso}T09:00:00.000Z`);
const cdd: ContractFacts = {
  contractId: 'k-1', structureId: 's-1', conventionId: 'c-1', postId: 'p-1', conseillerId: 'cn-1', departmentCode: '59',
  legalStatus: 'PRIVATE', qpv: false, zrr: false, contractType: 'CDD', startDate: '2021-04-01', followUntil: '2022-09-30',
};
const signed: LifecycleMessage = { kind: 'ContractSigned', at: at('2021-03-25'), facts: cdd };
const renewAsCdi: LifecycleMessage = { kind: 'RenewalIntentDeclared', at: at('2022-04-10'), intent: 'RENEW', terms: { contractType: 'CDI', startDate: '2022-10-01', endDate: null } };
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

    it('given the 3-month reminder sent, when the 6-month one fires late, then it stays silent', () => {
      const state = given(signed, { kind: 'DeadlineFired', at: at('2022-06-30'), deadline: 'REMINDER_3M' });
      expect(when(state, { kind: 'DeadlineFired', at: at('2022-06-30'), deadline: 'REMINDER_6M' }).outputs).toEqual([]);
    });
  });

  describe('renewal request', () => {
    it('given a private-law CDD of 18 months, when the structure asks to renew it as a CDD, then it is refused with the reason', () => {
      const asCdd: LifecycleMessage = { ...renewAsCdi, terms: { contractType: 'CDD', startDate: '2022-10-01', endDate: '2023-09-30' } } as LifecycleMessage;
      const then = when(given(signed), asCdd);
      expect(then.refused).toMatch(/private-law CDD cannot be extended beyond 18 months.*CDI/);
      expect(then.state).toEqual(given(signed));
    });

    it('given a public-law CDD, when it is renewed as a CDD, then the request is accepted', () => {
      const publicSigned = { ...signed, facts: { ...cdd, legalStatus: 'PUBLIC' } } as LifecycleMessage;
      const asCdd = { ...renewAsCdi, terms: { contractType: 'CDD', startDate: '2022-10-01', endDate: '2023-09-30' } } as LifecycleMessage;
      expect(when(given(publicSigned), asCdd).state!.status).toBe('RENEWAL_REQUESTED');
    });

    it('refuses terms that do not follow the current contract, or a CDI with an end date', () => {
      expect(renewalTermsProblem(cdd, { contractType: 'CDI', startDate: '2022-11-01', endDate: null })).toMatch(/start the day after/);
      expect(renewalTermsProblem(cdd, { contractType: 'CDI', startDate: '2022-10-01', endDate: '2025-01-01' })).toMatch(/no end date/);
    });

    it('given an ACTIVE saga, when the structure renews as a CDI, then the renewal is requested', () => {
      const then = when(given(signed), renewAsCdi);
      expect(then.state!.status).toBe('RENEWAL_REQUESTED');
      expect(then.outputs).toEqual([{ kind: 'RenewalRequested', terms: { contractType: 'CDI', startDate: '2022-10-01', endDate: null } }]);
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
      expect(then.outputs).toEqual([{ kind: 'RequestRenewalFinancing', terms: renewAsCdi.kind === 'RenewalIntentDeclared' && renewAsCdi.intent === 'RENEW' ? renewAsCdi.terms : null }]);
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
      expect(then.outputs).toEqual([{ kind: 'CancelRenewalFinancing', reason: expect.stringContaining('ruptured') }]);
    });

    it('given a ruptured saga, when a commitment arrives late (twice), then it is released once', () => {
      const ruptured = given(signed, renewAsCdi, favorable, approved, { kind: 'ContractRuptured', at: at('2022-06-05'), reason: 'DEMISSION', date: '2022-06-04' });
      const late = when(ruptured, committed);
      expect(late.outputs).toEqual([{ kind: 'CancelRenewalFinancing', reason: expect.stringContaining('ruptured') }]);
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

    it('given a financed renewal, when the old contract ends, then the renewal takes over (no end)', () => {
      const financed = given(signed, renewAsCdi, favorable, approved, committed);
      expect(when(financed, { kind: 'DeadlineFired', at: at('2022-10-01'), deadline: 'END_DATE' }).outputs).toEqual([]);
      expect(when(financed, { kind: 'ContractEnded', at: at('2022-10-01') }).state!.status).toBe('RENEWAL_FINANCED');
    });
  });

  describe('out of order and duplicates', () => {
    it('given an ACTIVE saga, when a renewed contract or a commitment arrives out of order, then nothing happens', () => {
      const state = given(signed);
      expect(when(state, { kind: 'ContractRenewed', at: at('2022-06-10'), newContractId: 'k-2' })).toEqual({ state, outputs: [], schedule: [], cancel: [] });
      expect(when(state, committed)).toEqual({ state, outputs: [], schedule: [], cancel: [] });
    });

    const messages: LifecycleMessage[] = [
      renewAsCdi, favorable, approved, committed,
      { kind: 'RenewalIntentDeclared', at: at('2022-04-10'), intent: 'NOT_INTERESTED', reason: 'non' },
      { kind: 'RenewalDecided', at: at('2022-06-01'), approved: false, reason: 'non prioritaire' },
      { kind: 'FinancingRefused', at: at('2022-06-02'), reason: 'envelope exhausted' },
      { kind: 'ContractRenewed', at: at('2022-06-10'), newContractId: 'k-2' },
      { kind: 'ContractRuptured', at: at('2022-06-05'), reason: 'DEMISSION', date: '2022-06-04' },
      { kind: 'ContractEnded', at: at('2022-10-01') },
      ...(['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE'] as const).map((deadline) => ({ kind: 'DeadlineFired' as const, at: at('2022-09-01'), deadline })),
    ];

    it('for any sequence of messages: a message handled twice in a row has no second output, final states stay final, financing is announced at most once', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...messages), { maxLength: 25 }), (sequence) => {
          let state: LifecycleState | null = decide(null, signed).state;
          let financed = 0;
          for (const message of sequence) {
            const first = decide(state, message);
            const next = first.refused ? state : first.state;
            const second = decide(next, message);
            expect(second.outputs).toEqual([]);
            financed += first.outputs.filter((o) => o.kind === 'RenewalFinanced').length;
            if (state && ['RENEWED', 'ENDED', 'RUPTURED'].includes(state.status)) expect(next!.status).toBe(state.status);
            state = next;
          }
          expect(financed).toBeLessThanOrEqual(1);
        }),
        { numRuns: 500 },
      );
    });
  });
});
