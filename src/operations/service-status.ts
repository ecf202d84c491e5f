/**
 * A service's state without the console (`ghcr-ecs status`): its counts and deployments, its running tasks and the
 * target group's view of each target, its latest events, the alarms on it that are firing, and its registry
 * credential's age and expiry (the secret's tag). Steady, or the reasons it is not.
 */
import { DescribeAlarmsCommand, type CloudWatchClient, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, type ECSClient, type Service } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeSecretCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { TOKEN_EXPIRES_TAG } from "../registry/github-token";
import { awsFailure } from "./aws";
import { firedAlarms, watchedAlarmNames, type FiredAlarm } from "./deployment-alarms";
import { EXIT, OperationError } from "./exit-codes";

export interface DeploymentState {
  readonly id: string;
  readonly status: string;
  readonly rolloutState: string;
  readonly running: number;
  readonly desired: number;
  readonly failedTasks: number;
  readonly createdAt?: string;
}

export interface TaskState {
  readonly id: string;
  readonly lastStatus: string;
  /** The container health check's verdict: HEALTHY, UNHEALTHY or UNKNOWN (no health check). */
  readonly healthStatus: string;
  readonly startedAt?: string;
}

export interface TargetState {
  /** The target group's name. */
  readonly targetGroup: string;
  /** `ip:port` (Fargate, awsvpc) or `instance:port` (EC2 bridge). */
  readonly target: string;
  /** healthy, initial, unhealthy, draining, unused, unavailable. */
  readonly state: string;
  /** Why it is not healthy, e.g. `Target.ResponseCodeMismatch: Health checks failed with these codes: [503]`. */
  readonly reason?: string;
}

export interface ServiceStatus {
  readonly service: string;
  readonly status: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly deployments: readonly DeploymentState[];
  /** The service's tasks that should be running. */
  readonly tasks: readonly TaskState[];
  /** Every target of the service's target groups, as the load balancer sees it. */
  readonly targets: readonly TargetState[];
  /** The latest events, newest first. */
  readonly events: readonly { readonly at: string; readonly message: string }[];
  /** Alarms on this service (its metrics' dimensions, or its deployment alarms) that are in ALARM. */
  readonly alarms: readonly FiredAlarm[];
  /** The credentials secret's `ghcr-ecs:token-expires` tag, when `credentials set` / `rotate` recorded it. */
  readonly tokenExpires?: string;
  /** When the credentials secret's value was last written (its age). */
  readonly credentialChanged?: string;
}

/**
 * Why the service is not steady, empty when it is: one deployment, COMPLETED, every desired task running and none
 * pending, every target healthy, no task failing its health check, no alarm firing. A pipeline gates on this.
 */
export function steadinessProblems(status: ServiceStatus): string[] {
  const problems: string[] = [];
  if (status.running !== status.desired) problems.push(`${status.running} of ${status.desired} desired tasks running`);
  if (status.pending > 0) problems.push(`${status.pending} task${status.pending === 1 ? "" : "s"} pending`);
  if (status.deployments.length > 1) problems.push(`${status.deployments.length} deployments: a rollout is in progress`);
  for (const d of status.deployments.filter((d) => d.rolloutState !== "COMPLETED")) problems.push(`deployment ${d.id} is ${d.rolloutState}`);
  for (const t of status.tasks.filter((t) => t.healthStatus === "UNHEALTHY")) problems.push(`task ${t.id} fails its container health check`);
  for (const t of status.targets.filter((t) => t.state !== "healthy")) {
    problems.push(`target ${t.target} of ${t.targetGroup} is ${t.state}${t.reason ? ` (${t.reason})` : ""}`);
  }
  for (const alarm of status.alarms) problems.push(`alarm "${alarm.name}" is in ALARM`);
  return problems;
}

/** Whether an alarm's metric (or any metric of its math) is this service's. */
export function alarmWatchesService(alarm: MetricAlarm, cluster: string, service: string): boolean {
  const dimensionSets = [alarm.Dimensions ?? [], ...(alarm.Metrics ?? []).map((m) => m.MetricStat?.Metric?.Dimensions ?? [])];
  return dimensionSets.some(
    (dimensions) =>
      dimensions.some((d) => d.Name === "ServiceName" && d.Value === service) && dimensions.some((d) => d.Name === "ClusterName" && d.Value === cluster),
  );
}

