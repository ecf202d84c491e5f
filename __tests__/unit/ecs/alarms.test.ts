import { deploymentAlarmNames, loadBalancerAlarm, serviceAlarmPlan, type ServiceAlarmInput } from "../../../src/ecs/alarms";
import type { ServiceAlarmSettings } from "../../../src/config/alarms";

const ALARMS: ServiceAlarmSettings = {
  enabled: true,
  rollback: true,
  targetErrorPercent: 5,
  unhealthyTargets: 1,
  p99ResponseSeconds: 2,
  cpuPercent: 90,
  memoryPercent: 90,
  evaluationMinutes: 3,
  tasksBelowDesiredMinutes: 5,
};

const TARGET = { loadBalancer: "app/shop-prod/0123456789abcdef", targetGroup: "targetgroup/shop-prod-api/fedcba9876543210" };

const input = (overrides: Partial<ServiceAlarmInput> = {}): ServiceAlarmInput => ({
  resourceName: "shop-prod-api",
  clusterName: "shop-prod",
  serviceName: "api",
  logGroupName: "/ecs/shop-prod/api",
  alarms: ALARMS,
  containerInsights: true,
  target: TARGET,
  ...overrides,
});

const byId = (specs: ReturnType<typeof serviceAlarmPlan>, id: string) => {
  const spec = specs.find((s) => s.id === id);
  if (!spec) throw new Error(`no alarm ${id}`);
  return spec;
};

