import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as readline from 'node:readline';

const COLORS = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];
let colorIndex = 0;

/** A child Node process whose output lines are prefixed with its name. */
export class ManagedProcess {
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    const color = process.stdout.isTTY ? COLORS[colorIndex++ % COLORS.length] : 0;
    const prefix = color ? `\x1b[${color}m[${name}]\x1b[0m ` : `[${name}] `;
    // own process group: a terminal Ctrl-C reaches the launcher only, which stops everything in order
    this.child = spawn(process.execPath, [script], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    for (const [stream, out] of [
      [this.child.stdout!, process.stdout],
      [this.child.stderr!, process.stderr],
    ] as const) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`${prefix}${line}\n`));
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      }),
    );
    this.child.once('error', (error) => process.stderr.write(`${prefix}cannot start: ${error.message}\n`));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined && this.child.exitCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const outcome = await Promise.race([this.exited.then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      process.stderr.write(`[launcher] ${this.name} did not stop within ${graceMs / 1000} s: killing it\n`);
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Last resort when the launcher itself exits: synchronous kill. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** GET url, resolving the status code (0 when nothing answers). */
export function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/**
 * Waits until GET `url` answers 200. Fails early when the process exits, and after `timeoutMs`
 * (the message tells the last status seen).
 */
export async function waitForHealth(proc: ManagedProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  for (;;) {
    if (!proc.running) throw new Error(`${proc.name} exited before answering ${url} (see its output above)`);
    last = await httpStatus(url);
    if (last === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${proc.name} did not report healthy on ${url} within ${timeoutMs / 1000} s ` +
          `(${last ? `last answer: HTTP ${last}` : 'no answer'}; see its output above)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
