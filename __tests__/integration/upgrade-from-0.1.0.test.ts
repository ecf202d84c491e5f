/**
 * Upgrading an existing deployment replaces nothing. Each reference stack is applied on moto exactly as ghcr-ecs 0.1.0
 * synthesized it (`__tests__/fixtures/upgrade/0.1.0/<stack>.cdk.tf.json`, written by `npm run synth` at commit
 * 40aa637 from config/reference-app.json, which has not changed since), then planned with today's code against the
 * same state: Terraform must destroy and replace nothing, and carry the Fargate cluster through its `moved` block.
 *
 * moto 5.2.1 drops the EC2 service's capacity provider strategy (see ec2-on-moto.test.ts), so any plan of the applied
 * EC2 stack — even 0.1.0 planned again — replaces that service. The EC2 upgrade is therefore held to the control: it
 * may replace exactly what re-planning 0.1.0 itself replaces, and destroy nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import type { TerraformDocument } from "../../src/terraform/document";
import { TerraformWorkdir } from "../../src/terraform/workdir";
import { configWith } from "../helpers/configs";

jest.setTimeout(600_000);

const FIXTURES = path.join(__dirname, "..", "fixtures", "upgrade", "0.1.0");
const token = `ghp_upgrade${Date.now()}${Math.random().toString(36).slice(2, 10)}`;

interface PlanChange {
  address: string;
  previous_address?: string;
  change: { actions: string[]; before?: Record<string, unknown>; after?: Record<string, unknown> };
}

interface Upgrade {
  readonly deployment: EmulatedDeployment;
  /** Changes of `terraform plan` with today's code against the state 0.1.0 applied. */
  readonly upgrade: PlanChange[];
  /** Changes of planning the applied 0.1.0 stack again with 0.1.0: what moto alone makes Terraform do. */
  readonly control: PlanChange[];
}

async function planChanges(terraform: TerraformWorkdir, planFile: string): Promise<PlanChange[]> {
  await terraform.plan(planFile, { TF_VAR_registry_token: token });
  return (JSON.parse((await terraform.showJson(planFile)).stdout) as { resource_changes: PlanChange[] }).resource_changes;
}

/** Applies the 0.1.0 document of `stack` in a folder beside today's synthesized stack, sharing its state file. */
async function upgrade(stack: "orders" | "orders-ec2"): Promise<Upgrade> {
  const deployment = await EmulatedDeployment.start(configWith({}), { stack });
  const v010 = JSON.parse(readFileSync(path.join(FIXTURES, `${stack}.cdk.tf.json`), "utf8")) as TerraformDocument & { terraform: { backend: unknown } };
  v010.terraform.backend = { local: { path: deployment.stateFile } };
  const oldDir = path.join(deployment.workdir, "v0.1.0");
  mkdirSync(oldDir);
  writeFileSync(path.join(oldDir, "cdk.tf.json"), JSON.stringify(v010));
  const old = new TerraformWorkdir(oldDir, { ...process.env, ...deployment.moto.awsEnv(deployment.region) });
  await old.init();
  await old.apply({ TF_VAR_registry_token: token });
  const control = await planChanges(old, path.join(oldDir, "control.tfplan"));
  const upgraded = await planChanges(deployment.terraform, path.join(deployment.workdir, "upgrade.tfplan"));
  return { deployment, upgrade: upgraded, control };
}

const withAction = (changes: PlanChange[], test: (actions: string) => boolean) =>
  changes
    .filter((c) => test(c.change.actions.join(",")))
    .map((c) => c.address)
    .sort();
const changedAttributes = (change: PlanChange) =>
  Object.keys(change.change.after ?? {}).filter((k) => JSON.stringify(change.change.after?.[k]) !== JSON.stringify(change.change.before?.[k]));
const destroyed = (changes: PlanChange[]) => withAction(changes, (a) => a === "delete");
const replaced = (changes: PlanChange[]) => withAction(changes, (a) => a === "delete,create" || a === "create,delete");

