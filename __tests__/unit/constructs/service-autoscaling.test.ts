import { ServiceAutoscaling, type ServiceAutoscalingProps } from "../../../src/constructs/service-autoscaling";
import type { AutoscalingPlan } from "../../../src/ecs/autoscaling";
import { asBlock, resources, synthConstruct } from "../../helpers/synth";

const PLAN: AutoscalingPlan = {
  minCount: 2,
  maxCount: 6,
  policies: [
    { id: "cpu", metric: "ECSServiceAverageCPUUtilization", targetValue: 70 },
    { id: "requests", metric: "ALBRequestCountPerTarget", targetValue: 800 },
  ],
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
  schedules: [
    { name: "workday", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/London", minCount: 4 },
    { name: "night", schedule: "cron(0 20 * * ? *)", timezone: "UTC", minCount: 1, maxCount: 2 },
  ],
};

const synth = (props: Partial<ServiceAutoscalingProps> = {}) =>
  synthConstruct(
    (scope) =>
      new ServiceAutoscaling(scope, "autoscaling", {
        name: "shop-prod-api",
        clusterName: "shop-prod",
        serviceName: "api",
        plan: PLAN,
        requestCountResourceLabel: "app/shop-prod/0123456789abcdef/targetgroup/shop-prod-api-8081/fedcba9876543210",
        ...props,
      }),
  );

describe("ServiceAutoscaling", () => {
  it("registers the service's desired count as the scalable target, between minCount and maxCount", () => {
    expect(resources(synth(), "aws_appautoscaling_target").map((r) => r.block)).toEqual([
      { service_namespace: "ecs", scalable_dimension: "ecs:service:DesiredCount", resource_id: "service/shop-prod/api", min_capacity: 2, max_capacity: 6 },
    ]);
  });

  it("tracks each metric with its own policy on that target, with the cooldowns; requests counted on the service's target group", () => {
    const target = "aws_appautoscaling_target.autoscaling_target_10D32FB7";
    const scaled = {
      service_namespace: `\${${target}.service_namespace}`,
      scalable_dimension: `\${${target}.scalable_dimension}`,
      resource_id: `\${${target}.resource_id}`,
    };
    expect(resources(synth(), "aws_appautoscaling_policy").map((r) => r.block)).toEqual([
      {
        name: "shop-prod-api-cpu",
        policy_type: "TargetTrackingScaling",
        ...scaled,
        target_tracking_scaling_policy_configuration: {
          target_value: 70,
          scale_in_cooldown: 300,
          scale_out_cooldown: 60,
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
        },
      },
      {
        name: "shop-prod-api-requests",
        policy_type: "TargetTrackingScaling",
        ...scaled,
        target_tracking_scaling_policy_configuration: {
          target_value: 800,
          scale_in_cooldown: 300,
          scale_out_cooldown: 60,
          predefined_metric_specification: {
            predefined_metric_type: "ALBRequestCountPerTarget",
            resource_label: "app/shop-prod/0123456789abcdef/targetgroup/shop-prod-api-8081/fedcba9876543210",
          },
        },
      },
    ]);
  });

  it("adds a scheduled action per schedule, in its time zone, changing only the counts it names", () => {
    expect(
      resources(synth(), "aws_appautoscaling_scheduled_action").map((r) => [
        String(r.block.name),
        String(r.block.schedule),
        String(r.block.timezone),
        asBlock(r.block.scalable_target_action),
      ]),
    ).toEqual([
      ["shop-prod-api-night", "cron(0 20 * * ? *)", "UTC", { min_capacity: "1", max_capacity: "2" }],
      ["shop-prod-api-workday", "cron(0 7 ? * MON-FRI *)", "Europe/London", { min_capacity: "4" }],
    ]);
  });

  it("refuses to track requests without the load balancer and target group to count them on", () => {
    expect(() => synth({ requestCountResourceLabel: undefined })).toThrow(
      "ServiceAutoscaling tracks ALBRequestCountPerTarget without requestCountResourceLabel: pass the load balancer's and target group's ARN suffixes, or drop requestsPerTarget for a service without a target group",
    );
  });

  it("refuses a minimum above the maximum", () => {
    expect(() => synth({ plan: { ...PLAN, minCount: 7 } })).toThrow("ServiceAutoscaling minCount 7 exceeds maxCount 6: raise maxCount or lower minCount");
  });
});
