/**
 * Progress of a Terraform run, read from its machine-readable UI (`terraform init|plan|apply|destroy -json`, one
 * message per stdout line): https://developer.hashicorp.com/terraform/internals/machine-readable-ui
 *
 * `TerraformProgress` is a pure state machine (messages and a clock reading in, events and counts out); the
 * `render*` functions of progress-text.ts turn its state into text; `ProgressReporter` (progress-reporter.ts) is the
 * only part that writes. What is printed
 * comes from structured fields only — addresses, actions, counts, elapsed seconds and diagnostics' summary and
 * detail. Never `@message` (it carries `[id=…]`), `id_value`, `outputs` (after an apply they carry values),
 * `log` text, provisioner output or diagnostic snippets (they quote configuration and expression values).
 */

export type TerraformOperation = "init" | "plan" | "apply" | "destroy";

export interface ChangeCounts {
  readonly add: number;
  readonly change: number;
  readonly remove: number;
  readonly import: number;
}

/** The fields of a machine-readable UI message that progress reads; everything else is ignored. */
export interface UiMessage {
  readonly type: string;
  readonly message_code?: string;
  readonly hook?: { readonly resource?: { readonly addr?: string }; readonly action?: string; readonly elapsed_seconds?: number };
  readonly change?: { readonly resource?: { readonly addr?: string }; readonly action?: string };
  readonly changes?: Partial<ChangeCounts> & { readonly operation?: string };
  readonly diagnostic?: {
    readonly severity?: string;
    readonly summary?: string;
    readonly detail?: string;
    readonly address?: string;
    readonly range?: { readonly filename?: string; readonly start?: { readonly line?: number } };
  };
}

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail: string;
  readonly address?: string;
  /** `cdk.tf.json line 38` */
  readonly location?: string;
}

export type ProgressEvent =
  | { readonly kind: "refreshed"; readonly refreshed: number; readonly reads: number; readonly drifted: number }
  | { readonly kind: "planned"; readonly address: string; readonly action: string }
  | { readonly kind: "plan-summary"; readonly changes: ChangeCounts }
  | { readonly kind: "completed" | "failed"; readonly address: string; readonly action: string; readonly elapsedSeconds: number }
  | { readonly kind: "diagnostic"; readonly diagnostic: Diagnostic };

/** A resource being created, modified, destroyed or read, and for how long. */
export interface Running {
  readonly address: string;
  readonly action: string;
  readonly elapsedSeconds: number;
}

interface InFlight {
  readonly action: string;
  readonly sinceMs: number;
  reportedSeconds: number;
  noticedSeconds: number;
}

/** Applying: one unit per resource Terraform creates, updates or deletes (a replacement is a delete and a create). */
const PLANNED_WEIGHT: Record<string, number> = { create: 1, update: 1, delete: 1, replace: 2 };

