import { ApiClient } from './http';
import { Tokens } from './tokens';

/** What the platform says at the end, read through its public API (anct and bdt tokens). */
export interface PlatformFacts {
  structures: any[];
  conventions: any[];
  contracts: any[];
  commitments: any[];
  refusals: any[];
  tranches: any[];
  paymentOrders: any[];
  enrolments: any[];
  certifications: any[];
  trainees: number;
  envelopes: any[];
  balances: { envelope: any[]; department: any[]; structure: any[] };
  ledgerChecks: { ok: boolean; checks: { name: string; ok: boolean; problems: unknown[] }[] };
  programmeCosts: { byKind: Record<string, { count: number; totalCents: number }>; totalCents: number };
  costRates: { kind: string; amountCents: number }[];
  reconciliations: any[];
  audit: { total: number; verification: any };
  lifecycle?: { total: number; byStatus: Record<string, number> };
  health: { status: number; body: any };
}

/** Reads everything the invariants and the report need (about 150 requests at the default scale). */
export async function collectFacts(client: ApiClient, tokens: Tokens): Promise<PlatformFacts> {
  const anct = await tokens.anct();
  const bdt = await tokens.bdt();
  const [structures, conventions, contracts, commitments, refusals, tranches, paymentOrders, enrolments, certifications] = await Promise.all([
    client.all('/api/v1/structures', anct),
    client.all('/api/v1/conventions', anct),
    client.all('/api/v1/contracts', anct),
    client.all('/api/v1/commitments', anct),
    client.all('/api/v1/commitments/refusals', anct),
    client.all('/api/v1/tranches', anct),
    client.all('/api/v1/payment-orders', bdt),
    client.all('/api/v1/training/enrolments', anct),
    client.all('/api/v1/certifications', anct),
  ]);
  const [trainees, envelopes, byEnvelope, byDepartment, byStructure, ledgerChecks, programmeCosts, costRates, reconciliations, auditTotal, health] = await Promise.all([
    client.total('/api/v1/training/trainees', anct),
    client.get('/api/v1/budget-envelopes', { token: anct }).then((r) => r.body),
    client.get('/api/v1/ledger/balances?by=envelope', { token: anct }).then((r) => r.body),
    client.get('/api/v1/ledger/balances?by=department', { token: anct }).then((r) => r.body),
    client.get('/api/v1/ledger/balances?by=structure', { token: anct }).then((r) => r.body),
    client.get('/api/v1/ledger/checks', { token: anct }).then((r) => r.body),
    client.get('/api/v1/programme-costs/summary', { token: anct }).then((r) => r.body),
    client.get('/api/v1/programme-costs/rates', { token: anct }).then((r) => r.body),
    client.all('/api/v1/reconciliations', bdt),
    client.total('/api/v1/audit', anct),
    client.get('/health', { expect: [503] }),
  ]);
  const verification = (await client.get('/api/v1/audit/verification', { token: anct })).body;
  let lifecycle: PlatformFacts['lifecycle'];
  const probe = await client.get('/api/v1/renewals?pageSize=1', { token: anct, expect: [404, 502] });
  if (probe.status === 200) {
    // Totals per status (the list itself is slow to page through: offset pages of 500 take seconds each).
    const statuses = ['ACTIVE', 'EXPIRY_APPROACHING', 'RENEWAL_REQUESTED', 'RENEWAL_APPROVED', 'RENEWAL_FINANCED', 'RENEWED', 'NOT_RENEWED', 'ENDED', 'RUPTURED'];
    const totals = await Promise.all(statuses.map((s) => client.total(`/api/v1/renewals?status=${s}`, anct)));
    lifecycle = { total: probe.body.total, byStatus: Object.fromEntries(statuses.map((s, i) => [s, totals[i]])) };
  }
  return {
    structures,
    conventions,
    contracts,
    commitments,
    refusals,
    tranches,
    paymentOrders,
    enrolments,
    certifications,
    trainees,
    envelopes: Array.isArray(envelopes) ? envelopes : envelopes.items ?? [],
    balances: { envelope: byEnvelope, department: byDepartment, structure: byStructure },
    ledgerChecks,
    programmeCosts,
    costRates,
    reconciliations,
    audit: { total: auditTotal, verification },
    lifecycle,
    health: { status: health.status, body: health.body },
  };
}
