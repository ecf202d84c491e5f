import { MetricAlarms } from "../../../src/constructs/metric-alarms";
import type { AlarmSpec } from "../../../src/ecs/alarms";
import { resources, synthConstruct } from "../../helpers/synth";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-prod-alarms";

const SINGLE: AlarmSpec = {
  id: "p99-response-time",
  name: "shop-prod-api: p99 response time high",
  description: "slow",
  comparison: "GreaterThanThreshold",
  threshold: 2,
  evaluationMinutes: 3,
  metric: {
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    statistic: "p99",
    dimensions: { LoadBalancer: "app/x/1", TargetGroup: "targetgroup/y/2" },
  },
  watchedByDeployments: false,
};

const MATH: AlarmSpec = {
  id: "tasks-below-desired",
  name: "shop-prod-api: running tasks below desired",
  description: "few",
  comparison: "GreaterThanThreshold",
  threshold: 0,
  evaluationMinutes: 5,
  metric: {
    expression: "desired - running",
    label: "tasks below desired",
    metrics: {
      desired: { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", statistic: "Average", dimensions: { ClusterName: "c", ServiceName: "s" } },
      running: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", statistic: "Average", dimensions: { ClusterName: "c", ServiceName: "s" } },
    },
  },
  watchedByDeployments: false,
};

const alarmsOf = (specs: AlarmSpec[]) =>
  resources(
    synthConstruct((scope) => new MetricAlarms(scope, "alarms", { alarms: specs, topicArn: TOPIC })),
    "aws_cloudwatch_metric_alarm",
  ).map((r) => r.block);

describe("MetricAlarms", () => {
  it("alarms on one metric with an extended statistic, all periods breaching, the topic told on ALARM and OK", () => {
    expect(alarmsOf([SINGLE])).toEqual([
      {
        alarm_name: "shop-prod-api: p99 response time high",
        alarm_description: "slow",
        comparison_operator: "GreaterThanThreshold",
        threshold: 2,
        evaluation_periods: 3,
        datapoints_to_alarm: 3,
        treat_missing_data: "notBreaching",
        alarm_actions: [TOPIC],
        ok_actions: [TOPIC],
        namespace: "AWS/ApplicationELB",
        metric_name: "TargetResponseTime",
        period: 60,
        dimensions: { LoadBalancer: "app/x/1", TargetGroup: "targetgroup/y/2" },
        extended_statistic: "p99",
      },
    ]);
  });

  it("uses statistic for Sum/Average/Maximum", () => {
    const [alarm] = alarmsOf([{ ...SINGLE, metric: { ...(SINGLE.metric as object), statistic: "Maximum" } as AlarmSpec["metric"] }]);
    expect([alarm.statistic, alarm.extended_statistic]).toEqual(["Maximum", undefined]);
  });

  it("alarms on metric math: the expression returns data, the metrics it reads do not", () => {
    const [alarm] = alarmsOf([MATH]);
    expect(alarm.metric_query).toEqual([
      { id: "result", expression: "desired - running", label: "tasks below desired", return_data: true },
      {
        id: "desired",
        return_data: false,
        metric: {
          namespace: "ECS/ContainerInsights",
          metric_name: "DesiredTaskCount",
          stat: "Average",
          period: 60,
          dimensions: { ClusterName: "c", ServiceName: "s" },
        },
      },
      {
        id: "running",
        return_data: false,
        metric: {
          namespace: "ECS/ContainerInsights",
          metric_name: "RunningTaskCount",
          stat: "Average",
          period: 60,
          dimensions: { ClusterName: "c", ServiceName: "s" },
        },
      },
    ]);
    expect([alarm.metric_name, alarm.namespace, alarm.period]).toEqual([undefined, undefined, undefined]);
  });

  it("refuses an alarm name with a comma, which ECS's deployment alarms would split", () => {
    expect(() => alarmsOf([{ ...SINGLE, name: "a, b" }])).toThrow(
      'MetricAlarms alarm name "a, b" contains a comma, which ECS deployment alarms read as a separator: rename it',
    );
  });
});
