/** Text for a Terraform run's progress: state in, lines out (see progress.ts for what may be printed). */
import { formatDuration } from "../ecs/rollout-model";
import type { ChangeCounts, Diagnostic, ProgressEvent, Running, TerraformProgress } from "./progress";

const VERB: Record<string, { doing: string; done: string }> = {
  create: { doing: "creating", done: "created" },
  update: { doing: "modifying", done: "modified" },
  delete: { doing: "destroying", done: "destroyed" },
  read: { doing: "reading", done: "read" },
  replace: { doing: "replacing", done: "replaced" },
};
const doing = (action: string) => VERB[action]?.doing ?? action;
const doneVerb = (action: string) => VERB[action]?.done ?? action;

const heading = (p: TerraformProgress, label?: string) => `${p.operation}${label ? ` ${label}` : ""}`;
const counts = (p: TerraformProgress) => `${p.done + p.failed}/${p.total ?? "?"}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The plan's own summary line, Terraform's wording: `39 to add, 0 to change, 0 to destroy`. */
export function renderChanges(changes: ChangeCounts): string {
  const parts = [`${changes.add} to add`, `${changes.change} to change`, `${changes.remove} to destroy`];
  return (changes.import > 0 ? [`${changes.import} to import`, ...parts] : parts).join(", ");
}

/** The one-line status a terminal shows and rewrites: `apply: 23/39 resources · 1m 12s · creating aws_lb.x (45s)`. */
export function renderStatus(p: TerraformProgress, nowMs: number, label?: string): string {
  const elapsed = formatDuration(p.elapsedSeconds(nowMs));
  const running = p.running(nowMs);
  const busy = running[0]
    ? ` · ${doing(running[0].action)} ${running[0].address} (${formatDuration(running[0].elapsedSeconds)})${running.length > 1 ? ` +${running.length - 1} more` : ""}`
    : "";
  // A finished command keeps showing its last figures until the summary replaces them.
  const phase = p.phase !== "done" ? p.phase : p.operation === "init" ? "init" : p.operation === "plan" ? "planning" : "applying";
  switch (phase) {
    case "starting":
      return `${heading(p, label)}: starting · ${elapsed}`;
    case "init":
      return `${heading(p, label)}: ${p.initialized ? "initialized" : `initializing${p.initStep ? ` ${p.initStep}` : ""}`} · ${elapsed}`;
    case "refreshing":
      return `${heading(p, label)}: refreshing · ${p.refreshed} refreshed · ${elapsed}${busy}`;
    case "planning":
      return `${heading(p, label)}: ${p.refreshed} refreshed · ${plural(p.planned.length, "change")} planned · ${elapsed}`;
    case "applying":
      return `${heading(p, label)}: ${counts(p)} resources${p.failed ? ` (${p.failed} failed)` : ""} · ${elapsed}${busy}`;
  }
}

/** A diagnostic in full (summary, where, detail); never its snippet, which can quote values. */
export function renderDiagnostic(d: Diagnostic): string[] {
  const where = [d.address ? `with ${d.address}` : "", d.location ? `on ${d.location}` : ""].filter(Boolean).join(", ");
  const detail = d.detail.trim()
    ? d.detail
        .trimEnd()
        .split("\n")
        .map((line) => (line ? `  ${line}` : ""))
    : [];
  return [`${d.severity === "error" ? "Error" : "Warning"}: ${d.summary}`, ...(where ? [`  ${where}`] : []), ...detail];
}

export interface RenderOptions {
  readonly label?: string;
  /** One line per planned change. */
  readonly listPlanned: boolean;
}

/**
 * The lines an event adds. A terminal gets the lasting ones (planned changes, failures, diagnostics, refresh and
 * plan counts); plain output also gets one line per finished resource, since it has no live status line.
 */
export function renderEvent(p: TerraformProgress, event: ProgressEvent, tty: boolean, options: RenderOptions): string[] {
  const prefix = options.label ? `${options.label}: ` : "";
  switch (event.kind) {
    case "refreshed": {
      const drift = event.drifted > 0 ? `, ${event.drifted} changed outside Terraform` : "";
      return [`${prefix}refreshed ${plural(event.refreshed, "resource")}, read ${plural(event.reads, "data source")}${drift}`];
    }
    case "planned":
      return options.listPlanned ? [`  planned ${event.action} ${event.address}`] : [];
    case "plan-summary":
      return p.operation === "plan" ? [] : [`${prefix}plan: ${renderChanges(event.changes)}`];
    case "completed":
      return tty ? [] : [`[${counts(p)}] ${doneVerb(event.action)} ${event.address} (${formatDuration(event.elapsedSeconds)})`];
    case "failed":
      return [`[${counts(p)}] FAILED ${doing(event.action)} ${event.address} after ${formatDuration(event.elapsedSeconds)}`];
    case "diagnostic":
      return renderDiagnostic(event.diagnostic);
  }
}

/** Plain output's line for a resource in flight a while: `still creating aws_lb.x (30s) · 23/39 done · 1m 12s`. */
export function renderStillRunning(p: TerraformProgress, r: Running, nowMs: number): string {
  const overall = p.phase === "applying" ? ` · ${counts(p)} done` : "";
  return `still ${doing(r.action)} ${r.address} (${formatDuration(r.elapsedSeconds)})${overall} · ${formatDuration(p.elapsedSeconds(nowMs))}`;
}

/** The last line: `apply complete: 39 added, 0 changed, 0 destroyed in 1m 35s`, a plan's counts, or what failed. */
export function renderSummary(p: TerraformProgress, nowMs: number, exitCode: number | "timeout", label?: string): string {
  const prefix = label ? `${label}: ` : "";
  const took = formatDuration(p.elapsedSeconds(nowMs));
  const failedRun = exitCode === "timeout" || (p.operation === "plan" ? exitCode !== 0 && exitCode !== 2 : exitCode !== 0);
  if (failedRun) {
    const how = exitCode === "timeout" ? `timed out after ${took}` : `failed after ${took} (exit ${exitCode})`;
    const progress = p.operation === "apply" || p.operation === "destroy" ? `: ${p.done} of ${p.total ?? "?"} resources done, ${p.failed} failed` : "";
    const errors = p.errors.length > 0 ? `; ${plural(p.errors.length, "error")} (above)` : "";
    return `${prefix}${p.operation} ${how}${progress}${errors}`;
  }
  switch (p.operation) {
    case "init":
      return `${prefix}init complete in ${took}`;
    case "plan":
      return `${label ?? "plan"}: ${p.planSummary ? renderChanges(p.planSummary) : "no change summary"}`;
    case "apply": {
      const c = p.applySummary ?? { add: 0, change: 0, remove: 0, import: 0 };
      const imported = c.import > 0 ? `${c.import} imported, ` : "";
      return `${prefix}apply complete: ${imported}${c.add} added, ${c.change} changed, ${c.remove} destroyed in ${took}`;
    }
    case "destroy":
      return `${prefix}destroy complete: ${p.applySummary?.remove ?? p.done} destroyed in ${took}`;
  }
}
