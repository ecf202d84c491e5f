import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
} from "@aws-sdk/client-ecs";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { awsFailure } from "./aws";
import { describeFiredAlarms, watchedAlarmNames, type FiredAlarm } from "./deployment-alarms";
import { diagnoseStoppedTask, isRoutineStop, type Diagnosis } from "./diagnose";
import { EXIT, OperationError } from "./exit-codes";

export interface StoppedTaskDiagnosis {
  readonly taskArn: string;
  readonly stoppedReason: string;
  readonly diagnosis: Diagnosis;
}

export type RolloutEvent =
  | { readonly type: "started"; readonly deploymentId: string; readonly previousDeploymentId?: string }
  | {
      readonly type: "progress";
      readonly rolloutState: string;
      readonly running: number;
      readonly pending: number;
      readonly desired: number;
      readonly failedTasks: number;
    }
  | ({ readonly type: "stopped-task" } & StoppedTaskDiagnosis);

export type RolloutOutcome = "completed" | "failed" | "rolled-back" | "superseded" | "timed-out";

export interface RolloutResult {
  readonly outcome: RolloutOutcome;
  readonly cluster: string;
  readonly service: string;
  readonly deploymentId: string;
  readonly reason?: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly failedTasks: number;
  readonly diagnoses: readonly StoppedTaskDiagnosis[];
  /** The deployment alarms in ALARM when the deployment failed: what stopped it, earliest first. */
  readonly firedAlarms?: readonly FiredAlarm[];
  readonly durationSeconds: number;
}

export interface RolloutOptions {
  readonly cluster: string;
  readonly service: string;
  /** Give up (outcome `timed-out`) after this long. */
  readonly timeoutMs: number;
  /** @default 5000 */
  readonly pollIntervalMs?: number;
  readonly onEvent?: (event: RolloutEvent) => void;
  /**
   * Reads the service's deployment alarms when the deployment fails, to name the one that stopped it.
   * @default - the failure is reported with ECS's reason only
   */
  readonly cloudWatch?: CloudWatchClient;
}

/**
 * Forces a new deployment and follows that deployment (by id) until ECS reports it COMPLETED or FAILED. A deployment
 * that disappears or is no longer PRIMARY was rolled back by the circuit breaker or replaced by another deploy:
 * both are failures, never a silent success. Stopped tasks of the deployment are diagnosed as they appear.
 */
