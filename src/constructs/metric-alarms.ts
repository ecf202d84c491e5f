import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { AlarmMetric, AlarmSpec } from "../ecs/alarms";

export interface MetricAlarmsProps {
  /** From `serviceAlarmPlan` / `loadBalancerAlarm`. */
  readonly alarms: readonly AlarmSpec[];
  /** The SNS topic told when an alarm fires and when it is OK again. */
  readonly topicArn: string;
}

/** One-minute periods: the finest the load balancer's and ECS's metrics have. */
const PERIOD_SECONDS = 60;

const EXTENDED_STATISTIC = /^p\d{1,2}(?:\.\d+)?$/;

/**
 * CloudWatch metric alarms, one per spec: construct id and name from the spec, every period of the window breaching
 * (M of M), missing data as not breaching (no traffic, no tasks yet), the topic notified on ALARM and on OK.
 */
export class MetricAlarms extends Construct {
  /** The alarms by name. */
  readonly byName: ReadonlyMap<string, CloudwatchMetricAlarm>;

  constructor(scope: Construct, id: string, props: MetricAlarmsProps) {
    super(scope, id);
    const byName = new Map<string, CloudwatchMetricAlarm>();
    for (const spec of props.alarms) {
      if (spec.name.includes(",")) {
        throw new Error(`MetricAlarms alarm name "${spec.name}" contains a comma, which ECS deployment alarms read as a separator: rename it`);
      }
      const metric = "expression" in spec.metric ? undefined : spec.metric;
      const alarm = new CloudwatchMetricAlarm(this, spec.id, {
        alarmName: spec.name,
        alarmDescription: spec.description,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationMinutes,
        datapointsToAlarm: spec.evaluationMinutes,
        treatMissingData: "notBreaching",
        alarmActions: [props.topicArn],
        okActions: [props.topicArn],
        ...(metric
          ? {
              namespace: metric.namespace,
              metricName: metric.metricName,
              period: PERIOD_SECONDS,
              dimensions: { ...metric.dimensions },
              ...(EXTENDED_STATISTIC.test(metric.statistic) ? { extendedStatistic: metric.statistic } : { statistic: metric.statistic }),
            }
          : { metricQuery: metricQueries(spec.metric as Exclude<AlarmSpec["metric"], AlarmMetric>) }),
      });
      byName.set(spec.name, alarm);
    }
    this.byName = byName;
  }
}

function metricQueries(math: Exclude<AlarmSpec["metric"], AlarmMetric>) {
  return [
    { id: "result", expression: math.expression, label: math.label, returnData: true },
    ...Object.entries(math.metrics).map(([id, m]) => ({
      id,
      returnData: false,
      metric: { namespace: m.namespace, metricName: m.metricName, stat: m.statistic, period: PERIOD_SECONDS, dimensions: { ...m.dimensions } },
    })),
  ];
}
