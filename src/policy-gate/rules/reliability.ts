import { blocks, type Finding, type PolicyRule, type Resource, type StackView } from "../types";

/** Whether a scalable target scales this service: its resource id names the service (literally or by reference). */
function scales(stack: StackView, service: Resource): boolean {
  const name = String(service.block.name ?? "");
  return stack.resources("aws_appautoscaling_target").some((target) => {
    const id = String(target.block.resource_id ?? "");
    return target.block.scalable_dimension === "ecs:service:DesiredCount" && (id.includes(`\${${service.address}.name}`) || id.endsWith(`/${name}`));
  });
}

/** Whether a CloudWatch alarm of the stack watches this service: a metric of it names the service. */
function alarmed(stack: StackView, service: Resource): boolean {
  const name = String(service.block.name ?? "");
  const namesService = (dimensions: unknown) => {
    const values = Object.values((dimensions ?? {}) as Record<string, unknown>).map(String);
    return values.includes(name) || values.includes(`\${${service.address}.name}`);
  };
  const targetGroups = blocks(service.block.load_balancer).map((lb) => String(lb.target_group_arn ?? "").replace(/\.arn\}$/, ".arn_suffix}"));
  const namesTargetGroup = (dimensions: unknown) => targetGroups.includes(String((dimensions as Record<string, unknown> | undefined)?.TargetGroup));
  return stack.resources("aws_cloudwatch_metric_alarm").some((alarm) => {
    const all: unknown[] = [
      alarm.block.dimensions,
      ...blocks(alarm.block.metric_query).flatMap((q): unknown[] => blocks(q.metric).map((m): unknown => m.dimensions)),
    ];
    return all.some((d) => namesService(d) || namesTargetGroup(d));
  });
}

const productionServiceScalesAndAlarms: PolicyRule = {
  id: "production-service-scales-and-alarms",
  title: "Production services scale with load and raise alarms",
  checkov: [],
  trivy: [],
  severity: "medium",
  resourceTypes: ["aws_ecs_service"],
  check(stack) {
    return stack.resources("aws_ecs_service").flatMap((service): Finding[] => {
      const missing = [
        ...(scales(stack, service) ? [] : [`no autoscaling (a fixed ${String(service.block.desired_count ?? 0)} tasks)`]),
        ...(alarmed(stack, service) ? [] : ["no alarm watches it"]),
      ];
      if (missing.length === 0) return [];
      return [
        {
          address: service.address,
          message: `service ${JSON.stringify(service.block.name)} has ${missing.join(" and ")}`,
          fix: 'turn on the service\'s "autoscaling" and "alarms" in the config (both on by default), or waive the rule for this service with the reason',
        },
      ];
    });
  },
};

export const RELIABILITY_RULES: readonly PolicyRule[] = [productionServiceScalesAndAlarms];