/** `3d 4h`, `2h 5m`, `7m`, `12s`: how long ago `iso` was. */
export function ageOf(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const [d, h, m] = [Math.floor(seconds / 86400), Math.floor((seconds % 86400) / 3600), Math.floor((seconds % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m` : `${seconds}s`;
}

export const EVENTS_SHOWN = 5;

/** Every metric alarm of the account and region in ALARM: read once, then matched to each service. */
export async function alarmsInAlarm(cloudWatch: CloudWatchClient): Promise<MetricAlarm[]> {
  const inAlarm: MetricAlarm[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const page = await cloudWatch.send(new DescribeAlarmsCommand({ StateValue: "ALARM", AlarmTypes: ["MetricAlarm"], NextToken }));
      inAlarm.push(...(page.MetricAlarms ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    throw awsFailure(error, "CloudWatch");
  }
  return inAlarm;
}

/** The service's state; `inAlarm` from `alarmsInAlarm`, shared by every service of one command. */
export async function serviceStatus(
  clients: { readonly ecs: ECSClient; readonly secrets: SecretsManagerClient; readonly elb: ElasticLoadBalancingV2Client },
  target: { readonly cluster: string; readonly service: string; readonly secretArn?: string },
  inAlarm: readonly MetricAlarm[],
): Promise<ServiceStatus> {
  const service = await describe(clients.ecs, target.cluster, target.service);
  const targetGroupArns = [...new Set((service.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])))];
  const [tasks, targets, secret] = await Promise.all([
    runningTasks(clients.ecs, target.cluster, service.serviceName ?? target.service),
    Promise.all(targetGroupArns.map((arn) => targetHealth(clients.elb, arn))).then((groups) => groups.flat()),
    target.secretArn ? secretFacts(clients.secrets, target.secretArn) : Promise.resolve({}),
  ]);
  const deploymentAlarms = new Set(watchedAlarmNames(service.deploymentConfiguration));
  const ours = inAlarm.filter((a) => deploymentAlarms.has(a.AlarmName ?? "") || alarmWatchesService(a, target.cluster, target.service));
  return {
    service: service.serviceName ?? target.service,
    status: service.status ?? "UNKNOWN",
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
    deployments: (service.deployments ?? []).map((d) => ({
      id: d.id ?? "?",
      status: d.status ?? "?",
      rolloutState: d.rolloutState ?? "?",
      running: d.runningCount ?? 0,
      desired: d.desiredCount ?? 0,
      failedTasks: d.failedTasks ?? 0,
      ...(d.createdAt ? { createdAt: d.createdAt.toISOString() } : {}),
    })),
    tasks,
    targets,
    events: (service.events ?? []).slice(0, EVENTS_SHOWN).map((e) => ({ at: e.createdAt?.toISOString() ?? "?", message: e.message ?? "" })),
    alarms: firedAlarms(ours, undefined),
    ...secret,
  };
}

/** ListTasks (desired RUNNING) of the service, described in batches of 100 (DescribeTasks' limit). */
async function runningTasks(ecs: ECSClient, cluster: string, serviceName: string): Promise<TaskState[]> {
  try {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: "RUNNING", nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const tasks: TaskState[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
      for (const task of described.tasks ?? []) {
        tasks.push({
          id: task.taskArn?.split("/").pop() ?? "?",
          lastStatus: task.lastStatus ?? "?",
          healthStatus: task.healthStatus ?? "UNKNOWN",
          ...(task.startedAt ? { startedAt: task.startedAt.toISOString() } : {}),
        });
      }
    }
    return tasks;
  } catch (error) {
    throw awsFailure(error, "ECS");
  }
}

async function targetHealth(elb: ElasticLoadBalancingV2Client, targetGroupArn: string): Promise<TargetState[]> {
  const targetGroup = /:targetgroup\/([^/]+)\//.exec(targetGroupArn)?.[1] ?? targetGroupArn;
  try {
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return (health.TargetHealthDescriptions ?? []).map((d) => {
      const reason = [d.TargetHealth?.Reason, d.TargetHealth?.Description].filter(Boolean).join(": ");
      return {
        targetGroup,
        target: `${d.Target?.Id ?? "?"}:${d.Target?.Port ?? "?"}`,
        state: d.TargetHealth?.State ?? "unknown",
        ...(d.TargetHealth?.State !== "healthy" && reason ? { reason } : {}),
      };
    });
  } catch (error) {
    throw awsFailure(error, "Elastic Load Balancing");
  }
}

async function describe(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  let services: Service[];
  try {
    services = (await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services ?? [];
  } catch (error) {
    if ((error as Error).name === "ClusterNotFoundException") {
      throw new OperationError(EXIT.usage, `ECS cluster ${cluster} does not exist`, "Check --cluster or the outputs file; was the stack destroyed?");
    }
    throw awsFailure(error, "ECS");
  }
  const found = services.find((s) => s.status !== "INACTIVE");
  if (!found) throw new OperationError(EXIT.usage, `ECS service ${name} does not exist in cluster ${cluster}`, "Check --service or the outputs file.");
  return found;
}

/** The secret's recorded token expiry and when its value was last written. */
async function secretFacts(secrets: SecretsManagerClient, secretArn: string): Promise<{ tokenExpires?: string; credentialChanged?: string }> {
  try {
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: secretArn }));
    const tag = described.Tags?.find((t) => t.Key === TOKEN_EXPIRES_TAG)?.Value;
    return { ...(tag ? { tokenExpires: tag } : {}), ...(described.LastChangedDate ? { credentialChanged: described.LastChangedDate.toISOString() } : {}) };
  } catch (error) {
    // Status without the tag beats no status: the secret's own problems are `credentials check`'s to report.
    if (["ResourceNotFoundException", "AccessDeniedException"].includes((error as Error).name)) return {};
    throw awsFailure(error, "Secrets Manager");
  }
}