export async function rollout(ecs: ECSClient, options: RolloutOptions): Promise<RolloutResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const pollIntervalMs = options.pollIntervalMs ?? 5000;
  const emit = options.onEvent ?? (() => undefined);
  const { cluster, service: serviceName } = options;

  const before = await describeService(ecs, cluster, serviceName);
  const previousDeploymentId = primary(before)?.id;
  let updated: Service | undefined;
  try {
    updated = (await ecs.send(new UpdateServiceCommand({ cluster, service: serviceName, forceNewDeployment: true }))).service;
  } catch (error) {
    throw awsFailure(error, "ECS");
  }
  const deploymentId = primary(updated)?.id;
  if (!deploymentId) throw new OperationError(EXIT.failure, `ECS did not report a primary deployment for ${serviceName} after the update`);
  emit({ type: "started", deploymentId, ...(previousDeploymentId ? { previousDeploymentId } : {}) });

  const diagnoses: StoppedTaskDiagnosis[] = [];
  const seenTasks = new Set<string>();
  let last: Deployment | undefined = primary(updated);
  const result = (outcome: RolloutOutcome, reason?: string, firedAlarms: readonly FiredAlarm[] = []): RolloutResult => ({
    outcome,
    cluster,
    service: serviceName,
    deploymentId,
    ...(firedAlarms.length > 0
      ? { reason: `deployment alarm "${firedAlarms[0].name}" went into ALARM at ${firedAlarms[0].since}`, firedAlarms }
      : reason
        ? { reason }
        : {}),
    desiredCount: last?.desiredCount ?? 0,
    runningCount: last?.runningCount ?? 0,
    failedTasks: last?.failedTasks ?? 0,
    diagnoses,
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
  });

  // Naming the alarm is a bonus: without cloudwatch:DescribeAlarms (or CloudWatch) the failed outcome still stands.
  const alarmsThatFired = (service: Service): Promise<FiredAlarm[]> =>
    options.cloudWatch
      ? describeFiredAlarms(options.cloudWatch, watchedAlarmNames(service.deploymentConfiguration), last?.createdAt).catch(() => [])
      : Promise.resolve([]);

  let lastProgress = "";
  for (;;) {
    const service = await describeService(ecs, cluster, serviceName);
    const ours = service.deployments?.find((d) => d.id === deploymentId);
    await collectStoppedTasks(ecs, cluster, deploymentId, seenTasks, (d) => {
      diagnoses.push(d);
      emit({ type: "stopped-task", ...d });
    });

    if (!ours) {
      const fired = await alarmsThatFired(service);
      const rolledBack = fired.length > 0 || (service.events ?? []).some((e) => /roll(ing|ed)? back|circuit breaker/i.test(e.message ?? ""));
      return result(
        rolledBack ? "rolled-back" : "superseded",
        rolledBack
          ? "the circuit breaker rolled the deployment back"
          : `deployment ${deploymentId} was replaced by ${primary(service)?.id ?? "another deployment"}`,
        fired,
      );
    }
    last = ours;
    const progress = `${ours.rolloutState}/${ours.runningCount}/${ours.pendingCount}/${ours.failedTasks}`;
    if (progress !== lastProgress) {
      lastProgress = progress;
      emit({
        type: "progress",
        rolloutState: ours.rolloutState ?? "UNKNOWN",
        running: ours.runningCount ?? 0,
        pending: ours.pendingCount ?? 0,
        desired: ours.desiredCount ?? 0,
        failedTasks: ours.failedTasks ?? 0,
      });
    }
    if (ours.rolloutState === "FAILED") {
      const rolledBack = primary(service)?.id !== deploymentId;
      return result(rolledBack ? "rolled-back" : "failed", ours.rolloutStateReason ?? "ECS marked the deployment FAILED", await alarmsThatFired(service));
    }
    if (ours.rolloutState === "COMPLETED") {
      if (ours.status !== "PRIMARY") return result("superseded", `deployment ${deploymentId} completed but is no longer the primary deployment`);
      return result("completed", ours.rolloutStateReason);
    }
    if (Date.now() + pollIntervalMs > deadline) {
      return result(
        "timed-out",
        `still ${ours.rolloutState ?? "in progress"} after ${Math.round(options.timeoutMs / 1000)} s: ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} running`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

function primary(service: Service | undefined): Deployment | undefined {
  return service?.deployments?.find((d) => d.status === "PRIMARY");
}

async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  let response;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if ((error as Error).name === "ClusterNotFoundException") {
      throw new OperationError(EXIT.usage, `ECS cluster ${cluster} does not exist`, "Check --cluster or the outputs file; was the stack destroyed?");
    }
    throw awsFailure(error, "ECS");
  }
  const found = response.services?.find((s) => s.status !== "INACTIVE");
  if (!found)
    throw new OperationError(
      EXIT.usage,
      `ECS service ${service} does not exist in cluster ${cluster}`,
      "Check --service or the outputs file; was the stack destroyed?",
    );
  return found;
}

/** Stopped tasks started by this deployment (ECS sets `startedBy` to the deployment id), each diagnosed once. */
async function collectStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  deploymentId: string,
  seen: Set<string>,
  onDiagnosis: (d: StoppedTaskDiagnosis) => void,
): Promise<void> {
  try {
    const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: "STOPPED" }));
    const fresh = (listed.taskArns ?? []).filter((arn) => !seen.has(arn));
    if (fresh.length === 0) return;
    const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: fresh.slice(0, 100) }));
    for (const task of described.tasks ?? []) {
      if (!task.taskArn || task.lastStatus !== "STOPPED") continue;
      seen.add(task.taskArn);
      const reasons = { stoppedReason: task.stoppedReason, stopCode: task.stopCode, containers: task.containers };
      if (isRoutineStop(reasons)) continue;
      onDiagnosis({ taskArn: task.taskArn, stoppedReason: task.stoppedReason ?? "", diagnosis: diagnoseStoppedTask(reasons) });
    }
  } catch (error) {
    throw awsFailure(error, "ECS");
  }
}
