import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { ageOf, alarmWatchesService, steadinessProblems, type ServiceStatus } from "../../../src/operations/service-status";

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

describe("steadinessProblems", () => {
  const deployment = { id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", running: 2, desired: 2, failedTasks: 0 };
  const status: ServiceStatus = {
    service: "api",
    status: "ACTIVE",
    desired: 2,
    running: 2,
    pending: 0,
    deployments: [deployment],
    tasks: [{ id: "a".repeat(32), lastStatus: "RUNNING", healthStatus: "HEALTHY" }],
    targets: [{ targetGroup: "shop-prod-api", target: "10.0.1.7:8081", state: "healthy" }],
    events: [],
    alarms: [],
  };

  it("finds nothing wrong with one completed deployment, every task running and healthy, every target healthy and no alarm", () => {
    expect(steadinessProblems(status)).toEqual([]);
  });

  it.each<[string, Partial<ServiceStatus>, string[]]>([
    ["a task short", { running: 1 }, ["1 of 2 desired tasks running"]],
    ["more running than desired (a scale-in draining)", { running: 3 }, ["3 of 2 desired tasks running"]],
    ["a pending task", { pending: 1 }, ["1 task pending"]],
    [
      "a rollout in progress",
      {
        deployments: [
          { ...deployment, rolloutState: "IN_PROGRESS" },
          { ...deployment, id: "ecs-svc/0", status: "ACTIVE" },
        ],
      },
      ["2 deployments: a rollout is in progress", "deployment ecs-svc/1 is IN_PROGRESS"],
    ],
    ["a failed deployment", { deployments: [{ ...deployment, rolloutState: "FAILED" }] }, ["deployment ecs-svc/1 is FAILED"]],
    [
      "a task failing its health check",
      { tasks: [{ id: "b".repeat(32), lastStatus: "RUNNING", healthStatus: "UNHEALTHY" }] },
      [`task ${"b".repeat(32)} fails its container health check`],
    ],
    [
      "an unhealthy target, with the load balancer's reason",
      {
        targets: [
          {
            targetGroup: "shop-prod-api",
            target: "10.0.1.7:8081",
            state: "unhealthy",
            reason: "Target.ResponseCodeMismatch: Health checks failed with these codes: [503]",
          },
        ],
      },
      ["target 10.0.1.7:8081 of shop-prod-api is unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [503])"],
    ],
    [
      "a draining target",
      { targets: [{ targetGroup: "shop-prod-api", target: "10.0.1.8:8081", state: "draining" }] },
      ["target 10.0.1.8:8081 of shop-prod-api is draining"],
    ],
    ["an alarm firing", { alarms: [{ name: "api: CPU high", since: "2026-12-01T12:00:00.000Z", reason: "" }] }, ['alarm "api: CPU high" is in ALARM']],
  ])("names %s", (_label, change, problems) => expect(steadinessProblems({ ...status, ...change })).toEqual(problems));
});

describe("ageOf", () => {
  const now = Date.parse("2026-12-01T12:00:00.000Z");
  it.each<[string, string]>([
    ["2026-12-01T11:59:48.000Z", "12s"],
    ["2026-12-01T11:53:00.000Z", "7m"],
    ["2026-12-01T09:55:00.000Z", "2h 5m"],
    ["2026-11-28T08:00:00.000Z", "3d 4h"],
    ["2026-12-01T12:00:05.000Z", "0s"],
  ])("says %s was %s ago", (iso, age) => expect(ageOf(iso, now)).toBe(age));
});
