/**
 * What one service is: its image, size, health check, rollout and container settings. An app's services each have
 * these settings; today's single-service config holds them at the top level.
 */
import { z } from "zod";
import { CONTAINER_SECRET_SOURCE } from "../aws/patterns";
import { FARGATE_MEMORY_BY_CPU, LOG_RETENTION_DAYS } from "../aws/limits";
import { ImageReferenceError, parseImageReference } from "../registry/image-reference";
import { ENV_VAR_NAME_SOURCE } from "../util/patterns";
import { DEFAULTS } from "./defaults";
import { bool, described, describeSizes, int, pattern, strictObject } from "./primitives";

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
    ctx.addIssue({
      code: "custom",
      path: ["timeoutSeconds"],
      input: check.timeoutSeconds,
      message: `must be less than intervalSeconds (${check.intervalSeconds})`,
    });
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

/** The fields of one service, as an object shape (spread into the config's top level for a single-service config). */
export const serviceShape = {
  image: described(
    z.string({ error: "must be an image reference such as ghcr.io/acme/orders:1.4.2" }).superRefine((value, ctx) => {
      try {
        parseImageReference(value);
      } catch (error) {
        if (!(error instanceof ImageReferenceError)) throw error;
        ctx.addIssue({ code: "custom", message: error.message, input: value });
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
    ctx.addIssue({
      code: "custom",
      path: [...path, "memory"],
      input: service.memory,
      message: `is not a Fargate size for cpu ${service.cpu}; allowed: ${describeSizes(memories)}`,
    });
  }
  if (service.containerMemory !== undefined && service.containerMemory > service.memory) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "containerMemory"],
      input: service.containerMemory,
      message: `must not exceed the task memory (${service.memory} MiB)`,
    });
  }
  for (const name of Object.keys(service.secrets)) {
    if (name in service.environment) {
      ctx.addIssue({
        code: "custom",
        path: [...path, "secrets", name],
        input: name,
        message: "is also set in environment; a variable comes from one place only",
      });
    }
  }
}
