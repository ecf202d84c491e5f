/**
 * The CloudWatch alarms of a service and of its environment's load balancer, from the settings: names a human can
 * read in a pager, the metric (or metric math) with its dimensions as CloudWatch expects them, the threshold, and
 * which alarms ECS watches during a deployment. Pure: the constructs (constructs/service-alarms.ts) only create it.
 */
import { DEFAULTS } from "../config/defaults";
import type { ServiceAlarmSettings } from "../config/alarms";

/** One metric of CloudWatch, as an alarm or a metric-math query names it. */
export interface AlarmMetric {
  readonly namespace: "AWS/ApplicationELB" | "AWS/ECS" | "ECS/ContainerInsights";
  readonly metricName: string;
  /** `Sum`, `Average`, `Maximum`, or an extended statistic such as `p99`. */
  readonly statistic: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface AlarmSpec {
  /** Construct id, stable: `target-5xx`, `unhealthy-targets`, `p99-response-time`, `tasks-below-desired`, `cpu-high`, `memory-high`, `load-balancer-5xx`. */
  readonly id: string;
  readonly name: string;
  /** What fired and where to look first. */
  readonly description: string;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
  readonly threshold: number;
  /** One-minute periods, every one of which must breach. */
  readonly evaluationMinutes: number;
  /** A single metric, or metric math over named metrics (`expression` refers to their ids). */
  readonly metric: AlarmMetric | { readonly expression: string; readonly label: string; readonly metrics: Readonly<Record<string, AlarmMetric>> };
  /** ECS fails (and rolls back) a deployment while this alarm is in ALARM. */
  readonly watchedByDeployments: boolean;
}

export interface ServiceAlarmInput {
  /** The prefix of the service's resource names, which starts every alarm name: `orders-prod-api`. */
  readonly resourceName: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly logGroupName: string;
  readonly alarms: ServiceAlarmSettings;
  /** Container Insights publishes the running and desired task counts. */
  readonly containerInsights: boolean;
  /** The ARN suffixes CloudWatch names the load balancer and the service's target group by; undefined for a worker. */
  readonly target?: { readonly loadBalancer: string; readonly targetGroup: string };
}

const minutes = (n: number) => `${n} minute${n === 1 ? "" : "s"}`;

/** The alarms of one service (none when its alarms are off). */
export function serviceAlarmPlan(input: ServiceAlarmInput): AlarmSpec[] {
  const { alarms, resourceName } = input;
  if (!alarms.enabled) return [];
  const window = minutes(alarms.evaluationMinutes);
  const logs = `Logs: ${input.logGroupName}.`;
  const specs: AlarmSpec[] = [];
  const deploymentAlarm = alarms.rollback;

  if (input.target) {
    const dimensions = { LoadBalancer: input.target.loadBalancer, TargetGroup: input.target.targetGroup };
    const elb = (metricName: string, statistic: string): AlarmMetric => ({ namespace: "AWS/ApplicationELB", metricName, statistic, dimensions });
    specs.push(
      {
        id: "target-5xx",
        name: `${resourceName}: 5xx responses high`,
        description: `More than ${alarms.targetErrorPercent} % of the requests to ${resourceName} (at least ${DEFAULTS.alarms.minimumRequestsPerMinute} a minute) were answered with 5xx by its tasks, in each of the last ${window}. ${deploymentAlarm ? "A deployment in progress rolls back. " : ""}${logs}`,
        comparison: "GreaterThanThreshold",
        threshold: alarms.targetErrorPercent,
        evaluationMinutes: alarms.evaluationMinutes,
        metric: {
          expression: `IF(requests >= ${DEFAULTS.alarms.minimumRequestsPerMinute}, 100 * FILL(errors, 0) / requests, 0)`,
          label: "5xx responses (% of requests)",
          metrics: { errors: elb("HTTPCode_Target_5XX_Count", "Sum"), requests: elb("RequestCount", "Sum") },
        },
        watchedByDeployments: deploymentAlarm,
      },
      {
        id: "unhealthy-targets",
        name: `${resourceName}: unhealthy targets`,
        description: `${alarms.unhealthyTargets === 1 ? "A task" : `${alarms.unhealthyTargets} or more tasks`} of ${resourceName} failed the load balancer's health checks, in each of the last ${window}. ${deploymentAlarm ? "A deployment in progress rolls back. " : ""}${logs}`,
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: alarms.unhealthyTargets,
        evaluationMinutes: alarms.evaluationMinutes,
        metric: elb("UnHealthyHostCount", "Maximum"),
        watchedByDeployments: deploymentAlarm,
      },
      {
        id: "p99-response-time",
        name: `${resourceName}: p99 response time high`,
        description: `The slowest 1 % of the responses of ${resourceName} took longer than ${alarms.p99ResponseSeconds} s, in each of the last ${window}. ${logs}`,
        comparison: "GreaterThanThreshold",
        threshold: alarms.p99ResponseSeconds,
        evaluationMinutes: alarms.evaluationMinutes,
        metric: elb("TargetResponseTime", "p99"),
        watchedByDeployments: false,
      },
    );
  }

  const service = { ClusterName: input.clusterName, ServiceName: input.serviceName };
  if (input.containerInsights) {
    const insights = (metricName: string): AlarmMetric => ({ namespace: "ECS/ContainerInsights", metricName, statistic: "Average", dimensions: service });
    specs.push({
      id: "tasks-below-desired",
      name: `${resourceName}: running tasks below desired`,
      description: `${resourceName} ran fewer tasks than desired for ${minutes(alarms.tasksBelowDesiredMinutes)}: tasks fail to start or keep stopping (ghcr-ecs rollout diagnoses why). ${logs}`,
      comparison: "GreaterThanThreshold",
      threshold: 0,
      evaluationMinutes: alarms.tasksBelowDesiredMinutes,
      metric: {
        expression: "desired - running",
        label: "tasks below desired",
        metrics: { desired: insights("DesiredTaskCount"), running: insights("RunningTaskCount") },
      },
      watchedByDeployments: false,
    });
  }
  const ecs = (metricName: string): AlarmMetric => ({ namespace: "AWS/ECS", metricName, statistic: "Average", dimensions: service });
  specs.push(
    {
      id: "cpu-high",
      name: `${resourceName}: CPU high`,
      description: `The tasks of ${resourceName} used more than ${alarms.cpuPercent} % of their CPU on average, in each of the last ${window}: the scaler is at its maximum or cannot keep up.`,
      comparison: "GreaterThanThreshold",
      threshold: alarms.cpuPercent,
      evaluationMinutes: alarms.evaluationMinutes,
      metric: ecs("CPUUtilization"),
      watchedByDeployments: false,
    },
    {
      id: "memory-high",
      name: `${resourceName}: memory high`,
      description: `The tasks of ${resourceName} used more than ${alarms.memoryPercent} % of their memory on average, in each of the last ${window}; at 100 % a task is stopped (OutOfMemory).`,
      comparison: "GreaterThanThreshold",
      threshold: alarms.memoryPercent,
      evaluationMinutes: alarms.evaluationMinutes,
      metric: ecs("MemoryUtilization"),
      watchedByDeployments: false,
    },
  );
  return specs;
}

/** The load balancer's own 5xx alarm: requests it answered itself because no healthy target took them. */
export function loadBalancerAlarm(input: {
  readonly stackName: string;
  readonly loadBalancer: string;
  readonly errorsPerMinute: number;
  readonly evaluationMinutes: number;
}): AlarmSpec {
  return {
    id: "load-balancer-5xx",
    name: `${input.stackName}: load balancer 5xx high`,
    description: `The load balancer of ${input.stackName} answered more than ${input.errorsPerMinute} requests a minute with 5xx itself (502/503/504: no healthy target, or a target that reset the connection), in each of the last ${minutes(input.evaluationMinutes)}. See the services' unhealthy-targets alarms.`,
    comparison: "GreaterThanThreshold",
    threshold: input.errorsPerMinute,
    evaluationMinutes: input.evaluationMinutes,
    metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", statistic: "Sum", dimensions: { LoadBalancer: input.loadBalancer } },
    watchedByDeployments: false,
  };
}

/** The names ECS watches during a deployment of the service. */
export function deploymentAlarmNames(specs: readonly AlarmSpec[]): string[] {
  return specs.filter((s) => s.watchedByDeployments).map((s) => s.name);
}
