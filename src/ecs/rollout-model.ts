/**
 * How long an ECS rolling deployment takes, from the service's and target group's settings.
 *
 * Symbols: D desired count, m / M minimum healthy / maximum percent, G health-check grace period, I health-check
 * interval, H healthy threshold, U unhealthy threshold, R deregistration delay, S task start time (image pull +
 * application start until it answers the health check; an assumption, default 45 s for a Spring Boot image).
 *
 * - ECS keeps at least `ceil(D × m / 100)` tasks healthy and runs at most `floor(D × M / 100)`, so it starts
 *   `B = min(D, floor(D × M / 100) − ceil(D × m / 100))` new tasks at a time (a wave).
 * - **Successful rolling deployment** = `ceil(D / B) × (S + I × H + R)`: each wave starts its tasks, the load
 *   balancer needs H consecutive passing checks I apart to put them in service, then the replaced tasks drain for
 *   the deregistration delay before they stop. (The grace period does not delay a healthy task.)
 * - **Failed deployment rolled back**: the circuit breaker trips after `T = min(200, max(3, ceil(D / 2)))` failed
 *   tasks (AWS's bounded 50 % threshold). A task that never becomes healthy fails `S + max(G, I × U)` after launch
 *   (unhealthy checks are ignored during the grace period) and drains for R; B fail at a time, so that takes
 *   `ceil(T / B)` rounds. Old tasks stopped early to make room for the first wave (`max(0, B − (floor(D × M/100) − D))`)
 *   come back in the rollback, one wave each `S + I × H`. Total =
 *   `ceil(T / B) × (S + max(G, I × U) + R) + ceil(stoppedEarly / B) × (S + I × H)`.
 *
 * - **Deploy that fails real traffic, rolled back by a deployment alarm** (new tasks pass their health checks, then
 *   answer 5xx): the first wave is in service after `S + I × H`; the alarm fires once its window W (evaluation
 *   periods × period) has breached, plus one period P for CloudWatch to receive the load balancer's metrics; meanwhile
 *   `r = min(waves, 1 + floor((W + P) / (S + I × H + R)))` waves have replaced old tasks. The rollback starts those
 *   again (`r × (S + I × H)`) and drains the bad tasks (R). Total = `S + I × H + W + P + r × (S + I × H) + R`.
 *   After a good deploy ECS also watches the alarms for a bake time it derives from them, so COMPLETED comes later.
 *
 * Not modelled: ECS's launch back-off after repeated failures (makes failing rounds slower), EC2 capacity that must
 * scale out first, Terraform's own polling interval. The figures are estimates to compare settings, not SLAs.
 * Written up for users, with a worked example, in docs/rollout-model.md.
 */

import type { TerraformBlock, TerraformDocument } from "../terraform/document";

export interface RolloutSettings {
  readonly desiredCount: number;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  readonly healthCheckGracePeriodSeconds: number;
  readonly healthCheckIntervalSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly deregistrationDelaySeconds: number;
  /** Deployment circuit breaker with rollback on. */
  readonly circuitBreaker: boolean;
  /**
   * The longest window (evaluation periods × period, seconds) of the alarms ECS watches during a deployment.
   * @default - no deployment alarms
   */
  readonly deploymentAlarmWindowSeconds?: number;
}

export interface RolloutAssumptions {
  /** Seconds from launch until the application answers its health check (image pull + start-up). */
  readonly taskStartSeconds?: number;
}

/** Image pull plus Spring Boot start-up on 0.5 vCPU. */
const DEFAULT_TASK_START_SECONDS = 45;

/** What AWS uses when a service and an HTTP target group are created without these settings (console/API). */
export const AWS_DEFAULT_ROLLOUT_SETTINGS: Omit<RolloutSettings, "desiredCount"> = {
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  healthCheckGracePeriodSeconds: 0,
  healthCheckIntervalSeconds: 30,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
  deregistrationDelaySeconds: 300,
  circuitBreaker: true,
};

export interface RolloutEstimate {
  readonly settings: RolloutSettings;
  readonly taskStartSeconds: number;
  readonly minimumHealthyTasks: number;
  readonly maximumRunningTasks: number;
  /** New tasks started at once (B). Zero or less: the deployment cannot start a single new task. */
  readonly tasksPerWave: number;
  readonly waves: number;
  readonly waveSeconds: number;
  /** Undefined when no wave can start (e.g. 100 % / 100 %). */
  readonly rollingDeploySeconds: number | undefined;
  /** Undefined without a circuit breaker. */
  readonly circuitBreakerThreshold: number | undefined;
  readonly failingRounds: number;
  /** Undefined without a circuit breaker (a bad deployment keeps retrying), when no wave can start, or with D = 0. */
  readonly failedDeployRolledBackSeconds: number | undefined;
  /** Undefined without deployment alarms, when no wave can start, or with D = 0. */
  readonly alarmRolledBackSeconds: number | undefined;
}

