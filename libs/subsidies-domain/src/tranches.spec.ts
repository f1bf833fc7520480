import { bankReturn, cancel, execute, order, parisDate, reconcile, refresh, resume, suspend, TrancheState } from './index';

const s = (status: TrancheState['status'], dueOn: string | null = '2021-04-01'): TrancheState => ({ status, dueOn });

describe('tranche transitions', () => {
  it('becomes due on its date, is ordered once, paid once, reconciled once', () => {
    expect(refresh(s('SCHEDULED', null), '2021-04-01', '2021-03-31')).toMatchObject({ ok: true, state: { status: 'SCHEDULED', dueOn: '2021-04-01' } });
    expect(refresh(s('SCHEDULED'), '2021-04-01', '2021-04-01')).toMatchObject({ ok: true, state: { status: 'DUE' } });
    expect(order(s('DUE'))).toMatchObject({ ok: true, state: { status: 'ORDERED' } });
    expect(order(s('ORDERED'))).toMatchObject({ ok: false, code: 'ALREADY_ORDERED' });
    expect(order(s('SCHEDULED'))).toMatchObject({ ok: false, code: 'NOT_DUE', detail: 'the tranche is due on 2021-04-01' });
    expect(execute(s('ORDERED'))).toMatchObject({ ok: true, state: { status: 'PAID' } });
    expect(execute(s('PAID'))).toMatchObject({ ok: false, code: 'ALREADY_PAID' });
    expect(execute(s('DUE'))).toMatchObject({ ok: false, code: 'NOT_ORDERED' });
    expect(reconcile(s('PAID'))).toMatchObject({ ok: true, state: { status: 'RECONCILED' } });
    expect(reconcile(s('RECONCILED'))).toMatchObject({ ok: false, code: 'NOT_PAID' });
  });

  it('suspends and resumes only unordered tranches; cancels only unordered ones', () => {
    expect(suspend(s('DUE'))).toMatchObject({ state: { status: 'SUSPENDED' }, changed: true });
    expect(suspend(s('ORDERED'))).toMatchObject({ state: { status: 'ORDERED' }, changed: false });
    expect(resume(s('SUSPENDED'), '2021-05-01')).toMatchObject({ state: { status: 'DUE' } });
    expect(resume(s('SUSPENDED'), '2021-03-01')).toMatchObject({ state: { status: 'SCHEDULED' } });
    expect(order(s('SUSPENDED'))).toMatchObject({ ok: false, code: 'SUSPENDED' });
    expect(cancel(s('SUSPENDED'))).toMatchObject({ state: { status: 'CANCELLED' }, changed: true });
    expect(cancel(s('PAID'))).toMatchObject({ state: { status: 'PAID' }, changed: false });
    expect(order(s('CANCELLED'))).toMatchObject({ ok: false, code: 'CANCELLED' });
  });

  it('comes back due (or suspended when the post is vacant) after a bank return', () => {
    expect(bankReturn(s('PAID'), false, '2021-06-01')).toMatchObject({ state: { status: 'DUE' } });
    expect(bankReturn(s('RECONCILED'), true, '2021-06-01')).toMatchObject({ state: { status: 'SUSPENDED' } });
    expect(bankReturn(s('ORDERED'), false, '2021-06-01')).toMatchObject({ ok: false });
  });

  it('takes the day in Paris', () => {
    expect(parisDate(new Date('2021-03-31T22:30:00Z'))).toBe('2021-04-01');
    expect(parisDate(new Date('2021-12-31T22:59:00Z'))).toBe('2021-12-31');
  });
});
