import { CalendarDate } from './dates';

/**
 * Life of a tranche:
 *
 *   SCHEDULED ──(due date reached)──▶ DUE ──(préfecture order)──▶ ORDERED ──(BdT execution)──▶ PAID ──(statement)──▶ RECONCILED
 *      │  ▲                            │ ▲                                                       │                       │
 *      │  └──── resume (post refilled) ─┤ └────────────── bank return (DUE, or SUSPENDED if the post is vacant) ◀──────────┘
 *      ▼                               ▼
 *   SUSPENDED (rupture / vacancy) ──(returned post, vacancy beyond the delay)──▶ CANCELLED
 *
 * Only tranches never ordered are suspended or cancelled: an order already given is paid.
 */
export type TrancheStatus = 'SCHEDULED' | 'DUE' | 'SUSPENDED' | 'ORDERED' | 'PAID' | 'RECONCILED' | 'CANCELLED';
export const TRANCHE_STATUSES: readonly TrancheStatus[] = ['SCHEDULED', 'DUE', 'SUSPENDED', 'ORDERED', 'PAID', 'RECONCILED', 'CANCELLED'];

/** Not yet handed to a payment order: what a rupture suspends and a cancellation releases. */
export const UNORDERED: readonly TrancheStatus[] = ['SCHEDULED', 'DUE', 'SUSPENDED'];

export interface TrancheState {
  status: TrancheStatus;
  /** Null until the commitment has an anchor (or, for the final tranche, a report). */
  dueOn: CalendarDate | null;
}

export type Transition = { ok: true; state: TrancheState; changed: boolean } | { ok: false; code: TransitionRefusal; detail: string };
export type TransitionRefusal = 'NOT_DUE' | 'ALREADY_ORDERED' | 'NOT_ORDERED' | 'ALREADY_PAID' | 'NOT_PAID' | 'SUSPENDED' | 'CANCELLED';

const same = (state: TrancheState): Transition => ({ ok: true, state, changed: false });
const to = (state: TrancheState): Transition => ({ ok: true, state, changed: true });

/** Status of a tranche that is not suspended, from its due date. */
const scheduledOrDue = (dueOn: CalendarDate | null, today: CalendarDate): TrancheStatus => (dueOn !== null && dueOn <= today ? 'DUE' : 'SCHEDULED');

/** New due date (anchor set, report recorded) or the clock moving: SCHEDULED becomes DUE once its date is reached. */
export function refresh(state: TrancheState, dueOn: CalendarDate | null, today: CalendarDate): Transition {
  if (state.status === 'SCHEDULED' || state.status === 'DUE') {
    const next: TrancheState = { status: state.status === 'DUE' ? 'DUE' : scheduledOrDue(dueOn, today), dueOn };
    return next.status === state.status && next.dueOn === state.dueOn ? same(state) : to(next);
  }
  if (state.status === 'SUSPENDED') return dueOn === state.dueOn ? same(state) : to({ status: 'SUSPENDED', dueOn });
  return same(state);
}

/** The post lost its conseiller (rupture, end of contract): unordered tranches wait. */
export function suspend(state: TrancheState): Transition {
  return state.status === 'SCHEDULED' || state.status === 'DUE' ? to({ ...state, status: 'SUSPENDED' }) : same(state);
}

/** A new contract on the same post: suspended tranches come back, due if their date has passed. */
export function resume(state: TrancheState, today: CalendarDate): Transition {
  return state.status === 'SUSPENDED' ? to({ ...state, status: scheduledOrDue(state.dueOn, today) }) : same(state);
}

/** A returned post, or one vacant beyond the delay: unordered tranches are cancelled (their amount is released). */
export function cancel(state: TrancheState): Transition {
  return (UNORDERED as string[]).includes(state.status) ? to({ ...state, status: 'CANCELLED' }) : same(state);
}

export function order(state: TrancheState): Transition {
  switch (state.status) {
    case 'DUE':
      return to({ ...state, status: 'ORDERED' });
    case 'SCHEDULED':
      return { ok: false, code: 'NOT_DUE', detail: state.dueOn ? `the tranche is due on ${state.dueOn}` : 'the tranche is not due yet' };
    case 'SUSPENDED':
      return { ok: false, code: 'SUSPENDED', detail: 'the tranche is suspended: the post has no conseiller' };
    case 'CANCELLED':
      return { ok: false, code: 'CANCELLED', detail: 'the tranche is cancelled' };
    default:
      return { ok: false, code: 'ALREADY_ORDERED', detail: `the tranche is already ${state.status.toLowerCase()}` };
  }
}

export function execute(state: TrancheState): Transition {
  if (state.status === 'ORDERED') return to({ ...state, status: 'PAID' });
  if (state.status === 'PAID' || state.status === 'RECONCILED') return { ok: false, code: 'ALREADY_PAID', detail: 'the tranche is already paid' };
  return { ok: false, code: 'NOT_ORDERED', detail: `the tranche is ${state.status.toLowerCase()}, not ordered` };
}

export function reconcile(state: TrancheState): Transition {
  if (state.status === 'PAID') return to({ ...state, status: 'RECONCILED' });
  return { ok: false, code: 'NOT_PAID', detail: `the tranche is ${state.status.toLowerCase()}, not paid` };
}

/** The bank returned the payment: the tranche can be ordered again (or waits if its post is vacant). */
export function bankReturn(state: TrancheState, postVacant: boolean, today: CalendarDate): Transition {
  if (state.status !== 'PAID' && state.status !== 'RECONCILED') return { ok: false, code: 'NOT_PAID', detail: 'only a paid tranche can come back' };
  return to({ ...state, status: postVacant ? 'SUSPENDED' : scheduledOrDue(state.dueOn ?? today, today) });
}