/** CloudWatch receives a load balancer's per-minute metrics about a minute late. */
const METRIC_DELAY_SECONDS = 60;

export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}

export function estimateRollout(settings: RolloutSettings, assumptions: RolloutAssumptions = {}): RolloutEstimate {
  const start = assumptions.taskStartSeconds ?? DEFAULT_TASK_START_SECONDS;
  const desired = settings.desiredCount;
  const minimumHealthyTasks = Math.ceil((desired * settings.minimumHealthyPercent) / 100);
  const maximumRunningTasks = Math.floor((desired * settings.maximumPercent) / 100);
  const tasksPerWave = Math.min(desired, maximumRunningTasks - minimumHealthyTasks);
  const registration = settings.healthCheckIntervalSeconds * settings.healthyThreshold;
  const waveSeconds = start + registration + settings.deregistrationDelaySeconds;
  const canProgress = desired === 0 || tasksPerWave > 0;
  const waves = desired === 0 ? 0 : canProgress ? Math.ceil(desired / tasksPerWave) : Infinity;

  const threshold = settings.circuitBreaker ? circuitBreakerThreshold(desired) : undefined;
  const failingRounds = threshold !== undefined && canProgress && desired > 0 ? Math.ceil(threshold / tasksPerWave) : 0;
  const failureSeconds = start + Math.max(settings.healthCheckGracePeriodSeconds, settings.healthCheckIntervalSeconds * settings.unhealthyThreshold);
  const stoppedEarly = Math.max(0, tasksPerWave - (maximumRunningTasks - desired));
  const restoreWaves = canProgress && desired > 0 ? Math.ceil(stoppedEarly / tasksPerWave) : 0;

  const inService = start + registration;
  const alarmAfter = settings.deploymentAlarmWindowSeconds === undefined ? undefined : settings.deploymentAlarmWindowSeconds + METRIC_DELAY_SECONDS;
  const replacedWaves = alarmAfter === undefined || !canProgress || desired === 0 ? 0 : Math.min(waves, 1 + Math.floor(alarmAfter / waveSeconds));

  return {
    settings,
    taskStartSeconds: start,
    minimumHealthyTasks,
    maximumRunningTasks,
    tasksPerWave,
    waves,
    waveSeconds,
    rollingDeploySeconds: canProgress ? waves * waveSeconds : undefined,
    circuitBreakerThreshold: threshold,
    failingRounds,
    failedDeployRolledBackSeconds:
      failingRounds > 0 ? failingRounds * (failureSeconds + settings.deregistrationDelaySeconds) + restoreWaves * (start + registration) : undefined,
    alarmRolledBackSeconds:
      alarmAfter !== undefined && replacedWaves > 0 ? inService + alarmAfter + replacedWaves * inService + settings.deregistrationDelaySeconds : undefined,
  };
}

/** `45s`, `2m 05s`, `1h 02m 05s`. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.round(totalSeconds);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

const ROLLOUT_MODEL_REFERENCE = "docs/rollout-model.md";

/** One line: `orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s (model: docs/rollout-model.md)`. */
export function describeRollout(label: string, estimate: RolloutEstimate): string {
  const { settings } = estimate;
  if (settings.desiredCount === 0) return `${label}: desired count 0, nothing to roll out (model: ${ROLLOUT_MODEL_REFERENCE})`;
  const rolling =
    estimate.rollingDeploySeconds === undefined
      ? `rolling deploy cannot start (minimum healthy ${settings.minimumHealthyPercent} % and maximum ${settings.maximumPercent} % of ${settings.desiredCount} leave no room for a new task)`
      : `rolling deploy ≈ ${formatDuration(estimate.rollingDeploySeconds)}`;
  const failed =
    estimate.failedDeployRolledBackSeconds !== undefined
      ? `failed deploy rolled back ≈ ${formatDuration(estimate.failedDeployRolledBackSeconds)}`
      : settings.circuitBreaker
        ? "failed deploy never rolled back (no wave can start)"
        : "failed deploy never rolled back (circuit breaker off)";
  const byAlarm =
    estimate.alarmRolledBackSeconds !== undefined
      ? `, deploy failing real traffic rolled back by alarm ≈ ${formatDuration(estimate.alarmRolledBackSeconds)}`
      : "";
  return `${label}: ${rolling}, ${failed}${byAlarm} (model: ${ROLLOUT_MODEL_REFERENCE})`;
}

