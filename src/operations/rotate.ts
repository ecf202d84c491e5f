import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeInstanceRefreshesCommand, StartInstanceRefreshCommand, type AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { RegistryCredential } from "../registry/pull-check";
import { awsFailure } from "./aws";
import { checkCredentials, provePull, type PullProof } from "./check";
import { EXIT, OperationError } from "./exit-codes";
import { checkSecretName, secretReaderFor, writeRegistrySecret } from "./registry-secret";
import { rollout, type RolloutEvent, type RolloutResult } from "./rollout";
import { recordNewTokenExpiry, type ExpiryRecord } from "./token-facts";

export type RotationStep =
  | { readonly step: "checked-new-credential"; readonly proof: PullProof }
  | { readonly step: "wrote-secret"; readonly versionId: string }
  | { readonly step: "verified-secret"; readonly proof: PullProof }
  | { readonly step: "token-expiry"; readonly record: ExpiryRecord }
  | { readonly step: "instance-refresh-started"; readonly autoscalingGroupName: string; readonly refreshId: string }
  | { readonly step: "instance-refresh-finished"; readonly status: string }
  | { readonly step: "rollout"; readonly service: string; readonly event: RolloutEvent };

export interface RotationOptions {
  readonly secretId: string;
  readonly image: string;
  readonly credential: RegistryCredential;
  readonly cluster: string;
  /** Every ECS service that pulls with this secret: all are rolled, in parallel, once the secret holds the credential. */
  readonly services: readonly string[];
  /**
   * `agent-dockercfg` instances read the secret at boot, so they are replaced before the service rolls;
   * `ecr-pull-through-cache`: ECR reads it (`{"username","accessToken"}`) on its next upstream pull, nothing is replaced.
   */
  readonly registryAuthMode: "task" | "agent-dockercfg" | "ecr-pull-through-cache";
  readonly autoscalingGroupName?: string;
  readonly checkTimeoutMs: number;
  readonly rolloutTimeoutMs: number;
  readonly pollIntervalMs?: number;
  /** Instance refresh: share of capacity kept in service. @default 90 */
  readonly minHealthyPercentage?: number;
  /**
   * GitHub Enterprise Server's API, to record the new token's expiry as the secret's tag.
   * @default - api.github.com for ghcr.io images; no call for other registries
   */
  readonly githubApi?: string;
  readonly onStep?: (step: RotationStep) => void;
}

export interface RotationClients {
  readonly secrets: SecretsManagerClient;
  readonly ecs: ECSClient;
  readonly autoscaling?: AutoScalingClient;
  /** Names the deployment alarm that stopped a rollout. */
  readonly cloudWatch?: CloudWatchClient;
}

/**
 * AWS's knowledge-center rotation procedure as one operation, in the order that keeps the service up: prove the
 * new credential can pull before anything changes (a failing one leaves the secret and the running tasks alone),
 * write it, prove the stored value from Secrets Manager, then replace instances (agent-level auth) and roll every
 * service that pulls with the secret.
 */
export async function rotateCredentials(clients: RotationClients, options: RotationOptions): Promise<RolloutResult[]> {
  const step = options.onStep ?? (() => undefined);
  const reader = secretReaderFor(options.registryAuthMode);
  checkSecretName(options.secretId, reader);
  step({ step: "checked-new-credential", proof: await provePull(options.image, options.credential, options.checkTimeoutMs) });
  step({ step: "wrote-secret", versionId: await writeRegistrySecret(clients.secrets, options.secretId, options.credential, reader) });
  step({ step: "verified-secret", proof: await checkCredentials(clients.secrets, options.secretId, options.image, options.checkTimeoutMs, reader) });
  const record = await recordNewTokenExpiry(clients.secrets, options.secretId, options.image, options.credential.password, {
    githubApi: options.githubApi,
    timeoutMs: options.checkTimeoutMs,
  });
  if (record) step({ step: "token-expiry", record });

  if (options.registryAuthMode === "agent-dockercfg") {
    if (!options.autoscalingGroupName || !clients.autoscaling) {
      throw new OperationError(
        EXIT.usage,
        "agent-dockercfg auth needs the Auto Scaling group to replace its instances",
        "Pass --autoscaling-group NAME or outputs with autoscaling_group_name.",
      );
    }
    const refreshDeadline = Date.now() + options.rolloutTimeoutMs;
    const refreshId = await startInstanceRefresh(clients.autoscaling, options.autoscalingGroupName, options.minHealthyPercentage ?? 90);
    step({ step: "instance-refresh-started", autoscalingGroupName: options.autoscalingGroupName, refreshId });
    const status = await waitForInstanceRefresh(clients.autoscaling, options.autoscalingGroupName, refreshId, refreshDeadline, options.pollIntervalMs ?? 10000);
    step({ step: "instance-refresh-finished", status });
  }

  return Promise.all(
    options.services.map((service) =>
      rollout(clients.ecs, {
        cluster: options.cluster,
        service,
        timeoutMs: options.rolloutTimeoutMs,
        pollIntervalMs: options.pollIntervalMs,
        cloudWatch: clients.cloudWatch,
        onEvent: (event) => step({ step: "rollout", service, event }),
      }),
    ),
  );
}

async function startInstanceRefresh(autoscaling: AutoScalingClient, group: string, minHealthyPercentage: number): Promise<string> {
  try {
    const response = await autoscaling.send(
      new StartInstanceRefreshCommand({ AutoScalingGroupName: group, Strategy: "Rolling", Preferences: { MinHealthyPercentage: minHealthyPercentage } }),
    );
    if (!response.InstanceRefreshId) throw new Error("no InstanceRefreshId in the answer");
    return response.InstanceRefreshId;
  } catch (error) {
    const failure = awsFailure(error, "Auto Scaling");
    if (failure instanceof OperationError) throw failure;
    throw new OperationError(
      EXIT.instanceRefreshFailed,
      `could not start an instance refresh of ${group}: ${(error as Error).name}: ${(error as Error).message}`,
      "The secret already holds the new credential. Replace the instances another way (aws autoscaling start-instance-refresh), then run `ghcr-ecs rollout`.",
    );
  }
}

async function waitForInstanceRefresh(
  autoscaling: AutoScalingClient,
  group: string,
  refreshId: string,
  deadline: number,
  pollIntervalMs: number,
): Promise<string> {
  for (;;) {
    let status: string | undefined;
    let reason: string | undefined;
    try {
      const response = await autoscaling.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: group, InstanceRefreshIds: [refreshId] }));
      status = response.InstanceRefreshes?.[0]?.Status;
      reason = response.InstanceRefreshes?.[0]?.StatusReason;
    } catch (error) {
      throw awsFailure(error, "Auto Scaling");
    }
    if (status === "Successful") return status;
    if (status === "Failed" || status === "Cancelled" || status === "RollbackSuccessful" || status === "RollbackFailed") {
      throw new OperationError(
        EXIT.instanceRefreshFailed,
        `instance refresh ${refreshId} of ${group} ended ${status}${reason ? `: ${reason}` : ""}`,
        "Inspect it with aws autoscaling describe-instance-refreshes; the service was not rolled.",
      );
    }
    if (Date.now() + pollIntervalMs > deadline) {
      throw new OperationError(
        EXIT.rolloutTimedOut,
        `instance refresh ${refreshId} of ${group} is still ${status ?? "pending"}`,
        "It continues in AWS; run `ghcr-ecs rollout` once it finishes.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}