let fargate: Upgrade;
let ec2: Upgrade;

beforeAll(async () => {
  [fargate, ec2] = await Promise.all([upgrade("orders"), upgrade("orders-ec2")]);
});
afterAll(async () => {
  await Promise.all([fargate?.deployment.dispose(), ec2?.deployment.dispose()]);
});

describe("upgrading the Fargate reference stack from 0.1.0", () => {
  it("destroys nothing and replaces nothing", () => {
    expect(destroyed(fargate.upgrade)).toEqual([]);
    expect(replaced(fargate.upgrade)).toEqual([]);
  });

  it("creates only what 0.2 adds: the scalable target and its CPU policy, the alarms and their topic", () => {
    expect(withAction(fargate.upgrade, (a) => a === "create")).toEqual([
      "aws_appautoscaling_policy.autoscaling_cpu_CD02082E",
      "aws_appautoscaling_target.autoscaling_target_10D32FB7",
      "aws_cloudwatch_metric_alarm.alarms_cpu-high_297C25F0",
      "aws_cloudwatch_metric_alarm.alarms_memory-high_3EC1B4AB",
      "aws_cloudwatch_metric_alarm.alarms_p99-response-time_DCFF9BC1",
      "aws_cloudwatch_metric_alarm.alarms_target-5xx_D94557D4",
      "aws_cloudwatch_metric_alarm.alarms_tasks-below-desired_1019B857",
      "aws_cloudwatch_metric_alarm.alarms_unhealthy-targets_574C8DD2",
      "aws_cloudwatch_metric_alarm.load-balancer-alarms_load-balancer-5xx_94EAC098",
      "aws_sns_topic.alarm-topic_D89A1C02",
      "aws_sns_topic_policy.alarm-topic_policy_BF9A07B7",
    ]);
  });

  it("carries the cluster to its new address through the moved block, updating only its storage encryption in place", () => {
    const cluster = fargate.upgrade.find((c) => c.address === "aws_ecs_cluster.cluster");
    expect(cluster?.previous_address).toBe("aws_ecs_cluster.service_cluster_B81F1F5D");
    expect(cluster?.change.actions).toEqual(["update"]);
    expect(changedAttributes(cluster!)).toEqual(["configuration"]);
  });

  it("changes in place what re-planning 0.1.0 itself changes (fields moto drops), the cluster, and the key's policy for the alarm topic and Fargate storage", () => {
    const updated = (changes: PlanChange[]) => withAction(changes, (a) => a === "update");
    const key = "aws_kms_key.encryption_key_EEB70057";
    expect(updated(fargate.upgrade)).toEqual([...updated(fargate.control), key, "aws_ecs_cluster.cluster"].sort());
    const keyChange = fargate.upgrade.find((c) => c.address === key)!;
    expect(changedAttributes(keyChange)).toEqual(["policy"]);
    const sids = (policy: unknown) => (JSON.parse(String(policy)) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);
    expect(sids(keyChange.change.after?.policy)).toEqual([
      ...sids(keyChange.change.before?.policy),
      "FargateDataKeysForThisClustersStorage",
      "FargateDecryptGrantsForThisClustersStorage",
      "CloudWatchAlarmsPublishToEncryptedTopic",
    ]);
  });
});

describe("upgrading the EC2 reference stack from 0.1.0", () => {
  it("destroys nothing", () => {
    expect(destroyed(ec2.upgrade)).toEqual([]);
  });

  it("replaces only what moto makes re-planning 0.1.0 itself replace", () => {
    expect(replaced(ec2.upgrade)).toEqual(replaced(ec2.control));
    expect(replaced(ec2.control).every((address) => address.startsWith("aws_ecs_service."))).toBe(true);
  });

  it("keeps every address (the EC2 cluster was already at the stack level)", () => {
    expect(ec2.upgrade.filter((c) => c.previous_address !== undefined)).toEqual([]);
  });
});
