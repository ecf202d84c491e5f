import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { alarmWatchesService, isHealthy, type ServiceStatus } from "../../../src/operations/service-status";

const dims = (cluster: string, service: string) => [
  { Name: "ClusterName", Value: cluster },
  { Name: "ServiceName", Value: service },
];

describe("alarmWatchesService", () => {
  it("matches an alarm on the service's metric, or on a metric of its math", () => {
    expect(alarmWatchesService({ Dimensions: dims("shop-prod", "api") }, "shop-prod", "api")).toBe(true);
    const math: MetricAlarm = {
      Metrics: [
        { Id: "e", Expression: "desired - running" },
        { Id: "running", MetricStat: { Metric: { Dimensions: dims("shop-prod", "api") }, Period: 60, Stat: "Average" } },
      ],
    };
    expect(alarmWatchesService(math, "shop-prod", "api")).toBe(true);
  });

  it("does not match the same service name in another cluster, or an alarm without the service", () => {
    expect(alarmWatchesService({ Dimensions: dims("shop-staging", "api") }, "shop-prod", "api")).toBe(false);
    expect(alarmWatchesService({ Dimensions: [{ Name: "LoadBalancer", Value: "app/shop-prod/1" }] }, "shop-prod", "api")).toBe(false);
  });
});

describe("isHealthy", () => {
  const status: ServiceStatus = {
    service: "api",
    status: "ACTIVE",
    desired: 2,
    running: 2,
    pending: 0,
    deployments: [{ id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", running: 2, desired: 2, failedTasks: 0 }],
    events: [],
    alarms: [],
  };

  it("is healthy with every desired task running, no failed deployment and no alarm firing", () => {
    expect(isHealthy(status)).toBe(true);
  });

  it.each<[string, Partial<ServiceStatus>]>([
    ["a task short", { running: 1 }],
    ["an alarm firing", { alarms: [{ name: "api: CPU high", since: "2026-12-01T12:00:00.000Z", reason: "" }] }],
    ["a failed deployment", { deployments: [{ ...status.deployments[0], rolloutState: "FAILED" }] }],
  ])("is not healthy with %s", (_label, change) => expect(isHealthy({ ...status, ...change })).toBe(false));
});
