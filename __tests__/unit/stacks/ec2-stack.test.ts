import { Testing } from "cdktf";
import { buildApp } from "../../../src/app";
import { parseConfig } from "../../../src/config/load";
import { ec2StackName, stackNames } from "../../../src/config/derive";
import {
  allKeys,
  asBlock,
  asString,
  blockList,
  containerDefinitions,
  decodeUserData,
  onlyResource,
  policyStatements,
  ref,
  referenceConfig,
  resources,
  statementsAllowing,
  synthEc2Stack,
  synthStack,
} from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";

const EXISTING_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-XyZ789";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const synthWith = (ec2: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): TerraformDocument =>
  synthEc2Stack({ ...referenceConfig(), ...overrides, ec2: { ...referenceConfig().ec2, ...ec2 } });
const executionPolicy = (tf: TerraformDocument) =>
  policyStatements(resources(tf, "aws_iam_role_policy").find((r) => r.block.name === "pull-image-read-secrets-write-logs")?.block.policy);
const instancePolicy = (tf: TerraformDocument) =>
  policyStatements(resources(tf, "aws_iam_role_policy").find((r) => r.block.name === "ecs-agent")?.block.policy);
const container = (tf: TerraformDocument) => containerDefinitions(onlyResource(tf, "aws_ecs_task_definition").block.container_definitions)[0];

/** Every account-wide `name` (and `family`) a stack gives its AWS resources (inline policy names are per role). */
function resourceNames(tf: TerraformDocument): string[] {
  return Object.entries(tf.resource ?? {})
    .filter(([type]) => type !== "aws_iam_role_policy")
    .flatMap(([type, byName]) =>
      Object.values(byName).flatMap((block) =>
        ["name", "family"].filter((k) => typeof block[k] === "string" && !block[k].includes("${")).map((k) => `${type}:${block[k]}`),
      ),
    );
}

describe("Ec2Stack from config/reference-app.json", () => {
  let tf: TerraformDocument;
  beforeAll(() => {
    tf = synthWith();
  });

  it("outputs the Fargate stack's names plus the ASG, capacity provider and registry auth mode", () => {
    const output = tf.output ?? {};
    expect(Object.keys(output).sort()).toEqual(
      [
        "alarm_topic_arn",
        "autoscaling_group_name",
        "capacity_provider_name",
        "cluster_name",
        "credentials_secret_arn",
        "execution_role_arn",
        "image",
        "log_group_name",
        "region",
        "registry_auth_mode",
        "registry_username",
        "service_name",
        "service_url",
        "services",
      ].sort(),
    );
    expect(output.registry_auth_mode.value).toBe("task");
    expect(output.autoscaling_group_name.value).toBe(ref("aws_autoscaling_group", onlyResource(tf, "aws_autoscaling_group").name, "name"));
    expect(output.capacity_provider_name.value).toBe(ref("aws_ecs_capacity_provider", onlyResource(tf, "aws_ecs_capacity_provider").name, "name"));
    expect(output.cluster_name.value).toBe(ref("aws_ecs_cluster", onlyResource(tf, "aws_ecs_cluster").name, "name"));
  });

  it("names every resource <name>-ec2, so it deploys beside the Fargate stack without a collision", () => {
    const fargate = new Set(resourceNames(synthStack(referenceConfig())));
    const ec2 = resourceNames(tf);
    expect(ec2.filter((name) => fargate.has(name))).toEqual([]);
    expect(ec2).toEqual(
      expect.arrayContaining([
        "aws_secretsmanager_secret:orders-ec2/registry-credentials",
        "aws_iam_role:orders-ec2-execution",
        "aws_iam_role:orders-ec2-task",
        "aws_iam_role:orders-ec2-instance",
        "aws_ecs_cluster:orders-ec2",
        "aws_lb:orders-ec2",
        "aws_lb_target_group:orders-ec2-8098",
        "aws_cloudwatch_log_group:/ecs/orders-ec2",
        "aws_kms_alias:alias/orders-ec2",
      ]),
    );
  });

  it("in task mode pulls with repositoryCredentials; the execution role reads the secret, the instances do not", () => {
    const secretArn = ref("aws_secretsmanager_secret", onlyResource(tf, "aws_secretsmanager_secret").name, "arn");
    expect(container(tf).repositoryCredentials).toEqual({ credentialsParameter: secretArn });
    expect(statementsAllowing(executionPolicy(tf), "secretsmanager:GetSecretValue")).toEqual([expect.objectContaining({ Resource: [secretArn] })]);
    expect(statementsAllowing(instancePolicy(tf), "secretsmanager:GetSecretValue")).toEqual([]);
  });

  it("encrypts the instance volumes with the created key, whose policy admits EC2 Auto Scaling for EBS", () => {
    const key = onlyResource(tf, "aws_kms_key");
    expect(asBlock(blockList(onlyResource(tf, "aws_launch_template").block.block_device_mappings)[0].ebs).kms_key_id).toBe(ref("aws_kms_key", key.name, "arn"));
    const sids = policyStatements(key.block.policy).map((s) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(["AutoScalingUsesKeyForEbs", "AutoScalingGrantsForEbsOnly"]));
  });

  it("lets the service start only after the capacity provider is the cluster's, the listener and the secret value exist", () => {
    expect(onlyResource(tf, "aws_ecs_service").block.depends_on).toEqual(
      expect.arrayContaining([
        `aws_ecs_cluster_capacity_providers.${onlyResource(tf, "aws_ecs_cluster_capacity_providers").name}`,
        `aws_lb_listener.${onlyResource(tf, "aws_lb_listener").name}`,
        `aws_secretsmanager_secret_version.${onlyResource(tf, "aws_secretsmanager_secret_version").name}`,
      ]),
    );
    expect(onlyResource(tf, "aws_autoscaling_group").block.depends_on).toContain(`aws_ecs_cluster.${onlyResource(tf, "aws_ecs_cluster").name}`);
  });
});