export interface ServiceRolloutSettings {
  /** Terraform address of the `aws_ecs_service`. */
  readonly address: string;
  /** The service's `name`. */
  readonly name: string;
  readonly settings: RolloutSettings;
}

/** The first of a nested block list, or the block itself when rendered as an object. */
function firstBlock(value: unknown): TerraformBlock | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === "object" ? first : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
}

/**
 * The rollout settings of every `aws_ecs_service` in a synthesized stack, with its target group (first
 * `load_balancer` entry). Attributes left out take the AWS provider's defaults (desired 0, 100 / 200 %, grace 0;
 * target group interval 30 s, thresholds 3 / 3, deregistration 300 s). Without a load balancer, registration and
 * draining take no time.
 */
export function rolloutSettingsFromStack(document: TerraformDocument): ServiceRolloutSettings[] {
  const services = Object.entries(document.resource?.aws_ecs_service ?? {});
  return services.map(([logicalId, service]) => {
    const targetGroupRef: unknown = firstBlock(service.load_balancer)?.target_group_arn;
    const match = typeof targetGroupRef === "string" ? /^\$\{aws_lb_target_group\.([^.}]+)\.arn\}$/.exec(targetGroupRef) : null;
    const targetGroup = match ? document.resource?.aws_lb_target_group?.[match[1]] : undefined;
    const healthCheck = firstBlock(targetGroup?.health_check) ?? {};
    const breaker = firstBlock(service.deployment_circuit_breaker);
    const alarmWindow = deploymentAlarmWindowSeconds(document, firstBlock(service.alarms));
    return {
      address: `aws_ecs_service.${logicalId}`,
      name: String(service.name ?? logicalId),
      settings: {
        desiredCount: numberOr(service.desired_count, 0),
        minimumHealthyPercent: numberOr(service.deployment_minimum_healthy_percent, 100),
        maximumPercent: numberOr(service.deployment_maximum_percent, 200),
        healthCheckGracePeriodSeconds: numberOr(service.health_check_grace_period_seconds, 0),
        healthCheckIntervalSeconds: targetGroup ? numberOr(healthCheck.interval, 30) : 0,
        healthyThreshold: targetGroup ? numberOr(healthCheck.healthy_threshold, 3) : 0,
        unhealthyThreshold: targetGroup ? numberOr(healthCheck.unhealthy_threshold, 3) : 0,
        deregistrationDelaySeconds: targetGroup ? numberOr(targetGroup.deregistration_delay, 300) : 0,
        circuitBreaker: breaker?.enable === true || breaker?.enable === "true",
        ...(alarmWindow !== undefined ? { deploymentAlarmWindowSeconds: alarmWindow } : {}),
      },
    };
  });
}

/**
 * The longest window of the stack's alarms a service's `alarms` block names (alarms defined elsewhere are not
 * known); undefined when deployment alarms are off or none of them is in the stack.
 */
function deploymentAlarmWindowSeconds(document: TerraformDocument, alarms: TerraformBlock | undefined): number | undefined {
  if (!alarms || !(alarms.enable === true || alarms.enable === "true") || !Array.isArray(alarms.alarm_names)) return undefined;
  const names = new Set(alarms.alarm_names);
  const windows = Object.values(document.resource?.aws_cloudwatch_metric_alarm ?? {})
    .filter((alarm) => names.has(alarm.alarm_name))
    .map((alarm) => {
      const queries = Array.isArray(alarm.metric_query) ? (alarm.metric_query as TerraformBlock[]) : [];
      const period = Math.max(numberOr(alarm.period, 0), ...queries.map((q) => numberOr(firstBlock(q.metric)?.period, 0)));
      return numberOr(alarm.evaluation_periods, 1) * period;
    });
  return windows.length > 0 ? Math.max(...windows) : undefined;
}

/** One `describeRollout` line per service of a stack (labelled by the stack, plus the service when there are several). */
export function describeStackRollout(stackName: string, document: TerraformDocument, assumptions?: RolloutAssumptions): string[] {
  const services = rolloutSettingsFromStack(document);
  return services.map((service) =>
    describeRollout(services.length > 1 ? `${stackName}/${service.name}` : stackName, estimateRollout(service.settings, assumptions)),
  );
}
