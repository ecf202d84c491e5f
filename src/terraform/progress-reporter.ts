/** Writes a Terraform run's progress to a stream: a status line rewritten in place on a terminal, plain lines otherwise. */
import { TerraformProgress, type TerraformOperation } from "./progress";
import { renderEvent, renderStatus, renderStillRunning, renderSummary } from "./progress-text";

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressReporterOptions {
  /** Names the stack in status and summary lines. @default - no label */
  readonly label?: string;
  /** Values masked (`***`) in everything written, e.g. a token echoed in a provider's error. @default [] */
  readonly secrets?: readonly string[];
  /** @default Date.now */
  readonly clock?: () => number;
  /** How often the status line is redrawn and long-running resources are checked; 0 turns the timer off. @default 1000 */
  readonly tickMs?: number;
  /** Plain output says "still creating …" at most this often per resource. @default 15 */
  readonly stillRunningEverySeconds?: number;
  /** One line per planned change. @default - for `plan` only */
  readonly listPlanned?: boolean;
}

/**
 * Writes progress of one terraform command at a time to a stream: on a terminal a status line rewritten in place
 * (finished before any other line), otherwise plain lines; then a summary line.
 */
export class ProgressReporter {
  private current?: TerraformProgress;
  private lastRun?: TerraformProgress;
  private liveLine = false;
  private drawn = "";
  private timer?: NodeJS.Timeout;
  private readonly clock: () => number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: ProgressReporterOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  get tty(): boolean {
    return this.stream.isTTY === true;
  }

  /** The command in progress, else the last one finished. */
  get progress(): TerraformProgress | undefined {
    return this.current ?? this.lastRun;
  }

  start(operation: TerraformOperation): TerraformProgress {
    this.stopTimer();
    this.current = new TerraformProgress(operation, this.clock());
    const tickMs = this.options.tickMs ?? 1000;
    if (tickMs > 0) {
      this.timer = setInterval(() => this.tick(), tickMs);
      this.timer.unref();
    }
    this.redraw();
    return this.current;
  }

  /** One line of terraform's stdout. */
  message(line: string): void {
    const p = this.current;
    if (!p) return;
    const events = p.feedLine(line, this.clock());
    const listPlanned = this.options.listPlanned ?? p.operation === "plan";
    for (const event of events) for (const text of renderEvent(p, event, this.tty, { label: this.options.label, listPlanned })) this.line(text);
    this.tick();
  }

  /** Redraws the status line; in plain output, a line for each resource due a "still …" notice. */
  tick(): void {
    const p = this.current;
    if (!p) return;
    if (this.tty) {
      this.redraw();
      return;
    }
    const now = this.clock();
    for (const r of p.dueNotices(now, this.options.stillRunningEverySeconds ?? 15)) this.line(renderStillRunning(p, r, now));
  }

  /** Any other text (terraform's stderr, a script's own line): the status line is finished first. */
  line(text: string): void {
    this.endLiveLine();
    this.stream.write(`${this.redact(text)}\n`);
  }

  /** Ends the command: stops the timer, replaces the status line with the summary, and returns the summary. */
  finish(exitCode: number | "timeout"): string {
    this.stopTimer();
    const p = this.current;
    if (!p) return "";
    const summary = renderSummary(p, this.clock(), exitCode, this.options.label);
    this.line(summary);
    this.lastRun = p;
    this.current = undefined;
    return summary;
  }

  private redraw(): void {
    if (!this.tty || !this.current) return;
    let text = this.redact(renderStatus(this.current, this.clock(), this.options.label));
    // A line that wraps can't be rewritten in place.
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

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.options.secrets ?? []) if (secret.length >= 4) out = out.split(secret).join("***");
    return out;
  }
}
