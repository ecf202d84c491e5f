/** How `rollout` and `rotate` print a deployment as it progresses, and the exit code of its outcome. */
import { EXIT } from "../operations/exit-codes";
import type { RolloutEvent, RolloutResult } from "../operations/rollout";
import type { Reporter } from "./reporter";

export function describeRolloutEvent(event: RolloutEvent): string {
  switch (event.type) {
    case "started":
      return `deployment ${event.deploymentId} started${event.previousDeploymentId ? ` (replacing ${event.previousDeploymentId})` : ""}`;
    case "progress":
      return `${event.rolloutState}: ${event.running}/${event.desired} running, ${event.pending} pending, ${event.failedTasks} failed`;
    case "stopped-task":
      return `task ${event.taskArn.split("/").pop()} stopped: ${event.diagnosis.summary}\n  reason: ${event.stoppedReason}\n  fix: ${event.diagnosis.fix}`;
  }
}

/**
 * Several services' rollouts (`rotate` of a shared secret, `rollout --all`): each reported as `reportRollout` does,
 * one --json document `{ ok, exitCode, rollouts }` (also for one rollout with `asList`, so `--all` always has one
 * shape); the exit code is the worst (a failure before a timeout).
 */
export function reportRollouts(out: Reporter, results: readonly RolloutResult[], options: { readonly asList?: boolean } = {}): number {
  if (results.length === 1 && !options.asList) return reportRollout(out, results[0]);
  const codes = results.map((result) => reportOutcome(out, result));
  const exitCode = codes.includes(EXIT.rolloutFailed) ? EXIT.rolloutFailed : codes.includes(EXIT.rolloutTimedOut) ? EXIT.rolloutTimedOut : EXIT.ok;
  out.result({ ok: exitCode === EXIT.ok, exitCode, rollouts: results.map((result, i) => ({ ok: codes[i] === EXIT.ok, exitCode: codes[i], ...result })) });
  return exitCode;
}

/** The outcome line, one diagnosis per distinct code, the --json document; returns the exit code. */
export function reportRollout(out: Reporter, result: RolloutResult): number {
  const exitCode = reportOutcome(out, result);
  out.result({ ok: exitCode === EXIT.ok, exitCode, ...result });
  return exitCode;
}

function reportOutcome(out: Reporter, result: RolloutResult): number {
  out.line(
    `${result.service}: deployment ${result.deploymentId} ${result.outcome.toUpperCase()} after ${result.durationSeconds} s${result.reason ? ` — ${result.reason}` : ""}`,
  );
  const codes = new Map<string, { summary: string; fix: string; count: number }>();
  for (const d of result.diagnoses) {
    const entry = codes.get(d.diagnosis.code) ?? { ...d.diagnosis, count: 0 };
    entry.count++;
    codes.set(d.diagnosis.code, entry);
  }
  for (const [code, d] of codes) out.line(`diagnosis (${d.count} task${d.count > 1 ? "s" : ""}, ${code}): ${d.summary}\n  fix: ${d.fix}`);
  for (const alarm of result.firedAlarms ?? []) {
    const then = result.outcome === "rolled-back" ? "ECS rolled the service back to its last completed deployment" : "ECS stopped the deployment";
    out.line(
      `diagnosis (deployment-alarm): alarm "${alarm.name}" went into ALARM at ${alarm.since}${alarm.reason ? ` — ${alarm.reason}` : ""}\n  fix: the new tasks passed their health checks but failed real traffic, and ${then}; read the service's logs from that time, fix, and deploy again`,
    );
  }
  return result.outcome === "completed" ? EXIT.ok : result.outcome === "timed-out" ? EXIT.rolloutTimedOut : EXIT.rolloutFailed;
}
