import { ProgressInfo } from './driver';

/** A progress bar on stderr: redrawn in place on a terminal, one line every few steps otherwise. */
export class ProgressBar {
  private lastLine = 0;
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {}

  update(p: ProgressInfo): void {
    const done = Math.round((p.step / p.steps) * this.width);
    const seconds = p.elapsedMs / 1000;
    const rate = seconds > 0 ? p.operations / seconds : 0;
    const line =
      `[${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(this.width - done)}] ${p.month}  step ${p.step}/${p.steps}  ` +
      `${p.requests.toLocaleString('en')} requests  ${p.operations.toLocaleString('en')} operations  ${rate.toFixed(0)} op/s  ` +
      `${seconds.toFixed(0)} s${p.failures ? `  ${p.failures} failures` : ''}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      if (p.step === p.steps) this.stream.write('\n');
    } else if (p.step === p.steps || p.step - this.lastLine >= 6) {
      this.lastLine = p.step;
      this.stream.write(`${line}\n`);
    }
  }

  message(text: string): void {
    this.stream.write(`${this.stream.isTTY ? '\r\x1b[K' : ''}${text}\n`);
  }
}