describe("serviceAlarmPlan", () => {
  it("gives a load-balanced service its six alarms, each named for the pager: service, then what is wrong", () => {
    expect(serviceAlarmPlan(input()).map((s) => [s.id, s.name])).toEqual([
      ["target-5xx", "shop-prod-api: 5xx responses high"],
      ["unhealthy-targets", "shop-prod-api: unhealthy targets"],
      ["p99-response-time", "shop-prod-api: p99 response time high"],
      ["tasks-below-desired", "shop-prod-api: running tasks below desired"],
      ["cpu-high", "shop-prod-api: CPU high"],
      ["memory-high", "shop-prod-api: memory high"],
    ]);
  });

  it("measures the 5xx rate as a share of at least 10 requests a minute, on the service's own target group", () => {
    const spec = byId(serviceAlarmPlan(input({ alarms: { ...ALARMS, targetErrorPercent: 2 } })), "target-5xx");
    const dimensions = { LoadBalancer: TARGET.loadBalancer, TargetGroup: TARGET.targetGroup };
    expect(spec).toEqual({
      id: "target-5xx",
      name: "shop-prod-api: 5xx responses high",
      description:
        "More than 2 % of the requests to shop-prod-api (at least 10 a minute) were answered with 5xx by its tasks, in each of the last 3 minutes. A deployment in progress rolls back. Logs: /ecs/shop-prod/api.",
      comparison: "GreaterThanThreshold",
      threshold: 2,
      evaluationMinutes: 3,
      metric: {
        expression: "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)",
        label: "5xx responses (% of requests)",
        metrics: {
          errors: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", statistic: "Sum", dimensions },
          requests: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", statistic: "Sum", dimensions },
        },
      },
      watchedByDeployments: true,
    });
  });

  it("fires the unhealthy-targets alarm at the configured count or more, and p99 on the TargetResponseTime percentile", () => {
    const specs = serviceAlarmPlan(input({ alarms: { ...ALARMS, unhealthyTargets: 2, p99ResponseSeconds: 0.5 } }));
    const unhealthy = byId(specs, "unhealthy-targets");
    expect([unhealthy.comparison, unhealthy.threshold, unhealthy.metric]).toEqual([
      "GreaterThanOrEqualToThreshold",
      2,
      {
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        statistic: "Maximum",
        dimensions: { ...{ LoadBalancer: TARGET.loadBalancer, TargetGroup: TARGET.targetGroup } },
      },
    ]);
    expect(unhealthy.description).toMatch(/^2 or more tasks of shop-prod-api failed the load balancer's health checks/);
    const p99 = byId(specs, "p99-response-time");
    expect([p99.comparison, p99.threshold, (p99.metric as { statistic: string }).statistic, p99.watchedByDeployments]).toEqual([
      "GreaterThanThreshold",
      0.5,
      "p99",
      false,
    ]);
  });

  it("counts running tasks below desired from Container Insights over its own, longer window", () => {
    const spec = byId(serviceAlarmPlan(input()), "tasks-below-desired");
    const dimensions = { ClusterName: "shop-prod", ServiceName: "api" };
    expect([spec.threshold, spec.evaluationMinutes, spec.metric]).toEqual([
      0,
      5,
      {
        expression: "desired - running",
        label: "tasks below desired",
        metrics: {
          desired: { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", statistic: "Average", dimensions },
          running: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", statistic: "Average", dimensions },
        },
      },
    ]);
  });

  it("leaves out the tasks alarm without Container Insights (the counts are not published)", () => {
    expect(serviceAlarmPlan(input({ containerInsights: false })).map((s) => s.id)).not.toContain("tasks-below-desired");
  });

  it("watches CPU and memory on the service's AWS/ECS averages", () => {
    const specs = serviceAlarmPlan(input({ alarms: { ...ALARMS, cpuPercent: 85, memoryPercent: 80, evaluationMinutes: 2 } }));
    const dimensions = { ClusterName: "shop-prod", ServiceName: "api" };
    expect([byId(specs, "cpu-high").threshold, byId(specs, "cpu-high").evaluationMinutes, byId(specs, "cpu-high").metric]).toEqual([
      85,
      2,
      { namespace: "AWS/ECS", metricName: "CPUUtilization", statistic: "Average", dimensions },
    ]);
    expect([byId(specs, "memory-high").threshold, byId(specs, "memory-high").metric]).toEqual([
      80,
      { namespace: "AWS/ECS", metricName: "MemoryUtilization", statistic: "Average", dimensions },
    ]);
    expect(byId(specs, "cpu-high").description).toBe(
      "The tasks of shop-prod-api used more than 85 % of their CPU on average, in each of the last 2 minutes: the scaler is at its maximum or cannot keep up.",
    );
  });

  it("gives a worker (no target group) only the task, CPU and memory alarms, none watched by deployments", () => {
    const specs = serviceAlarmPlan(input({ target: undefined }));
    expect(specs.map((s) => s.id)).toEqual(["tasks-below-desired", "cpu-high", "memory-high"]);
    expect(deploymentAlarmNames(specs)).toEqual([]);
  });

  it("has deployments watch exactly the 5xx-rate and unhealthy-targets alarms, unless rollback is off", () => {
    expect(deploymentAlarmNames(serviceAlarmPlan(input()))).toEqual(["shop-prod-api: 5xx responses high", "shop-prod-api: unhealthy targets"]);
    const withoutRollback = serviceAlarmPlan(input({ alarms: { ...ALARMS, rollback: false } }));
    expect(deploymentAlarmNames(withoutRollback)).toEqual([]);
    expect(byId(withoutRollback, "target-5xx").description).not.toContain("rolls back");
  });

  it("plans nothing for a service whose alarms are off", () => {
    expect(serviceAlarmPlan(input({ alarms: { ...ALARMS, enabled: false } }))).toEqual([]);
  });

  it("says 1 minute, not 1 minutes", () => {
    expect(byId(serviceAlarmPlan(input({ alarms: { ...ALARMS, evaluationMinutes: 1 } })), "cpu-high").description).toContain("in each of the last 1 minute:");
  });
});

describe("loadBalancerAlarm", () => {
  it("counts the 5xx the load balancer answers itself, per minute, on the load balancer's dimension", () => {
    expect(loadBalancerAlarm({ stackName: "shop-prod", loadBalancer: TARGET.loadBalancer, errorsPerMinute: 5, evaluationMinutes: 3 })).toEqual({
      id: "load-balancer-5xx",
      name: "shop-prod: load balancer 5xx high",
      description:
        "The load balancer of shop-prod answered more than 5 requests a minute with 5xx itself (502/503/504: no healthy target, or a target that reset the connection), in each of the last 3 minutes. See the services' unhealthy-targets alarms.",
      comparison: "GreaterThanThreshold",
      threshold: 5,
      evaluationMinutes: 3,
      metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", statistic: "Sum", dimensions: { LoadBalancer: TARGET.loadBalancer } },
      watchedByDeployments: false,
    });
  });
});