/** Parses one stdout line; anything that is not a UI message (a stray non-JSON line) is `undefined`. */
export function parseUiLine(line: string): UiMessage | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && typeof (value as UiMessage).type === "string" ? (value as UiMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** What one terraform command has done so far. */
export class TerraformProgress {
  phase: "starting" | "init" | "refreshing" | "planning" | "applying" | "done" = "starting";
  initStep?: "modules" | "backend" | "providers";
  initialized = false;
  refreshed = 0;
  /** Data sources read (in a plan's refresh, or during an apply). */
  reads = 0;
  drifted = 0;
  readonly planned: { readonly address: string; readonly action: string }[] = [];
  planSummary?: ChangeCounts;
  /** Terraform's own counts at the end of a successful apply or destroy. */
  applySummary?: ChangeCounts;
  done = 0;
  failed = 0;
  readonly diagnostics: Diagnostic[] = [];
  ignoredLines = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private refreshReported = false;

  constructor(
    readonly operation: TerraformOperation,
    readonly startedAtMs: number,
  ) {}

  /** Resources this apply or destroy changes: the plan's own summary, else the planned changes counted so far. */
  get total(): number | undefined {
    if (this.planSummary) return this.planSummary.add + this.planSummary.change + this.planSummary.remove;
    const counted = this.planned.reduce((sum, p) => sum + (PLANNED_WEIGHT[p.action] ?? 0), 0);
    return counted > 0 ? counted : undefined;
  }

  get errors(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === "error");
  }

  elapsedSeconds(nowMs: number): number {
    return Math.max(0, (nowMs - this.startedAtMs) / 1000);
  }

  /** Resources being worked on, longest-running first, with their elapsed seconds. */
  running(nowMs: number): Running[] {
    return [...this.inFlight.entries()]
      .map(([address, r]) => ({ address, action: r.action, elapsedSeconds: this.inFlightSeconds(r, nowMs) }))
      .sort((a, b) => b.elapsedSeconds - a.elapsedSeconds || a.address.localeCompare(b.address));
  }

  /**
   * Resources in flight for at least `everySeconds` more than when they were last returned here — so a caller
   * printing one line for each says "still creating" at most once per `everySeconds` per resource.
   */
  dueNotices(nowMs: number, everySeconds: number): Running[] {
    const due: Running[] = [];
    for (const [address, r] of this.inFlight) {
      const elapsedSeconds = this.inFlightSeconds(r, nowMs);
      if (elapsedSeconds - r.noticedSeconds >= everySeconds) {
        r.noticedSeconds = elapsedSeconds;
        due.push({ address, action: r.action, elapsedSeconds });
      }
    }
    return due;
  }

  feedLine(line: string, nowMs: number): ProgressEvent[] {
    const message = parseUiLine(line);
    if (!message) {
      if (line.trim() !== "") this.ignoredLines += 1;
      return [];
    }
    return this.feed(message, nowMs);
  }

  feed(message: UiMessage, nowMs: number): ProgressEvent[] {
    const address = message.hook?.resource?.addr ?? message.change?.resource?.addr ?? "";
    const action = message.hook?.action ?? message.change?.action ?? "";
    switch (message.type) {
      case "init_output":
        return this.initOutput(message.message_code ?? "");
      case "refresh_start":
        if (this.phase === "starting") this.phase = "refreshing";
        return [];
      case "refresh_complete":
        this.refreshed += 1;
        return [];
      case "resource_drift":
        // Drift is reported after the refresh, all of it before the first planned change.
        this.drifted += 1;
        if (this.phase === "starting" || this.phase === "refreshing") this.phase = "planning";
        return [];
      case "planned_change":
        this.planned.push({ address, action });
        return [...this.endRefresh(), { kind: "planned", address, action }];
      case "change_summary":
        return this.changeSummary(message.changes ?? {});
      case "apply_start":
        if (action !== "read") this.phase = "applying";
        else if (this.phase === "starting") this.phase = "refreshing";
        this.inFlight.set(address, { action, sinceMs: nowMs, reportedSeconds: 0, noticedSeconds: 0 });
        return [];
      case "apply_progress": {
        const r = this.inFlight.get(address);
        if (r) r.reportedSeconds = Math.max(r.reportedSeconds, message.hook?.elapsed_seconds ?? 0);
        return [];
      }
      case "apply_complete":
      case "apply_errored":
        return this.applyEnd(message, address, action, nowMs);
      case "diagnostic":
        return this.diagnostic(message.diagnostic ?? {});
      default:
        // version, outputs, log, provision_*, refresh details, test messages: nothing progress needs.
        return [];
    }
  }

  private inFlightSeconds(r: InFlight, nowMs: number): number {
    return Math.max(r.reportedSeconds, Math.floor((nowMs - r.sinceMs) / 1000));
  }

  private initOutput(code: string): ProgressEvent[] {
    this.phase = "init";
    if (code.includes("modules")) this.initStep = "modules";
    else if (code.includes("backend") || code.includes("cloud")) this.initStep = "backend";
    else if (code.includes("provider")) this.initStep = "providers";
    if (code.startsWith("output_init_success")) {
      this.initialized = true;
      this.phase = "done";
    }
    return [];
  }

  private endRefresh(): ProgressEvent[] {
    if (this.phase === "starting" || this.phase === "refreshing") this.phase = "planning";
    if (this.refreshReported) return [];
    this.refreshReported = true;
    return [{ kind: "refreshed", refreshed: this.refreshed, reads: this.reads, drifted: this.drifted }];
  }

  private changeSummary(raw: Partial<ChangeCounts> & { operation?: string }): ProgressEvent[] {
    const changes: ChangeCounts = { add: raw.add ?? 0, change: raw.change ?? 0, remove: raw.remove ?? 0, import: raw.import ?? 0 };
    if (raw.operation === "plan") {
      const events = this.endRefresh();
      this.planSummary = changes;
      if (this.operation === "plan") this.phase = "done";
      return [...events, { kind: "plan-summary", changes }];
    }
    this.applySummary = changes;
    this.phase = "done";
    return [];
  }

  private applyEnd(message: UiMessage, address: string, action: string, nowMs: number): ProgressEvent[] {
    const r = this.inFlight.get(address);
    this.inFlight.delete(address);
    const elapsedSeconds = message.hook?.elapsed_seconds ?? (r ? this.inFlightSeconds(r, nowMs) : 0);
    const failed = message.type === "apply_errored";
    if (action === "read") {
      if (!failed) this.reads += 1;
      return failed ? [{ kind: "failed", address, action, elapsedSeconds }] : [];
    }
    if (failed) this.failed += 1;
    else this.done += 1;
    return [{ kind: failed ? "failed" : "completed", address, action, elapsedSeconds }];
  }

  private diagnostic(raw: NonNullable<UiMessage["diagnostic"]>): ProgressEvent[] {
    const file = raw.range?.filename;
    const line = raw.range?.start?.line;
    const diagnostic: Diagnostic = {
      severity: raw.severity === "error" ? "error" : "warning",
      summary: raw.summary ?? "",
      detail: raw.detail ?? "",
      ...(raw.address ? { address: raw.address } : {}),
      ...(file ? { location: line ? `${file} line ${line}` : file } : {}),
    };
    this.diagnostics.push(diagnostic);
    return [{ kind: "diagnostic", diagnostic }];
  }
}
