/** Where a progress bar writes: stderr, so stdout stays clean for `--json`. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * A one-line progress bar. On a terminal it redraws in place (`\r`); elsewhere (a log, a
 * pipe) it prints a full line at most once a second, and always the last state.
 */
export class ProgressBar {
  private lastDrawAt = 0;
  private lastLine = '';
  /** What the stream shows now (throttled updates are not drawn). */
  private shownLine = '';
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private total: number | undefined,
    private readonly width = 24,
  ) {}

  /** `done` of `total` so far; `detail` follows the counts (e.g. "2 skipped"). */
  update(done: number, detail = ''): void {
    if (this.total !== undefined && done > this.total) this.total = done;
    const line = this.render(done, detail);
    if (line === this.lastLine) return;
    this.lastLine = line;
    const now = Date.now();
    if (this.stream.isTTY) {
      if (now - this.lastDrawAt < 50) return;
      this.stream.write(`\r${line}\u001b[K`);
    } else {
      if (now - this.lastDrawAt < 1_000) return;
      this.stream.write(`${line}\n`);
    }
    this.lastDrawAt = now;
    this.shownLine = line;
    this.drawn = true;
  }

  /** Draws the final state and ends the line. */
  finish(done: number, detail = ''): void {
    if (this.total !== undefined && done > this.total) this.total = done;
    const line = this.render(done, detail);
    if (this.stream.isTTY) this.stream.write(`\r${line}\u001b[K\n`);
    else if (!(this.drawn && line === this.shownLine)) this.stream.write(`${line}\n`);
    this.drawn = false;
  }

  /** Ends a redrawn line so that other output starts on its own line. */
  interrupt(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\n');
    this.drawn = false;
  }

  private render(done: number, detail: string): string {
    const suffix = detail ? ` ${detail}` : '';
    if (!this.total) return `${this.label} ${done}${suffix}`;
    const filled = Math.round((Math.min(done, this.total) / this.total) * this.width);
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${done}/${this.total}${suffix}`;
  }
}
