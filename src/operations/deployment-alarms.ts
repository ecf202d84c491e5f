/**
 * Which of a service's deployment alarms stopped a deployment: ECS fails (and, with rollback, rolls back) a
 * deployment while one of the alarms in `deploymentConfiguration.alarms` is in ALARM. The alarm's own state says
 * which one and since when; ECS's rollout reason does not name it.
 */
import { DescribeAlarmsCommand, type CloudWatchClient, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { awsFailure } from "./aws";

export interface FiredAlarm {
  readonly name: string;
  /** When the alarm went into ALARM (ISO 8601). */
  readonly since: string;
  /** CloudWatch's state reason: the datapoints that crossed the threshold. */
  readonly reason: string;
}

/** The alarms ECS watches during the service's deployments, or none when deployment alarms are off. */
export function watchedAlarmNames(configuration: DeploymentConfiguration | undefined): string[] {
  const alarms = configuration?.alarms;
  return alarms?.enable ? [...(alarms.alarmNames ?? [])] : [];
}

/**
 * The alarms in ALARM that went there after the deployment started (an alarm already firing before would have
 * stopped the deployment from the start: it counts too, when nothing newer fired), the earliest first.
 */
export function firedAlarms(alarms: readonly MetricAlarm[], deploymentStartedAt: Date | undefined): FiredAlarm[] {
  const inAlarm = alarms
    .filter((a) => a.StateValue === "ALARM" && a.AlarmName)
    .map((a) => ({ name: a.AlarmName as string, at: a.StateUpdatedTimestamp, reason: a.StateReason ?? "" }))
    .sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  const during = deploymentStartedAt ? inAlarm.filter((a) => a.at && a.at.getTime() >= deploymentStartedAt.getTime()) : inAlarm;
  return (during.length > 0 ? during : inAlarm).map((a) => ({ name: a.name, since: a.at ? a.at.toISOString() : "unknown", reason: a.reason }));
}

/** Reads the watched alarms' states from CloudWatch. */
export async function describeFiredAlarms(
  cloudWatch: CloudWatchClient,
  names: readonly string[],
  deploymentStartedAt: Date | undefined,
): Promise<FiredAlarm[]> {
  if (names.length === 0) return [];
  try {
    const described = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names].slice(0, 100), AlarmTypes: ["MetricAlarm"] }));
    return firedAlarms(described.MetricAlarms ?? [], deploymentStartedAt);
  } catch (error) {
    throw awsFailure(error, "CloudWatch");
  }
}
