import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingScheduledAction } from "@cdktf/provider-aws/lib/appautoscaling-scheduled-action";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { AutoscalingPlan } from "../ecs/autoscaling";

export interface ServiceAutoscalingProps {
  /** Prefix of the policies' and scheduled actions' names: `<name>-cpu`, `<name>-<schedule>`. */
  readonly name: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** From `autoscalingPlan`. */
  readonly plan: AutoscalingPlan;
  /**
   * `<load balancer ARN suffix>/<target group ARN suffix>`, which ALBRequestCountPerTarget counts requests of.
   * @default - none; required when the plan tracks requests
   */
  readonly requestCountResourceLabel?: string;
}

/**
 * Application Auto Scaling of an ECS service's task count: the scalable target, a target-tracking policy per metric
 * of the plan, and its scheduled actions. The ECS service must leave its desired count to the scaler
 * (`ignore_changes`), or every apply resets it.
 */
export class ServiceAutoscaling extends Construct {
  readonly resourceId: string;

  constructor(scope: Construct, id: string, props: ServiceAutoscalingProps) {
    super(scope, id);
    const { plan } = props;
    if (plan.minCount > plan.maxCount) {
      throw new Error(`ServiceAutoscaling minCount ${plan.minCount} exceeds maxCount ${plan.maxCount}: raise maxCount or lower minCount`);
    }
    if (plan.policies.some((p) => p.metric === "ALBRequestCountPerTarget") && !props.requestCountResourceLabel) {
      throw new Error(
        "ServiceAutoscaling tracks ALBRequestCountPerTarget without requestCountResourceLabel: pass the load balancer's and target group's ARN suffixes, or drop requestsPerTarget for a service without a target group",
      );
    }

    const target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${props.serviceName}`,
      minCapacity: plan.minCount,
      maxCapacity: plan.maxCount,
    });
    const scaled = { serviceNamespace: target.serviceNamespace, scalableDimension: target.scalableDimension, resourceId: target.resourceId };

    for (const policy of plan.policies) {
      new AppautoscalingPolicy(this, policy.id, {
        name: `${props.name}-${policy.id}`,
        policyType: "TargetTrackingScaling",
        ...scaled,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: policy.targetValue,
          scaleInCooldown: plan.scaleInCooldownSeconds,
          scaleOutCooldown: plan.scaleOutCooldownSeconds,
          predefinedMetricSpecification: {
            predefinedMetricType: policy.metric,
            resourceLabel: policy.metric === "ALBRequestCountPerTarget" ? props.requestCountResourceLabel : undefined,
          },
        },
      });
    }

    for (const action of plan.schedules) {
      new AppautoscalingScheduledAction(this, `schedule-${action.name}`, {
        name: `${props.name}-${action.name}`,
        ...scaled,
        schedule: action.schedule,
        timezone: action.timezone,
        scalableTargetAction: {
          minCapacity: action.minCount === undefined ? undefined : String(action.minCount),
          maxCapacity: action.maxCount === undefined ? undefined : String(action.maxCount),
        },
      });
    }
    this.resourceId = target.resourceId;
  }
}
