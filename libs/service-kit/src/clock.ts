/**
 * Time is injected: domain code and jobs ask the clock, never `new Date()`, so tests and the
 * programme simulation can move it.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to (tests, simulation). Time never goes backwards. */
export class ManualClock implements Clock {
  private readonly listeners = new Set<(now: Date) => void>();

  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(to: Date): void {
    if (Number.isNaN(to.getTime())) throw new RangeError('invalid date');
    if (to.getTime() < this.current.getTime()) throw new RangeError(`the clock cannot go back from ${this.current.toISOString()} to ${to.toISOString()}`);
    this.current = new Date(to.getTime());
    for (const listener of this.listeners) listener(this.now());
  }

  advance(ms: number): void {
    this.set(new Date(this.current.getTime() + ms));
  }

  /** Called after every move (pollers use it to look for due work at once). */
  onChange(listener: (now: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The clock of a running service: the system clock, unless `CNFS_CLOCK=manual` (simulation and
 * demos only, refused in production), which starts a ManualClock at `CNFS_CLOCK_START` (ISO date)
 * moved through `PUT /clock`.
 */
export function clockFromEnv(env: Record<string, string | undefined> = process.env): Clock {
  if (env.CNFS_CLOCK !== 'manual') return systemClock;
  if (env.NODE_ENV === 'production') throw new Error('CNFS_CLOCK=manual is refused when NODE_ENV=production');
  const start = env.CNFS_CLOCK_START ? new Date(env.CNFS_CLOCK_START) : new Date();
  if (Number.isNaN(start.getTime())) throw new Error(`CNFS_CLOCK_START="${env.CNFS_CLOCK_START}" is not a date`);
  return new ManualClock(start);
}
