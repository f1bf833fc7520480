import { Random } from '../simulation/random';
import type { Step } from '../simulation/schedule';
import { Platform } from './platform';
import { consumerLag, replayMessages } from './replay';

/** One fault, injected during a clock step while the driver's requests are in flight. */
export type Fault =
  | { kind: 'kill-broker'; step: number; delayMs: number; downMs: number }
  | { kind: 'kill-service'; service: string; step: number; delayMs: number; downMs: number }
  | { kind: 'pause-service'; service: string; step: number; delayMs: number; pauseMs: number }
  | { kind: 'replay'; step: number; delayMs: number; messages: number };

export interface FaultOptions {
  brokerKills: number;
  serviceKills: number;
  pauses: number;
  replays: number;
  /** Longer than the consumers' session timeout (15 s): the paused consumer loses its partitions. */
  pauseMs?: number;
  /** Messages re-published per replay. */
  replayMessages?: number;
  /** The services to kill, in order (default: a seeded shuffle of them all). */
  killServices?: readonly string[];
}

/** A service the harness restarted because one of its consumers died (see Platform.deadConsumers). */
export interface SupervisorRestart {
  service: string;
  month: string;
  crash: string;
  recoveredMs: number;
}

export interface InjectedFault {
  fault: Fault;
  month: string;
  at: string;
  detail: string;
  recoveredMs: number;
}

/**
 * The faults of a run, drawn from its seed (the same seed injects the same faults at the same steps):
 * broker kills, service kills (each service's relay dies with it), a pause past the consumer session
 * timeout, replays of already-published messages.
 */
export function planFaults(seed: number, steps: number, services: readonly string[], options: FaultOptions): Fault[] {
  const random = new Random(seed).fork('faults');
  const faults: Fault[] = [];
  // Leave the first steps (nothing in flight yet) and the last ones (let the platform settle) alone.
  const step = () => random.int(Math.min(4, steps - 1), Math.max(4, steps - 4));
  const delay = () => random.int(0, 120);
  for (let i = 0; i < options.brokerKills; i++) faults.push({ kind: 'kill-broker', step: step(), delayMs: delay(), downMs: random.int(1000, 4000) });
  const shuffled = options.killServices?.length ? [...options.killServices] : random.shuffle([...services]);
  for (let i = 0; i < options.serviceKills; i++) {
    faults.push({ kind: 'kill-service', service: shuffled[i % shuffled.length], step: step(), delayMs: delay(), downMs: random.int(500, 3000) });
  }
  for (let i = 0; i < options.pauses; i++) {
    faults.push({ kind: 'pause-service', service: random.pick(services.filter((s) => s !== 'audit')), step: step(), delayMs: delay(), pauseMs: options.pauseMs ?? 17_000 });
  }
  for (let i = 0; i < options.replays; i++) faults.push({ kind: 'replay', step: step(), delayMs: delay(), messages: options.replayMessages ?? 200 });
  return faults.sort((a, b) => a.step - b.step || a.delayMs - b.delayMs);
}

/**
 * Injects planned faults during the simulation (the driver's `onStep` hook): at the middle of a step, after
 * a few milliseconds, while its requests are in flight. A killed process is restarted after its down time
 * (a service with the platform's current time as its clock start); the next step waits for every recovery.
 */
export class FaultInjector {
  readonly injected: InjectedFault[] = [];
  readonly supervisorRestarts: SupervisorRestart[] = [];
  private pending: Promise<void>[] = [];
  private clock = '';
  private month = '';
  private readonly restarting = new Set<string>();
  private watch?: NodeJS.Timeout;

  constructor(
    private readonly platform: Platform,
    private readonly faults: Fault[],
    private readonly log: (line: string) => void = () => undefined,
    /**
     * Restart a service whose consumer died for good. libs/messaging did not restart a consumer after a
     * non-retriable kafkajs crash before commit 81ae2fd (effects went missing until the service was restarted,
     * /health staying 200): this supervisor was the workaround. Off by default now that the lib replaces it.
     */
    private readonly supervise = false,
  ) {
    this.watch = setInterval(() => this.checkConsumers(), 500);
    this.watch.unref();
  }

  /** Consumer crashes kafkajs did not recover from, seen in the logs (the messaging lib replaces the consumer). */
  readonly consumerCrashes: { service: string; month: string; crash: string }[] = [];

  private checkConsumers(): void {
    for (const { service, line } of this.platform.deadConsumers()) {
      if (!this.supervise) {
        this.consumerCrashes.push({ service, month: this.month, crash: line });
        continue;
      }
      if (this.restarting.has(service)) continue;
      this.restarting.add(service);
      const started = Date.now();
      const month = this.month;
      this.log(`${month}: a consumer of ${service} died (${/groupId":"([^"]+)/.exec(line)?.[1] ?? 'unknown group'}): restarting the service`);
      this.pending.push(
        (async () => {
          await this.platform.kill(service);
          await this.platform.restart(service, { CNFS_CLOCK_START: this.clock });
          this.supervisorRestarts.push({ service, month, crash: line, recoveredMs: Date.now() - started });
        })().finally(() => this.restarting.delete(service)),
      );
    }
  }

