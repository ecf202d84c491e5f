/** Several stacks' Terraform runs at once on one stream. */
import { formatDuration } from "../ecs/rollout-model";
import { ProgressReporter, type ProgressStream } from "./progress-reporter";

export interface ConcurrentProgressOptions {
  /** What every stack runs, for the status line: `plan`. */
  readonly operation: string;
  /** How many stacks there are. */
  readonly total: number;
  /** Values masked (`***`) in everything the stacks' reporters write. @default [] */
  readonly secrets?: readonly string[];
  /** @default Date.now */
  readonly clock?: () => number;
  /** How often the terminal's status line is redrawn; 0 turns the timer off. @default 1000 */
  readonly tickMs?: number;
}

/**
 * Each stack's run reports plain lines, every one starting with the stack's name (a status line per stack cannot be
 * rewritten in place when several run, and their lines interleave). On a terminal one status line beneath them shows stacks done / total, which are
 * running and the elapsed time; otherwise a plain line says so each time a stack finishes.
 */
export class ConcurrentProgress {
  private readonly running: string[] = [];
  private done = 0;
  private failed = 0;
  private liveLine = false;
  private closed = false;
  private drawn = "";
  private timer?: NodeJS.Timeout;
  private readonly clock: () => number;
  private readonly startedAt: number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: ConcurrentProgressOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.startedAt = this.clock();
    const tickMs = options.tickMs ?? 1000;
    if (this.tty && tickMs > 0) {
      this.timer = setInterval(() => this.redraw(), tickMs);
      this.timer.unref();
    }
  }

  get tty(): boolean {
    return this.stream.isTTY === true;
  }

  /** A stack starts: the reporter for its terraform commands, whose lines are labelled with `label`. */
  begin(label: string): ProgressReporter {
    this.running.push(label);
    this.line(`==> ${label}: started (${this.running.length} running, ${this.done}/${this.options.total} done)`);
    const labelled = { write: (text: string) => this.write(text.replace(/^(?=.)/gm, `${label}: `)) };
    return new ProgressReporter(labelled, { secrets: this.options.secrets, clock: this.clock });
  }

  /** A stack's work ended, well or not. */
  end(label: string, ok: boolean): void {
    const index = this.running.indexOf(label);
    if (index >= 0) this.running.splice(index, 1);
    this.done += 1;
    if (!ok) this.failed += 1;
    if (!this.tty) this.line(this.status());
    else this.redraw();
  }

  /** Any other text: written as whole lines, beneath which the status line is drawn again. */
  line(text: string): void {
    this.write(`${text}\n`);
  }

  /** Stops the status line and writes the last status as a line. */
  close(): string {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.endLiveLine();
    this.closed = true;
    const status = this.status();
    if (this.tty) this.line(status);
    return status;
  }

  /** `plan: 1/3 stacks done (1 failed) · running shop-prod, shop-staging · 42s` */
  status(): string {
    const failed = this.failed > 0 ? ` (${this.failed} failed)` : "";
    const running = this.running.length > 0 ? ` · running ${this.running.join(", ")}` : "";
    return `${this.options.operation}: ${this.done}/${this.options.total} stacks done${failed}${running} · ${formatDuration((this.clock() - this.startedAt) / 1000)}`;
  }

  private write(text: string): void {
    this.endLiveLine();
    this.stream.write(text);
    this.redraw();
  }

  private redraw(): void {
    if (!this.tty || this.closed) return;
    let text = this.status();
    const width = this.stream.columns;
    if (width && width > 1 && text.length > width - 1) text = `${text.slice(0, width - 2)}…`;
    if (this.liveLine && text === this.drawn) return;
    this.stream.write(`\r\x1b[2K${text}`);
    this.liveLine = true;
    this.drawn = text;
  }

  private endLiveLine(): void {
    if (!this.liveLine) return;
    this.stream.write("\r\x1b[2K");
    this.liveLine = false;
  }
}
