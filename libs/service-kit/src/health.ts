import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '@cnfs/auth';
import { MessageBus, Outbox } from '@cnfs/messaging';
import { Metrics } from './metrics';
import { DATA_SOURCE, MESSAGE_BUS, OUTBOX, SERVICE_CONFIG } from './tokens';
import type { ServiceConfig } from './config';

type Check = { status: 'up' | 'down'; latencyMs: number; error?: string };

async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = Date.now();
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref())]);
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (error) {
    return { status: 'down', latencyMs: Date.now() - started, error: (error as Error).message };
  }
}

/** `/health`: 200 when the database and the broker answer, 503 otherwise, with each check. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly metrics: Metrics,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'database and Kafka are reachable' })
  async health(@Res() response: Response): Promise<void> {
    const [database, kafka] = await Promise.all([check(() => this.dataSource.query('SELECT 1')), check(() => this.bus.ping())]);
    let outboxPending: number | undefined;
    if (database.status === 'up') {
      outboxPending = await this.outbox.pendingCount(this.dataSource.manager);
      this.metrics.outboxPending.set(outboxPending);
    }
    const up = database.status === 'up' && kafka.status === 'up';
    response.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: up ? 'up' : 'down',
      service: this.config.name,
      checks: { database, kafka },
      outboxPending,
    });
  }
}
