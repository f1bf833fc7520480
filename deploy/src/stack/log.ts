/** A line logger used by the stack helpers; the launcher prefixes, tests may silence it. */
export type Log = (message: string) => void;

export const consoleLog =
  (prefix: string): Log =>
  (message: string) =>
    process.stdout.write(`[${prefix}] ${message}\n`);

/** An error whose message is meant for the person at the keyboard: the launcher prints it without a stack trace. */
export class StackError extends Error {
  override readonly name = 'StackError';
}
