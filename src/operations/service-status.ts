/**
 * A service's state without the console (`ghcr-ecs status`): its counts and deployments, its latest events, the
 * alarms on it that are firing, and when its registry token expires (the secret's tag).
 */
import { DescribeAlarmsCommand, type CloudWatchClient, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, type ECSClient, type Service } from "@aws-sdk/client-ecs";
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

export interface ServiceStatus {
  readonly service: string;
  readonly status: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly deployments: readonly DeploymentState[];
  /** The latest events, newest first. */
  readonly events: readonly { readonly at: string; readonly message: string }[];
  /** Alarms on this service (its metrics' dimensions, or its deployment alarms) that are in ALARM. */
  readonly alarms: readonly FiredAlarm[];
  /** The credentials secret's `ghcr-ecs:token-expires` tag, when `credentials set` / `rotate` recorded it. */
  readonly tokenExpires?: string;
}

/** Healthy: every desired task runs, no deployment failed, no alarm fires. */
export function isHealthy(status: ServiceStatus): boolean {
  return status.running >= status.desired && status.alarms.length === 0 && status.deployments.every((d) => d.rolloutState !== "FAILED");
}

/** Whether an alarm's metric (or any metric of its math) is this service's. */
export function alarmWatchesService(alarm: MetricAlarm, cluster: string, service: string): boolean {
  const dimensionSets = [alarm.Dimensions ?? [], ...(alarm.Metrics ?? []).map((m) => m.MetricStat?.Metric?.Dimensions ?? [])];
  return dimensionSets.some(
    (dimensions) =>
      dimensions.some((d) => d.Name === "ServiceName" && d.Value === service) && dimensions.some((d) => d.Name === "ClusterName" && d.Value === cluster),
  );
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
  clients: { readonly ecs: ECSClient; readonly secrets: SecretsManagerClient },
  target: { readonly cluster: string; readonly service: string; readonly secretArn?: string },
  inAlarm: readonly MetricAlarm[],
): Promise<ServiceStatus> {
  const service = await describe(clients.ecs, target.cluster, target.service);
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
    events: (service.events ?? []).slice(0, EVENTS_SHOWN).map((e) => ({ at: e.createdAt?.toISOString() ?? "?", message: e.message ?? "" })),
    alarms: firedAlarms(ours, undefined),
    ...(target.secretArn ? await tokenExpiryTag(clients.secrets, target.secretArn) : {}),
  };
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

async function tokenExpiryTag(secrets: SecretsManagerClient, secretArn: string): Promise<{ tokenExpires?: string }> {
  try {
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: secretArn }));
    const tag = described.Tags?.find((t) => t.Key === TOKEN_EXPIRES_TAG)?.Value;
    return tag ? { tokenExpires: tag } : {};
  } catch (error) {
    // Status without the tag beats no status: the secret's own problems are `credentials check`'s to report.
    if (["ResourceNotFoundException", "AccessDeniedException"].includes((error as Error).name)) return {};
    throw awsFailure(error, "Secrets Manager");
  }
}
