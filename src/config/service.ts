/**
 * What one service is: its image, size, health check, rollout and container settings. An app's services each have
 * these settings; today's single-service config holds them at the top level.
 */
import { z } from "zod";
import { CONTAINER_SECRET_SOURCE } from "../aws/patterns";
import { FARGATE_MEMORY_BY_CPU, LOG_RETENTION_DAYS } from "../aws/limits";
import { ImageReferenceError, parseImageReference } from "../registry/image-reference";
import { ENV_VAR_NAME_SOURCE } from "../util/patterns";
import { autoscalingPlan, deploymentCanStart } from "../ecs/autoscaling";
import { gracefulShutdownProblem, SHUTDOWN_PHASE_VARIABLE } from "../ecs/graceful-shutdown";
import { serviceAlarmsSchema } from "./alarms";
import { DEFAULTS } from "./defaults";
import { addProblem, bool, described, describeSizes, int, pattern, strictObject } from "./primitives";

const envName = pattern(ENV_VAR_NAME_SOURCE, "an environment variable name (letters, digits and _, not starting with a digit)");

const healthCheck = strictObject({
  path: described(
    z
      .string({ error: "must be a URL path starting with /" })
      .regex(/^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]{0,1023}$/, "must be a URL path starting with / (at most 1024 characters)")
      .default(DEFAULTS.healthCheck.path),
    "Path the target group checks. Spring Boot actuator's aggregate health endpoint by default.",
  ),
  matcher: described(
    pattern(
      "[1-5]\\d\\d(?:-[1-5]\\d\\d)?(?:,[1-5]\\d\\d(?:-[1-5]\\d\\d)?)*",
      'HTTP codes like "200", "200,204" or "200-299" (keep "200": actuator answers 503 when DOWN)',
    ).default(DEFAULTS.healthCheck.matcher),
    "HTTP codes that mean healthy. Actuator answers 503 when DOWN, so only 200 is healthy.",
  ),
  intervalSeconds: described(int(5, 300).default(DEFAULTS.healthCheck.intervalSeconds), "Seconds between health checks (AWS default 30)."),
  timeoutSeconds: described(int(2, 120).default(DEFAULTS.healthCheck.timeoutSeconds), "Seconds a check may take; less than intervalSeconds."),
  healthyThreshold: described(
    int(2, 10).default(DEFAULTS.healthCheck.healthyThreshold),
    "Passing checks before a target is in service (AWS default 5): with the defaults a started task serves traffic after about 20 s instead of 150 s.",
  ),
  unhealthyThreshold: described(int(2, 10).default(DEFAULTS.healthCheck.unhealthyThreshold), "Failing checks before a target is out of service."),
  gracePeriodSeconds: described(
    int(0, 2147483647).default(DEFAULTS.healthCheck.gracePeriodSeconds),
    "Seconds ECS ignores failing load-balancer health checks after a task starts, for Spring Boot start-up.",
  ),
}).superRefine((check, ctx) => {
  if (check.timeoutSeconds >= check.intervalSeconds) {
    addProblem(ctx, { path: ["timeoutSeconds"], input: check.timeoutSeconds, message: `must be less than intervalSeconds (${check.intervalSeconds})` });
  }
});

const deployment = strictObject({
  minimumHealthyPercent: described(
    int(0, 100).default(DEFAULTS.deployment.minimumHealthyPercent),
    "Share of desiredCount ECS keeps healthy during a rollout. The circuit breaker with rollback is always on.",
  ),
  maximumPercent: described(int(100, 200).default(DEFAULTS.deployment.maximumPercent), "Share of desiredCount that may run during a rollout."),
  waitForSteadyState: described(
    bool().default(DEFAULTS.deployment.waitForSteadyState),
    "Terraform waits until the rollout is steady, so a deploy whose tasks never become healthy fails.",
  ),
});