describe("Ec2Stack variants", () => {
  it("agent-dockercfg: the instances read exactly the secret at boot; tasks get no repositoryCredentials and no secret access", () => {
    const tf = synthWith({ registryAuth: "agent-dockercfg" });
    const secret = onlyResource(tf, "aws_secretsmanager_secret");
    const secretArn = ref("aws_secretsmanager_secret", secret.name, "arn");
    expect(container(tf)).not.toHaveProperty("repositoryCredentials");
    expect(statementsAllowing(executionPolicy(tf), "secretsmanager:GetSecretValue")).toEqual([]);
    expect(statementsAllowing(executionPolicy(tf), "kms:Decrypt")).toEqual([]);
    expect(statementsAllowing(instancePolicy(tf), "secretsmanager:GetSecretValue")).toEqual([expect.objectContaining({ Resource: [secretArn] })]);
    expect(statementsAllowing(instancePolicy(tf), "kms:Decrypt")).toEqual([
      expect.objectContaining({ Resource: [ref("aws_kms_key", onlyResource(tf, "aws_kms_key").name, "arn")] }),
    ]);
    expect(tf.output?.registry_auth_mode.value).toBe("agent-dockercfg");
    // The first instance must not boot before the secret holds a value.
    expect(onlyResource(tf, "aws_autoscaling_group").block.depends_on).toContain(
      `aws_secretsmanager_secret_version.${onlyResource(tf, "aws_secretsmanager_secret_version").name}`,
    );
    const script = decodeUserData(onlyResource(tf, "aws_launch_template").block.user_data, {
      [`aws_secretsmanager_secret.${secret.name}.arn`]: EXISTING_SECRET_ARN,
    });
    expect(script).toContain(`secret_arn='${EXISTING_SECRET_ARN}'`);
    expect(script).toContain("registry_host='ghcr.io'");
  });

  it("agent-dockercfg with an existing secret and key: literal user data naming that ARN, decrypt with that key", () => {
    const tf = synthWith(
      { registryAuth: "agent-dockercfg" },
      { credentials: { mode: "existing", existingSecretArn: EXISTING_SECRET_ARN, kmsKeyArn: KEY_ARN } },
    );
    expect(decodeUserData(onlyResource(tf, "aws_launch_template").block.user_data)).toContain(`secret_arn='${EXISTING_SECRET_ARN}'`);
    expect(statementsAllowing(instancePolicy(tf), "kms:Decrypt")).toEqual([expect.objectContaining({ Resource: [KEY_ARN] })]);
  });

  it("never puts a planted username or token into the synthesized JSON, in either auth mode", () => {
    const canaryUser = "canary-user-4d2e9b";
    for (const registryAuth of ["task", "agent-dockercfg"]) {
      const tf = synthWith({ registryAuth }, { credentials: { mode: "managed", username: canaryUser } });
      const script = decodeUserData(onlyResource(tf, "aws_launch_template").block.user_data);
      expect(script).not.toContain(canaryUser);
      expect(allKeys(tf)).not.toContain("secret_string");
      // The username is configuration (an output and the write-only value's template), never in user data.
      expect(JSON.stringify(onlyResource(tf, "aws_launch_template").block)).not.toContain(canaryUser);
    }
  });

  it("bridge: an instance target group (its own name) and the ALB admitted to the instances' dynamic ports", () => {
    const tf = synthWith({ networkMode: "bridge" });
    expect(onlyResource(tf, "aws_lb_target_group").block).toMatchObject({ name: "orders-ec2-8098-inst", target_type: "instance" });
    const instanceSg = ref("aws_security_group", resources(tf, "aws_security_group").find((r) => r.block.name === "orders-ec2-instances")!.name, "id");
    expect(
      resources(tf, "aws_vpc_security_group_ingress_rule")
        .filter((r) => r.block.security_group_id === instanceSg)
        .map((r) => r.block),
    ).toEqual([expect.objectContaining({ from_port: 32768, to_port: 65535 })]);
  });

  it("Spot: mixed instances and ECS_ENABLE_SPOT_INSTANCE_DRAINING in ecs.config", () => {
    const tf = synthWith({ spot: { instanceTypes: ["t3a.medium"] } });
    expect(asBlock(onlyResource(tf, "aws_autoscaling_group").block.mixed_instances_policy).instances_distribution).toEqual({
      on_demand_base_capacity: 1,
      on_demand_percentage_above_base_capacity: 0,
      spot_allocation_strategy: "price-capacity-optimized",
    });
    expect(decodeUserData(onlyResource(tf, "aws_launch_template").block.user_data)).toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
  });

  it("ARM64: the Graviton default instance type and the arm64 AMI parameter", () => {
    const tf = synthWith({}, { cpuArchitecture: "ARM64" });
    expect(onlyResource(tf, "aws_launch_template").block.instance_type).toBe("t4g.medium");
    expect(Object.values(tf.data?.aws_ssm_parameter ?? {})[0].name).toBe("/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id");
  });

  it("a long name keeps the ALB and target group names within 32 characters, distinct from the Fargate stack's", () => {
    const name = "a23456789012345678901234";
    const ec2 = synthWith({}, { name });
    const fargate = synthStack({ ...referenceConfig(), name });
    expect(onlyResource(ec2, "aws_lb").block.name).toBe(`${name}-ec2`);
    const groupName = asString(onlyResource(ec2, "aws_lb_target_group").block.name);
    expect(groupName.length).toBeLessThanOrEqual(32);
    expect(groupName).toMatch(/^a23456789012345678901234-[0-9a-f]{6}$/);
    expect(groupName).not.toBe(onlyResource(fargate, "aws_lb_target_group").block.name);
  });
});

describe("the Fargate stack next to it", () => {
  it("outputs registry_auth_mode = task", () => {
    expect(synthStack(referenceConfig()).output?.registry_auth_mode.value).toBe("task");
  });
});

describe("buildApp", () => {
  it.each<[string, string[]]>([
    ["fargate", ["orders"]],
    ["ec2", ["orders-ec2"]],
    ["both", ["orders", "orders-ec2"]],
  ])("launchType %s synthesizes %j", (launchType, expected) => {
    const input: Record<string, unknown> = { ...referenceConfig(), launchType };
    if (launchType === "fargate") delete input.ec2;
    const config = parseConfig(input);
    expect(stackNames(config)).toEqual(expected);
    const app = buildApp(config, { outdir: Testing.app().outdir });
    expect(app.node.children.map((c) => c.node.id)).toEqual(expected);
    expect(ec2StackName(config)).toBe("orders-ec2");
  });
});
