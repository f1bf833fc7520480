import { SubsidiesSchema1764000100000 } from './1764000100000-subsidies-schema';
import { SubsidiesSeeds1764000100001 } from './1764000100001-subsidies-seeds';
import { CommitmentRelease1764000100002 } from './1764000100002-commitment-release';
import { TrancheStatesPerRow1764000100003 } from './1764000100003-tranche-states-per-row';
import { StatementMatches1764000100004 } from './1764000100004-statement-matches';
import { AwaitingStatementRow1764000100005 } from './1764000100005-awaiting-statement-row';
import { AwaitingStatementWindow1764000100006 } from './1764000100006-awaiting-statement-window';
import { ExactAwaitingCarry1764000100007 } from './1764000100007-exact-awaiting-carry';
import { LedgerAccountCheck1764000100008 } from './1764000100008-ledger-account-check';
import { MatchesByExecution1764000100009 } from './1764000100009-matches-by-execution';

export const SUBSIDIES_MIGRATIONS = [
  SubsidiesSchema1764000100000, SubsidiesSeeds1764000100001, CommitmentRelease1764000100002, TrancheStatesPerRow1764000100003,
  StatementMatches1764000100004, AwaitingStatementRow1764000100005, AwaitingStatementWindow1764000100006, ExactAwaitingCarry1764000100007,
  LedgerAccountCheck1764000100008, MatchesByExecution1764000100009,
];
