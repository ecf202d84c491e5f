/**
 * What Application Auto Scaling does for a service, from its settings: the count range, one target-tracking policy
 * per metric, the scheduled actions. Pure: the construct (constructs/service-autoscaling.ts) only creates it.
 */
import { DEFAULTS } from "../config/defaults";

/** The autoscaling settings of a service as the config schema outputs them. */
export interface AutoscalingSettings {
  readonly enabled?: boolean;
  readonly minCount?: number;
  readonly maxCount?: number;
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  readonly requestsPerTarget?: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
  readonly schedules: readonly ScheduleSettings[];
}

export interface ScheduleSettings {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly minCount?: number;
  readonly maxCount?: number;
}

/** Application Auto Scaling's predefined metrics for an ECS service. */
export type EcsScalingMetric = "ECSServiceAverageCPUUtilization" | "ECSServiceAverageMemoryUtilization" | "ALBRequestCountPerTarget";

export interface TargetTrackingPolicy {
  /** The policy's part of its name and construct id: `cpu`, `memory`, `requests`. */
  readonly id: "cpu" | "memory" | "requests";
  readonly metric: EcsScalingMetric;
  readonly targetValue: number;
}

export interface AutoscalingPlan {
  readonly minCount: number;
  readonly maxCount: number;
  readonly policies: readonly TargetTrackingPolicy[];
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
  readonly schedules: readonly ScheduleSettings[];
}

/** The scaling a service gets, or undefined when it runs a fixed count (`enabled: false`, or a desiredCount of 0). */
export function autoscalingPlan(service: { readonly desiredCount: number; readonly autoscaling: AutoscalingSettings }): AutoscalingPlan | undefined {
  const settings = service.autoscaling;
  if (!(settings.enabled ?? service.desiredCount > 0)) return undefined;
  const minCount = settings.minCount ?? service.desiredCount;
  const maxCount = settings.maxCount ?? Math.max(minCount * DEFAULTS.autoscaling.maxCountFactor, minCount + 1);
  const anyMetric = settings.cpuPercent !== undefined || settings.memoryPercent !== undefined || settings.requestsPerTarget !== undefined;
  const cpuPercent = anyMetric ? settings.cpuPercent : DEFAULTS.autoscaling.cpuPercent;
  const policies: TargetTrackingPolicy[] = [
    ...(cpuPercent !== undefined ? [{ id: "cpu", metric: "ECSServiceAverageCPUUtilization", targetValue: cpuPercent } as const] : []),
    ...(settings.memoryPercent !== undefined
      ? [{ id: "memory", metric: "ECSServiceAverageMemoryUtilization", targetValue: settings.memoryPercent } as const]
      : []),
    ...(settings.requestsPerTarget !== undefined
      ? [{ id: "requests", metric: "ALBRequestCountPerTarget", targetValue: settings.requestsPerTarget } as const]
      : []),
  ];
  return {
    minCount,
    maxCount,
    policies,
    scaleOutCooldownSeconds: settings.scaleOutCooldownSeconds,
    scaleInCooldownSeconds: settings.scaleInCooldownSeconds,
    schedules: settings.schedules,
  };
}

/**
 * Whether ECS can start a deployment of `count` tasks: it must either start one task beyond the count
 * (maximumPercent) or stop one while keeping minimumHealthyPercent running.
 */
export function deploymentCanStart(count: number, minimumHealthyPercent: number, maximumPercent: number): boolean {
  if (count === 0) return true;
  const extra = Math.floor((count * maximumPercent) / 100) - count;
  const stoppable = count - Math.ceil((count * minimumHealthyPercent) / 100);
  return extra >= 1 || stoppable >= 1;
}