/** Application Auto Scaling's schedule expressions: https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html */
const SCHEDULE_EXPRESSION =
  "cron\\((?:\\S+ ){5}\\S+\\)|rate\\([1-9]\\d{0,5} (?:minute|minutes|hour|hours|day|days)\\)|at\\(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\)";

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const schedule = strictObject({
  name: described(
    pattern("[a-z][a-z0-9-]{0,30}[a-z0-9]", "2-32 lowercase letters, digits and -, starting with a letter"),
    "Names the scheduled action, `<service>-<name>`.",
  ),
  schedule: described(
    pattern(
      SCHEDULE_EXPRESSION,
      'an Application Auto Scaling schedule: "cron(0 8 ? * MON-FRI *)" (minutes hours day-of-month month day-of-week year), "rate(6 hours)" or "at(2026-12-24T18:00:00)"',
    ),
    "When the action runs: `cron(0 8 ? * MON-FRI *)` (six fields), `rate(6 hours)` or `at(2026-12-24T18:00:00)`.",
  ),
  timezone: described(
    z
      .string({ error: "must be an IANA time zone such as Europe/London or UTC" })
      .refine(isTimeZone, "must be an IANA time zone such as Europe/London or UTC")
      .default(DEFAULTS.autoscaling.timezone),
    "IANA time zone the schedule is read in, e.g. `Europe/London`.",
  ),
  minCount: described(int(0, 1000).optional(), "The scaler's minimum from then on. Default: unchanged."),
  maxCount: described(int(0, 1000).optional(), "The scaler's maximum from then on. Default: unchanged."),
}).superRefine((action, ctx) => {
  if (action.minCount === undefined && action.maxCount === undefined) {
    addProblem(ctx, { path: ["minCount"], input: undefined, message: "is missing, and so is maxCount; a scheduled action sets one or both" });
  }
  const rate = /^rate\(([1-9]\d{0,5}) (minute|hour|day)(s?)\)$/.exec(action.schedule);
  if (rate && (rate[1] === "1") !== (rate[3] === "")) {
    const fixed = `rate(${rate[1]} ${rate[2]}${rate[1] === "1" ? "" : "s"})`;
    addProblem(ctx, { path: ["schedule"], input: action.schedule, message: `must be ${fixed}: a rate of 1 takes the singular unit, any other the plural` });
  }
  if (action.minCount !== undefined && action.maxCount !== undefined && action.minCount > action.maxCount) {
    addProblem(ctx, { path: ["minCount"], input: action.minCount, message: `must be at most maxCount (${action.maxCount})` });
  }
});

const autoscaling = strictObject({
  enabled: described(bool().optional(), "Let Application Auto Scaling set the task count. Default: on for a service with a desiredCount of at least 1."),
  minCount: described(int(0, 1000).optional(), "Fewest tasks the scaler leaves running. Default: desiredCount."),
  maxCount: described(int(1, 1000).optional(), "Most tasks the scaler starts. Default: twice minCount, and at least one more."),
  cpuPercent: described(
    int(10, 95).optional(),
    `Average CPU (%) the scaler keeps the service at. Default: ${DEFAULTS.autoscaling.cpuPercent} when neither memoryPercent nor requestsPerTarget is given.`,
  ),
  memoryPercent: described(int(10, 95).optional(), "Average memory (%) the scaler keeps the service at. Default: not tracked."),
  requestsPerTarget: described(
    int(1, 1000000).optional(),
    "Load-balancer requests per task per minute the scaler keeps (ALBRequestCountPerTarget); load-balanced services only. Default: not tracked.",
  ),
  scaleOutCooldownSeconds: described(
    int(0, 86400).default(DEFAULTS.autoscaling.scaleOutCooldownSeconds),
    "Seconds after a scale-out before the next: about the time a new task takes to start and pass its health checks.",
  ),
  scaleInCooldownSeconds: described(
    int(0, 86400).default(DEFAULTS.autoscaling.scaleInCooldownSeconds),
    "Seconds after a scale-in before the next (AWS's default): a lull between two bursts does not stop the tasks the next one needs.",
  ),
  schedules: described(
    z.array(schedule, { error: "must be a list of scheduled actions" }).max(50, "must hold at most 50 scheduled actions").default([]),
    'Scheduled changes of minCount / maxCount for known peaks, e.g. `[{"name": "workday", "schedule": "cron(0 7 ? * MON-FRI *)", "timezone": "Europe/London", "minCount": 4}]`.',
  ),
});

