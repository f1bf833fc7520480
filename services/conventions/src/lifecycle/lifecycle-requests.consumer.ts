import { Inject, Injectable } from '@nestjs/common';
import { ContractEndDueV1, EventContext, RenewalFinancedV1, TOPICS } from '@cnfs/contracts';
import { RuleViolation } from '@cnfs/conventions-domain';
import { EventHandler } from '@cnfs/messaging';
import { Clock, CLOCK, EventConsumer, JsonLogger, ProblemException, reactionContext } from '@cnfs/service-kit';
import { EntityManager, QueryFailedError } from 'typeorm';
import { CONVENTIONS_CONFIG, ConventionsConfig } from '../config';
import { ContractsService } from '../contracts/contracts.service';

export const LIFECYCLE_JOB = 'conventions.lifecycle-requests';
const ACTOR = `system:${LIFECYCLE_JOB}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A rule of this service refused the work (nothing to retry), as opposed to an outage (retried by the inbox). */
function isRefusal(error: unknown): boolean {
  if (error instanceof RuleViolation || error instanceof ProblemException) return true;
  const code = error instanceof QueryFailedError ? (error as QueryFailedError & { driverError?: { code?: string } }).driverError?.code : undefined;
  return typeof code === 'string' && code.startsWith('23'); // integrity: a unique rule, a check
}

/**
 * What the lifecycle saga asks of this service (topic `lifecycle.contract-lifecycle.events`), done in the inbox's
 * transaction so that the effect and the message count once:
 * - `RenewalFinanced` (recordContract): the renewed contract is recorded now, while the current one is still active
 *   (waiting for its end date would race this service's own natural-end job). A renewal the rules refuse
 *   (structure no longer recruiting, convention not covering the new start, wage…) is not recorded: the contract
 *   then ends at its end date, and that end makes the saga release the commitment.
 * - `ContractEndDue`: the contract is ended (TERMINE) if it is still active and past its end where its structure is;
 *   otherwise (already renewed, ruptured, ended, or not yet past its end locally) nothing happens — the natural-end
 *   job stays the backstop.
 * Contracts this service does not know (another context's history) are ignored.
 */
@Injectable()
export class LifecycleRequestsConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.lifecycle];
  private readonly logger: JsonLogger;

  constructor(
    @Inject(CONVENTIONS_CONFIG) config: ConventionsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly contracts: ContractsService,
  ) {
    this.name = config.lifecycleConsumerName;
    this.logger = new JsonLogger(config.name);
  }

  handlers(): Record<string, EventHandler> {
    return {
      [`${RenewalFinancedV1.type}@v1`]: async (raw, { manager }) => {
        const e = RenewalFinancedV1.parse(raw);
        const p = e.payload;
        if (!p.recordContract) return; // a CDI's financing renewed: the CDI goes on
        const contract = await this.contractState(manager, p.contractId);
        if (!contract) return;
        if (contract.status !== 'ACTIF') {
          if (!contract.renewed) this.logger.warn({ message: 'financed renewal not recorded: the contract is no longer active', contractId: p.contractId, status: contract.status });
          return; // already renewed (a redelivery), or ruptured / ended: the saga follows those events
        }
        if (p.renewal.grossMonthlySalaryCents === null) {
          this.logger.warn({ message: 'financed renewal not recorded: no salary given', contractId: p.contractId });
          return;
        }
        const terms = { type: p.renewal.contractType, startDate: p.renewal.startDate, endDate: p.renewal.endDate, grossMonthlySalaryCents: p.renewal.grossMonthlySalaryCents };
        await this.attempt(manager, 'financed renewal not recorded; the contract will end at its end date and the saga release the commitment', p.contractId, () =>
          this.contracts.renewInTransaction(manager, p.contractId, terms, this.context(e, 'renouvellement financé'), ACTOR),
        );
      },
      [`${ContractEndDueV1.type}@v1`]: async (raw, { manager }) => {
        const e = ContractEndDueV1.parse(raw);
        const contract = await this.contractState(manager, e.payload.contractId);
        if (!contract || contract.status !== 'ACTIF' || contract.type === 'CDI') return;
        await this.attempt(manager, 'announced end not applied (the natural-end job will)', e.payload.contractId, () =>
          this.contracts.endNaturallyInTransaction(manager, e.payload.contractId, this.context(e, 'fin de contrat'), ACTOR),
        );
      },
    };
  }

  private context(cause: Parameters<typeof reactionContext>[0], reason: string): EventContext {
    return { ...reactionContext(cause, this.clock, LIFECYCLE_JOB), reason };
  }

  private async contractState(manager: EntityManager, id: string): Promise<{ status: string; type: string; renewed: boolean } | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await manager.query(
      `SELECT k.status, k.type, EXISTS (SELECT 1 FROM contracts r WHERE r.renews_contract_id = k.id) AS renewed FROM contracts k WHERE k.id = $1`,
      [id],
    );
    return row;
  }

  /** Runs the work under a savepoint: a refusal rolls back only the work (the message is done), an outage fails the message. */
  private async attempt(manager: EntityManager, refusal: string, contractId: string, work: () => Promise<unknown>): Promise<void> {
    await manager.query('SAVEPOINT lifecycle_request');
    try {
      await work();
      await manager.query('RELEASE SAVEPOINT lifecycle_request');
    } catch (error) {
      if (!isRefusal(error)) throw error;
      await manager.query('ROLLBACK TO SAVEPOINT lifecycle_request');
      this.logger.warn({ message: refusal, contractId, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}
