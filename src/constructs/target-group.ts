/**
 * A service's target group, health-checked on the Spring Boot actuator. A function, not a construct: the group is
 * created in the caller's scope under the caller's id, so its address stays what it has been (`load-balancer/targets`
 * in the single-service layout, `services/<service>/targets` in an app).
 */
import type { Construct } from "constructs";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { ELB_NAME_MAX_LENGTH } from "../aws/limits";
import { boundedName } from "../aws/names";
import { DEFAULTS } from "../config/defaults";

export interface HealthCheckSettings {
  /**
   * Path the target group checks.
   * @default "/actuator/health"
   */
  readonly path?: string;
  /**
   * HTTP codes that mean healthy. Actuator answers 503 when DOWN.
   * @default "200"
   */
  readonly matcher?: string;
  /** @default 10 */
  readonly intervalSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 2 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
}

export interface TargetGroupProps {
  /** Prefix of the group's name, `<prefix>-<port>` (`-inst` for instance targets), shortened with a hash beyond 32 characters. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Port the container listens on. */
  readonly port: number;
  /** @default "ip" */
  readonly targetType?: "ip" | "instance";
  /** @default - see HealthCheckSettings */
  readonly healthCheck?: HealthCheckSettings;
  /** @default 30 */
  readonly deregistrationDelaySeconds?: number;
}

/** Throws, naming the value and the fix, for settings no target group could use. */
export function validateTargetGroup(construct: string, props: TargetGroupProps): void {
  const check = { ...DEFAULTS.healthCheck, ...props.healthCheck };
  if (check.timeoutSeconds >= check.intervalSeconds) {
    throw new Error(`${construct} healthCheck.timeoutSeconds ${check.timeoutSeconds} must be less than intervalSeconds ${check.intervalSeconds}`);
  }
  if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) throw new Error(`${construct} targetPort ${props.port} is invalid: use 1-65535`);
  const targetType = props.targetType ?? "ip";
  if (targetType !== "ip" && targetType !== "instance")
    throw new Error(`${construct} targetType ${JSON.stringify(targetType)} is invalid: use "ip" or "instance"`);
}

export function createTargetGroup(scope: Construct, id: string, props: TargetGroupProps): LbTargetGroup {
  const check = { ...DEFAULTS.healthCheck, ...props.healthCheck };
  const targetType = props.targetType ?? "ip";
  return new LbTargetGroup(scope, id, {
    // Port and target type force a new group: they are in the name so it can be created before the old one goes.
    name: boundedName(`${props.namePrefix}-${props.port}${targetType === "instance" ? "-inst" : ""}`, ELB_NAME_MAX_LENGTH),
    targetType,
    protocol: "HTTP",
    port: props.port,
    vpcId: props.vpcId,
    deregistrationDelay: String(props.deregistrationDelaySeconds ?? DEFAULTS.deregistrationDelaySeconds),
    healthCheck: {
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: check.path,
      matcher: check.matcher,
      interval: check.intervalSeconds,
      timeout: check.timeoutSeconds,
      healthyThreshold: check.healthyThreshold,
      unhealthyThreshold: check.unhealthyThreshold,
    },
    lifecycle: { createBeforeDestroy: true },
  });
}