/** The fields of one service, as an object shape (spread into the config's top level for a single-service config). */
export const serviceShape = {
  image: described(
    z.string({ error: "must be an image reference such as ghcr.io/acme/orders:1.4.2" }).superRefine((value, ctx) => {
      try {
        parseImageReference(value);
      } catch (error) {
        if (!(error instanceof ImageReferenceError)) throw error;
        addProblem(ctx, { message: error.message, input: value });
      }
    }),
    "Registry host, repository and `:tag` and/or `@sha256:` digest, e.g. `ghcr.io/acme/orders:1.4.2`. No implicit `docker.io` or `latest`.",
  ),
  containerPort: described(int(1, 65535).default(DEFAULTS.containerPort), "Port the application listens on; the target group forwards there."),
  cpu: described(
    z.literal(Object.keys(FARGATE_MEMORY_BY_CPU).map(Number) as [number, ...number[]], {
      error: `must be one of the Fargate CPU sizes ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")} (1024 = 1 vCPU)`,
    }),
    "Task vCPU units, a Fargate size (1024 = 1 vCPU).",
  ),
  memory: described(int(512, 122880), "Task memory in MiB; a Fargate size for `cpu` (e.g. 512 → 1024 to 4096)."),
  containerMemory: described(int(6, 122880).optional(), "The container's hard memory limit in MiB, at most `memory`. Default: the task memory."),
  cpuArchitecture: described(
    z.enum(["X86_64", "ARM64"], { error: 'must be "X86_64" or "ARM64" (the image\'s platform)' }).default(DEFAULTS.cpuArchitecture),
    "The image's platform.",
  ),
  desiredCount: described(int(0, 1000).default(DEFAULTS.desiredCount), "Tasks to run."),
  healthCheck: described(
    healthCheck.default(() => healthCheck.parse({})),
    "The target group's health check of each task.",
  ),
  stopTimeoutSeconds: described(
    int(2, 120).optional(),
    "Seconds between SIGTERM and SIGKILL when a task stops (after the load balancer has drained it). Must cover Spring Boot's graceful shutdown phase (`SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE`, 30 s by default) plus about 5 s; checked when the environment sets that phase. Default: ECS's 30 s.",
  ),
  deregistrationDelaySeconds: described(
    int(0, 3600).default(DEFAULTS.deregistrationDelaySeconds),
    "Seconds the load balancer drains a task before it stops (AWS default 300 makes every deploy wait five minutes).",
  ),
  deployment: described(
    deployment.default(() => deployment.parse({})),
    "How a rollout replaces tasks.",
  ),
  environment: described(
    z.record(envName, z.string({ error: "environment values must be strings" })).default({}),
    "Plain environment variables of the container.",
  ),
  secrets: described(
    z
      .record(
        envName,
        pattern(
          CONTAINER_SECRET_SOURCE,
          "a Secrets Manager secret ARN (full, with its 6-character suffix, optionally followed by :json-key:version-stage:version-id) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)",
        ),
      )
      .default({}),
    "Variable name → Secrets Manager secret ARN (`:json-key::` allowed) or SSM parameter ARN; the execution role is granted exactly these.",
  ),
  autoscaling: described(
    autoscaling.default(() => autoscaling.parse({})),
    "Application Auto Scaling of the task count: target tracking on CPU, memory or requests per task, and schedules. On by default; the scaler owns the count, so an apply never resets a scaled-out service.",
  ),
  alarms: serviceAlarmsSchema,
  exec: described(
    bool().default(false),
    "ECS Exec: operators may open a shell in the service's running tasks (`aws ecs execute-command`), each session logged to the environment's exec log group. Needs `readOnlyRootFilesystem: false` (the exec agent writes to the container's filesystem).",
  ),
  logRetentionDays: described(
    z.literal([...LOG_RETENTION_DAYS], { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (days)` }).default(DEFAULTS.logRetentionDays),
    "Days CloudWatch Logs keeps the service's logs (a CloudWatch retention value).",
  ),
  readOnlyRootFilesystem: described(
    bool().default(DEFAULTS.readOnlyRootFilesystem),
    "The container cannot modify its image (CKV_AWS_336); a task-scoped writable volume is mounted at /tmp for Tomcat and the JVM. `false` if the app writes elsewhere.",
  ),
};

type ServiceSettings = z.output<z.ZodObject<typeof serviceShape>>;

/** The checks that span several service fields; `path` is where the service's fields sit in the config. */
export function checkService(service: ServiceSettings, ctx: z.core.$RefinementCtx, path: readonly (string | number)[] = []): void {
  const memories = FARGATE_MEMORY_BY_CPU[service.cpu];
  if (memories && !memories.includes(service.memory)) {
    addProblem(ctx, {
      path: [...path, "memory"],
      input: service.memory,
      message: `is not a Fargate size for cpu ${service.cpu}; allowed: ${describeSizes(memories)}`,
    });
  }
  if (service.containerMemory !== undefined && service.containerMemory > service.memory) {
    addProblem(ctx, { path: [...path, "containerMemory"], input: service.containerMemory, message: `must not exceed the task memory (${service.memory} MiB)` });
  }
  checkAutoscaling(service, ctx, path);
  checkAlarms(service, ctx, path);
  const shutdown = gracefulShutdownProblem(service.environment, service.stopTimeoutSeconds);
  if (shutdown) {
    const field = service.stopTimeoutSeconds === undefined ? ["environment", SHUTDOWN_PHASE_VARIABLE] : ["stopTimeoutSeconds"];
    addProblem(ctx, { path: [...path, ...field], input: service.stopTimeoutSeconds ?? service.environment[SHUTDOWN_PHASE_VARIABLE], message: shutdown });
  }
  if (service.exec && service.readOnlyRootFilesystem) {
    addProblem(ctx, {
      path: [...path, "exec"],
      input: true,
      message:
        "needs readOnlyRootFilesystem false: the ECS Exec agent writes to the container's root filesystem (/var/lib/amazon/ssm, /var/log/amazon/ssm, /managed-agents) and stops at once on a read-only one",
    });
  }
  for (const name of Object.keys(service.secrets)) {
    if (name in service.environment) {
      addProblem(ctx, { path: [...path, "secrets", name], input: name, message: "is also set in environment; a variable comes from one place only" });
    }
  }
}

/** An alarm at or below the level the scaler keeps the service at would fire whenever the service is busy. */
function checkAlarms(service: ServiceSettings, ctx: z.core.$RefinementCtx, path: readonly (string | number)[]): void {
  const plan = autoscalingPlan(service);
  if (!service.alarms.enabled || !plan) return;
  for (const policy of plan.policies) {
    const field =
      policy.metric === "ECSServiceAverageCPUUtilization" ? "cpuPercent" : policy.metric === "ECSServiceAverageMemoryUtilization" ? "memoryPercent" : undefined;
    if (field && service.alarms[field] <= policy.targetValue) {
      addProblem(ctx, {
        path: [...path, "alarms", field],
        input: service.alarms[field],
        message: `must be above autoscaling.${field} (${policy.targetValue}): the scaler keeps the service at ${policy.targetValue} %, so the alarm would fire whenever it is busy`,
      });
    }
  }
}

function checkAutoscaling(service: ServiceSettings, ctx: z.core.$RefinementCtx, path: readonly (string | number)[]): void {
  // A count that failed its own check is reported there.
  if (!Number.isInteger(service.desiredCount) || service.desiredCount < 0) return;
  const at = [...path, "autoscaling"];
  const plan = autoscalingPlan(service);
  if (plan) {
    if (plan.minCount > service.desiredCount) {
      addProblem(ctx, {
        path: [...at, "minCount"],
        input: plan.minCount,
        message: `must be at most desiredCount (${service.desiredCount}): a deploy starts desiredCount tasks, inside the scaler's range`,
      });
    }
    if (plan.maxCount < Math.max(service.desiredCount, plan.minCount)) {
      const floor = plan.minCount > service.desiredCount ? `minCount (${plan.minCount})` : `desiredCount (${service.desiredCount})`;
      addProblem(ctx, { path: [...at, "maxCount"], input: plan.maxCount, message: `must be at least ${floor}` });
    }
    const seen = new Set<string>();
    plan.schedules.forEach((action, i) => {
      if (seen.has(action.name)) {
        addProblem(ctx, { path: [...at, "schedules", i, "name"], input: action.name, message: "names another scheduled action too; names are unique" });
      }
      seen.add(action.name);
    });
  }
  const lowest = plan ? plan.minCount : service.desiredCount;
  const { minimumHealthyPercent, maximumPercent } = service.deployment;
  if (!deploymentCanStart(lowest, minimumHealthyPercent, maximumPercent)) {
    addProblem(ctx, {
      path: [...path, "deployment", "maximumPercent"],
      input: maximumPercent,
      message: `with minimumHealthyPercent ${minimumHealthyPercent} lets no deployment start at ${lowest} task${lowest === 1 ? "" : "s"} (${plan ? "autoscaling.minCount" : "desiredCount"}): ECS could neither start a task beyond ${lowest} nor stop one; raise maximumPercent (200 doubles) or lower minimumHealthyPercent`,
    });
  }
}
