import { LoggerService } from '@nestjs/common';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Structured logs: one JSON object per line, with the service name on every line. */
export class JsonLogger implements LoggerService {
  constructor(private readonly service: string, private readonly minLevel: Level = (process.env.LOG_LEVEL as Level) ?? 'info') {}

  log(message: unknown, ...rest: unknown[]) { this.write('info', message, rest); }
  error(message: unknown, ...rest: unknown[]) { this.write('error', message, rest); }
  warn(message: unknown, ...rest: unknown[]) { this.write('warn', message, rest); }
  debug(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }

  /** Same shape for the messaging lib's logger port. */
  asMessagingLogger(component: string) {
    return {
      info: (message: string, fields?: Record<string, unknown>) => this.write('info', { message, component, ...fields }, []),
      warn: (message: string, fields?: Record<string, unknown>) => this.write('warn', { message, component, ...fields }, []),
      error: (message: string, fields?: Record<string, unknown>) => this.write('error', { message, component, ...fields }, []),
    };
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
    if (order[level] < order[this.minLevel]) return;
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const fields = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : { message: String(message) };
    const line = JSON.stringify({ time: new Date().toISOString(), level, service: this.service, ...(context ? { context } : {}), ...fields });
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
  }
}