  /** Stops watching the services (before the platform stops). */
  stop(): void {
    if (this.watch) clearInterval(this.watch);
    this.checkConsumers();
  }

  /** The driver's hook. */
  readonly onStep = async (step: Step, index: number, phase: 'start' | 'middle' | 'end'): Promise<void> => {
    if (phase === 'start') {
      await this.settle();
      await this.caughtUp();
      this.clock = step.clock;
      this.month = step.month;
      return;
    }
    if (phase !== 'middle') return;
    for (const fault of this.faults.filter((f) => f.step === index)) {
      this.pending.push(
        (async () => {
          await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
          await this.inject(fault, step);
        })().catch((error) => {
          this.log(`fault ${fault.kind} at ${step.month} failed: ${(error as Error).message}`);
          throw error;
        }),
      );
    }
  };

  /**
   * Before the clock moves on, the platform has caught up: every outbox empty and every consumer group at the
   * end of its topics. Months pass in a second here: without it a saga's deadline could fire while the service
   * that should have acted before it is still restarting — an artefact of the compressed time, not a fault.
   */
  async caughtUp(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (let delay = 50; ; delay = Math.min(500, delay * 2)) {
      const health = await this.platform.health();
      const pending = Object.values(health).reduce((n, h) => n + (h.status === 200 ? Number(h.body?.outboxPending ?? 0) : 1), 0);
      const lag = pending === 0 ? await consumerLag(this.platform.brokers).catch(() => ({ lag: -1, behind: ['broker unavailable'] })) : { lag: -1, behind: [`${pending} outbox rows`] };
      if (pending === 0 && lag.lag === 0) return;
      last = lag.behind.join(', ');
      if (Date.now() > deadline) {
        this.log(`${this.month}: the platform did not catch up within ${timeoutMs / 1000} s (${last})`);
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Waits for every injected fault (and every supervisor restart) to have recovered. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) {
      const pending = this.pending;
      this.pending = [];
      await Promise.all(pending);
      // A recovery can reveal another dead consumer (the restart of one service rebalances the others' groups).
      await new Promise((r) => setTimeout(r, 600));
      this.checkConsumers();
    }
  }

  private async inject(fault: Fault, step: Step): Promise<void> {
    const started = Date.now();
    const at = new Date().toISOString();
    let detail = '';
    switch (fault.kind) {
      case 'kill-broker': {
        const pid = this.platform.brokerPid();
        await this.platform.killBroker();
        this.log(`${step.month}: SIGKILL broker (pid ${pid}), down ${fault.downMs} ms`);
        await new Promise((r) => setTimeout(r, fault.downMs));
        await this.platform.startBroker();
        detail = `broker pid ${pid} killed, restarted after ${fault.downMs} ms`;
        break;
      }
      case 'kill-service': {
        while (this.restarting.has(fault.service)) await new Promise((r) => setTimeout(r, 200));
        this.restarting.add(fault.service);
        const pid = this.platform.services.get(fault.service)?.child.pid;
        await this.platform.kill(fault.service);
        this.log(`${step.month}: SIGKILL ${fault.service} (pid ${pid}), down ${fault.downMs} ms`);
        await new Promise((r) => setTimeout(r, fault.downMs));
        await this.platform.restart(fault.service, { CNFS_CLOCK_START: this.clock }).finally(() => this.restarting.delete(fault.service));
        detail = `${fault.service} pid ${pid} killed (its relay and consumers with it), restarted after ${fault.downMs} ms`;
        break;
      }
      case 'pause-service': {
        const pid = this.platform.services.get(fault.service)?.child.pid;
        this.platform.pause(fault.service);
        this.log(`${step.month}: SIGSTOP ${fault.service} (pid ${pid}) for ${fault.pauseMs} ms, past the consumers' 15 s session timeout`);
        await new Promise((r) => setTimeout(r, fault.pauseMs));
        this.platform.resume(fault.service);
        detail = `${fault.service} pid ${pid} paused ${fault.pauseMs} ms (SIGSTOP/SIGCONT)`;
        break;
      }
      case 'replay': {
        const replayed = await replayMessages(this.platform.brokers, fault.messages, fault.step);
        this.log(`${step.month}: re-published ${replayed.count} already-published messages (${replayed.topics.join(', ')})`);
        detail = `${replayed.count} messages re-published (${replayed.topics.length} topics)`;
        break;
      }
    }
    this.injected.push({ fault, month: step.month, at, detail, recoveredMs: Date.now() - started });
  }
}
