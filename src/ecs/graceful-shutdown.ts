/**
 * How a task stops: ECS takes it out of the target group and waits the deregistration delay (in-flight requests
 * finish, no new ones arrive), then sends SIGTERM; Spring Boot's graceful shutdown waits up to
 * `spring.lifecycle.timeout-per-shutdown-phase` (30 s by default) for what is still running, and the JVM then closes
 * the context. ECS sends SIGKILL `stopTimeout` seconds after SIGTERM (30 s unless set). So the stop timeout must
 * cover the shutdown phase plus the context's close, and the deregistration delay is not part of it.
 */

/** Spring Boot's default `spring.lifecycle.timeout-per-shutdown-phase`. */
export const SPRING_SHUTDOWN_PHASE_SECONDS = 30;
/** ECS's stop timeout when a container sets none (Fargate, and the EC2 agent's default). */
export const ECS_DEFAULT_STOP_TIMEOUT_SECONDS = 30;
/** What the JVM needs after the graceful phase to close the application context and exit. */
export const CONTEXT_CLOSE_SECONDS = 5;

export const SHUTDOWN_PHASE_VARIABLE = "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE";

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * A Spring Boot duration as seconds: `30s`, `500ms`, `1m`, a bare number (milliseconds, Spring's default unit),
 * or ISO-8601 (`PT30S`, `PT1M30S`). Undefined when Spring would not read it.
 */
export function springDurationSeconds(text: string): number | undefined {
  const simple = /^\s*([+-]?\d+)\s*([a-z]{1,2})?\s*$/i.exec(text);
  if (simple) {
    const unit = (simple[2] ?? "ms").toLowerCase();
    return unit in UNIT_SECONDS ? Number(simple[1]) * UNIT_SECONDS[unit] : undefined;
  }
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!iso || /T$/i.test(text.trim()) || text.trim().toUpperCase() === "P") return undefined;
  const [, days, hours, minutes, seconds] = iso;
  return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

/**
 * Why a stop timeout would SIGKILL the application in the middle of its graceful shutdown, or undefined when it
 * leaves room. Only checked when the environment sets the shutdown phase: with Spring's default of 30 s, a stop
 * timeout of at least 35 s is recommended but not required.
 */
export function gracefulShutdownProblem(environment: Readonly<Record<string, string>>, stopTimeoutSeconds: number | undefined): string | undefined {
  const phase = environment[SHUTDOWN_PHASE_VARIABLE];
  if (phase === undefined) return undefined;
  const phaseSeconds = springDurationSeconds(phase);
  if (phaseSeconds === undefined) return `${SHUTDOWN_PHASE_VARIABLE}=${JSON.stringify(phase)} is not a duration Spring Boot reads (30s, 500ms, 1m, PT30S)`;
  const stop = stopTimeoutSeconds ?? ECS_DEFAULT_STOP_TIMEOUT_SECONDS;
  const needed = Math.ceil(phaseSeconds + CONTEXT_CLOSE_SECONDS);
  if (stop >= needed) return undefined;
  return `${stopTimeoutSeconds === undefined ? "ECS's default stop timeout" : "stopTimeoutSeconds"} ${stop} s would SIGKILL the application during its graceful shutdown: ${SHUTDOWN_PHASE_VARIABLE}=${phase} gives it ${phaseSeconds} s after SIGTERM, plus ${CONTEXT_CLOSE_SECONDS} s to close; set stopTimeoutSeconds to at least ${needed}${needed > 120 ? " (Fargate allows at most 120: shorten the shutdown phase)" : ""}`;
}
