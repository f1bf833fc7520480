import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestModule,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Provider,
  Type,
} from '@nestjs/common';
import { APP_GUARD, ModuleRef } from '@nestjs/core';
import { DataSource, MixedList } from 'typeorm';
import { AUTH_OPTIONS, AuthGuard } from '@cnfs/auth';
import {
  EventHandler,
  InboxConsumer,
  KafkaBus,
  MessageBus,
  MessagePublisher,
  MessagingTables1764000000000,
  openServiceDataSource,
  Outbox,
  OutboxRelay,
} from '@cnfs/messaging';
import { Clock, CLOCK, clockFromEnv } from './clock';
import { ClockController } from './clock.controller';
import { ServiceConfig } from './config';
import { HealthController } from './health';
import { IdempotencyInterceptor, IdempotencyKeys1764000000001 } from './idempotency';
import { JsonLogger } from './json-logger';
import { HttpMetricsMiddleware, Metrics, MetricsController } from './metrics';
import { DATA_SOURCE, MESSAGE_BUS, OUTBOX, SERVICE_CONFIG } from './tokens';

/** A service's subscription: a class (a provider, so it can inject) naming its topics and handlers. */
export interface EventConsumer {
  /** Inbox key and Kafka consumer group, e.g. `conventions.structures-read-model`. */
  readonly name: string;
  readonly topics: string[];
  handlers(): Record<string, EventHandler>;
}

export interface PlatformModuleOptions {
  config: ServiceConfig;
  entities?: MixedList<Function | string>;
  /** The service's migrations; the outbox/inbox tables are added in front. */
  migrations?: Function[];
  consumers?: Type<EventConsumer>[];
  /** Defaults to the system clock (or CNFS_CLOCK=manual); tests pass a ManualClock. */
  clock?: Clock;
}

const CONSUMER_TYPES = Symbol('CONSUMER_TYPES');

/** Starts the outbox relay and the inbox consumers with the app; stops them before the pool closes. */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;
  private publisher?: MessagePublisher;
  private readonly consumers: InboxConsumer[] = [];
  private readonly logger: JsonLogger;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CONSUMER_TYPES) private readonly consumerTypes: Type<EventConsumer>[],
    private readonly moduleRef: ModuleRef,
  ) {
    this.logger = new JsonLogger(config.name);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.publisher = await this.bus.publisher();
    this.relay = new OutboxRelay(this.dataSource, this.publisher, { logger: this.logger.asMessagingLogger('outbox-relay') });
    this.relay.start();
    for (const type of this.consumerTypes) {
      const definition = this.moduleRef.get(type, { strict: false });
      const consumer = new InboxConsumer({
        name: definition.name,
        topics: definition.topics,
        handlers: definition.handlers(),
        dataSource: this.dataSource,
        bus: this.bus,
        dlqPublisher: this.publisher,
        outbox: this.outbox,
        logger: this.logger.asMessagingLogger(`inbox:${definition.name}`),
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Order matters: stop taking messages, flush the relay, then close the broker and the pool.
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
    await this.relay?.stop();
    await this.bus.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The infrastructure every service stands on: its schema-bound DataSource (migrated on start),
 * the Kafka bus, the outbox and its relay, inbox consumers, the clock, the global auth guard,
 * `/health` and `/metrics`.
 */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  static forService(options: PlatformModuleOptions): DynamicModule {
    const { config } = options;
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: config },
      {
        provide: DATA_SOURCE,
        useFactory: () =>
          openServiceDataSource({
            url: config.databaseUrl,
            schema: config.schema,
            entities: options.entities,
            migrations: [MessagingTables1764000000000, IdempotencyKeys1764000000001, ...(options.migrations ?? [])],
          }),
      },
      {
        provide: MESSAGE_BUS,
        useFactory: () =>
          new KafkaBus({ clientId: config.name, brokers: config.kafkaBrokers, logger: new JsonLogger(config.name).asMessagingLogger('kafka') }),
      },
      { provide: OUTBOX, useValue: new Outbox() },
      { provide: CLOCK, useValue: options.clock ?? clockFromEnv() },
      { provide: AUTH_OPTIONS, useValue: { secret: config.jwtSecret } },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: CONSUMER_TYPES, useValue: options.consumers ?? [] },
      ...(options.consumers ?? []),
      Metrics,
      MessagingLifecycle,
      IdempotencyInterceptor,
    ];
    return {
      module: PlatformModule,
      controllers: [HealthController, MetricsController, ClockController],
      providers,
      exports: [SERVICE_CONFIG, DATA_SOURCE, MESSAGE_BUS, OUTBOX, CLOCK, Metrics, IdempotencyInterceptor],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
