import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetInstanceProfileCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeLaunchTemplateVersionsCommand, DescribeSecurityGroupRulesCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { filesContaining } from "../../src/emulator/leaks";
import { readAsEcsInit, renderEcsConfig } from "../../src/ec2/ecs-config";
import { ecsConfigWrittenBy, renderUserData } from "../../src/ec2/user-data";
import { configWith } from "../helpers/configs";
import { changedAttributes, secondPlanChanges, type PlannedChange } from "../helpers/second-plan";
import { match } from "../helpers/matchers";

jest.setTimeout(600_000);

/**
 * Fields moto 5.2.1 does not store (or reports differently), so a second plan shows them as changes. As on Fargate:
 * create_service drops the grace period, managed tags and AZ rebalancing, and rules referencing another security
 * group lose their description. EC2 adds:
 * - create_service also drops the capacity provider strategy and the ordered placement strategy; the provider
 *   replaces a service whose capacity provider strategy changed, so the second plan replaces the service;
 * - the launch template comes back with an extra `launch-template` tag specification (moto files the template's own
 *   tags there), so Terraform updates it, and the Auto Scaling group's pinned version becomes "known after apply";
 * - the Auto Scaling group reports an empty capacity reservation preference where the provider expects null.
 * Anything else changing after apply is drift in our stack.
 */
const MOTO_DROPPED_FIELDS: Record<string, string[]> = {
  aws_ecs_service: [
    "enable_ecs_managed_tags",
    "health_check_grace_period_seconds",
    "availability_zone_rebalancing",
    "capacity_provider_strategy",
    "ordered_placement_strategy",
  ],
  aws_vpc_security_group_ingress_rule: ["description"],
  aws_vpc_security_group_egress_rule: ["description"],
  aws_launch_template: ["tag_specifications"],
  aws_autoscaling_group: ["capacity_reservation_specification"],
};
/** Unset by us and reset by a replacement moto forced (see above): not drift. */
const RESET_BY_REPLACEMENT: Record<string, string[]> = { aws_ecs_service: ["deployment_controller", "tags"] };

/** The first block of a nested block list such as `launch_template` in a plan (undefined when there is none). */
function firstBlock(list: unknown): Record<string, unknown> | undefined {
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  return first !== null && typeof first === "object" ? (first as Record<string, unknown>) : undefined;
}

/** The pinned version only becomes unknown because moto made Terraform update the template. */
function onlyVersionUnknown(change: PlannedChange["change"]): boolean {
  const before = firstBlock(change.before.launch_template);
  const after = firstBlock(change.after.launch_template);
  return before?.id === after?.id && firstBlock(change.after_unknown?.launch_template)?.version === true;
}

const canary = `ghp_canary${Date.now()}${Math.random().toString(36).slice(2, 12)}`;
/**
 * agent-dockercfg: the mode whose user data Terraform assembles around the created secret's ARN. awsvpc, not bridge:
 * moto answers DescribeServices for a bridge-mode service with an empty `networkConfiguration` object (AWS omits it),
 * and provider 5.100 then crashes reading the service (nil pointer in flattenNetworkConfiguration). Bridge mode and
 * task auth are covered by the unit tests and `terraform validate`/plan in __tests__/terraform/ec2-validate-and-plan.
 */
const config = configWith({
  launchType: "ec2",
  ec2: { registryAuth: "agent-dockercfg", minSize: 1, maxSize: 2, ecsConfig: { ECS_RESERVED_MEMORY: "256" } },
});
let deployment: EmulatedDeployment;
let outputs: Record<string, string>;
const logs: string[] = [];

beforeAll(async () => {
  deployment = await EmulatedDeployment.start(config, { stack: "orders-ec2" });
  const applied = await deployment.terraform.apply({ TF_VAR_registry_token: canary });
  logs.push(applied.stdout, applied.stderr);
  outputs = (await deployment.terraform.outputs()) as Record<string, string>;
});
afterAll(async () => {
  await deployment?.dispose();
});

const client = <T>(Client: new (config: ReturnType<EmulatedDeployment["clientConfig"]>) => T): T => new Client(deployment.clientConfig());

async function latestLaunchTemplate() {
  const versions = await client(EC2Client).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "orders-ec2", Versions: ["$Latest"] }));
  return versions.LaunchTemplateVersions?.[0];
}

describe("the EC2 variant (agent-dockercfg, awsvpc) applied to moto", () => {
  it("outputs what the operations CLI needs, under the Fargate stack's names plus the EC2 ones", () => {
    expect(outputs).toMatchObject({
      cluster_name: "orders-ec2",
      service_name: "orders-ec2",
      log_group_name: "/ecs/orders-ec2",
      image: "ghcr.io/acme/orders-service:1.4.2",
      region: "us-east-1",
      registry_username: "acme-ci-bot",
      registry_auth_mode: "agent-dockercfg",
      autoscaling_group_name: "orders-ec2",
      capacity_provider_name: "orders-ec2",
    });
    expect(outputs.credentials_secret_arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-ec2\/registry-credentials-/);
    expect(outputs.service_url).toMatch(/^http:\/\//);
  });

  it("stores the credential in its own secret, beside (not shared with) a Fargate stack's", async () => {
    const secrets = client(SecretsManagerClient);
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: outputs.credentials_secret_arn }));
    expect(JSON.parse(value.SecretString ?? "")).toEqual({ username: "acme-ci-bot", password: canary });
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: outputs.credentials_secret_arn }))).Name).toBe("orders-ec2/registry-credentials");
  });

  it("writes user data that builds the agent auth from the secret ARN at boot, exactly as rendered, with no credential", async () => {
    const template = await latestLaunchTemplate();
    const script = Buffer.from(template?.LaunchTemplateData?.UserData ?? "", "base64").toString("utf8");
    const ecsConfig = renderEcsConfig({
      clusterName: "orders-ec2",
      containerStopTimeoutSeconds: 30,
      imagePullBehavior: "default",
      spotInstanceDraining: false,
      extras: { ECS_RESERVED_MEMORY: "256" },
    });
    // Terraform interpolated the created secret's ARN into the escaped template; everything else is byte-identical.
    expect(script).toBe(
      renderUserData({
        ecsConfig,
        region: "us-east-1",
        registryAuth: { mode: "agent-dockercfg", secretArn: outputs.credentials_secret_arn, registryHost: "ghcr.io" },
      }),
    );
    expect(readAsEcsInit(ecsConfigWrittenBy(script))).toEqual({
      ECS_CLUSTER: "orders-ec2",
      ECS_ENABLE_TASK_IAM_ROLE: "true",
      ECS_AWSVPC_BLOCK_IMDS: "true",
      ECS_ENABLE_CONTAINER_METADATA: "true",
      ECS_CONTAINER_STOP_TIMEOUT: "30s",
      ECS_IMAGE_PULL_BEHAVIOR: "default",
      ECS_RESERVED_MEMORY: "256",
    });
    expect(script).not.toContain(canary);
    expect(script).not.toContain(Buffer.from(`acme-ci-bot:${canary}`).toString("base64"));
    const shellcheck = spawnSync("shellcheck", ["-s", "bash", "-"], { input: script, encoding: "utf8" });
    expect({ status: shellcheck.status, output: shellcheck.stdout }).toEqual({ status: 0, output: "" });
  });

  it("launches with IMDSv2 only (hop limit 1), an encrypted gp3 root volume under the CMK, no public IP", async () => {
    const data = (await latestLaunchTemplate())?.LaunchTemplateData;
    expect(data?.MetadataOptions).toMatchObject({ HttpTokens: "required", HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled" });
    expect(data?.BlockDeviceMappings).toEqual([
      {
        DeviceName: "/dev/xvda",
        Ebs: match.objectContaining({
          Encrypted: true,
          VolumeType: "gp3",
          VolumeSize: 30,
          DeleteOnTermination: true,
          KmsKeyId: match.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//),
        }),
      },
    ]);
    expect(data?.NetworkInterfaces).toEqual([expect.objectContaining({ AssociatePublicIpAddress: false, DeviceIndex: 0 })]);
    expect(data?.InstanceType).toBe("t3.medium");
    // moto serves AWS's public parameter: the recommended ECS-optimized AL2023 AMI.
    expect(data?.ImageId).toMatch(/^ami-[0-9a-f]+$/);
    const profile = await client(IAMClient).send(new GetInstanceProfileCommand({ InstanceProfileName: "orders-ec2-instance" }));
    expect(data?.IamInstanceProfile?.Arn).toBe(profile.InstanceProfile?.Arn);
  });

  it("lets the instance role join this cluster and read exactly the registry secret, with no managed policy", async () => {
    const iam = client(IAMClient);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "orders-ec2-instance" }))).AttachedPolicies).toEqual([]);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "orders-ec2-instance" }))).PolicyNames).toEqual(["ecs-agent"]);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: "orders-ec2-instance", PolicyName: "ecs-agent" }));
    const statements = (JSON.parse(decodeURIComponent(inline.PolicyDocument ?? "")) as { Statement: Record<string, unknown>[] }).Statement;
    const cluster = (await client(ECSClient).send(new DescribeClustersCommand({ clusters: ["orders-ec2"] }))).clusters?.[0];
    expect(statements.find((s) => s.Sid === "JoinThisClusterOnly")?.Resource).toBe(cluster?.clusterArn);
    expect(statements.find((s) => s.Sid === "ReadRegistrySecretAtBoot")?.Resource).toEqual([outputs.credentials_secret_arn]);
    expect(statements.find((s) => s.Sid === "DecryptSecretsThroughSecretsManagerOnly")?.Condition).toEqual({
      StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
    });
    // In agent mode the tasks never read the registry secret: the execution role only writes logs.
    const execution = await iam.send(new GetRolePolicyCommand({ RoleName: "orders-ec2-execution", PolicyName: "pull-image-read-secrets-write-logs" }));
    expect(JSON.stringify(JSON.parse(decodeURIComponent(execution.PolicyDocument ?? "")))).not.toContain("secretsmanager");
  });

  it("runs the instances in an Auto Scaling group on the pinned template version, scale-in protected, in private subnets", async () => {
    const group = (await client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [outputs.autoscaling_group_name] })))
      .AutoScalingGroups?.[0];
    const template = await latestLaunchTemplate();
    expect(group).toMatchObject({ MinSize: 1, MaxSize: 2, DesiredCapacity: 1, NewInstancesProtectedFromScaleIn: true, HealthCheckType: "EC2" });
    expect(group?.LaunchTemplate).toMatchObject({ LaunchTemplateId: template?.LaunchTemplateId, Version: String(template?.VersionNumber) });
    expect(group?.Tags).toEqual(expect.arrayContaining([expect.objectContaining({ Key: "AmazonECSManaged", Value: "true", PropagateAtLaunch: true })]));
    const subnets = (await client(EC2Client).send(new DescribeSubnetsCommand({ SubnetIds: group?.VPCZoneIdentifier?.split(",") }))).Subnets ?? [];
    expect(subnets.map((s) => s.Tags?.find((t) => t.Key === "Tier")?.Value)).toEqual(["private", "private"]);
  });

  it("makes the capacity provider (managed scaling 100%, termination protection) the cluster's default strategy", async () => {
    const ecs = client(ECSClient);
    const provider = (await ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: [outputs.capacity_provider_name] }))).capacityProviders?.[0];
    expect(provider?.autoScalingGroupProvider).toMatchObject({
      managedTerminationProtection: "ENABLED",
      managedScaling: match.objectContaining({ status: "ENABLED", targetCapacity: 100 }),
    });
    expect(provider?.autoScalingGroupProvider?.autoScalingGroupArn).toContain("autoScalingGroupName/orders-ec2");
    const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: ["orders-ec2"] }))).clusters?.[0];
    expect(cluster?.capacityProviders).toEqual(["orders-ec2"]);
    // moto leaves `base` out of the default strategy (AWS reports base 0); the unit tests pin base = 0.
    expect(cluster?.defaultCapacityProviderStrategy).toEqual([expect.objectContaining({ capacityProvider: "orders-ec2", weight: 1 })]);
  });

  it("registers an EC2 awsvpc task definition without repositoryCredentials (the agent authenticates)", async () => {
    const { taskDefinition } = await client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: "orders-ec2" }));
    expect(taskDefinition).toMatchObject({ requiresCompatibilities: ["EC2"], networkMode: "awsvpc", executionRoleArn: outputs.execution_role_arn });
    const container = taskDefinition?.containerDefinitions?.[0];
    expect(container?.portMappings).toEqual([expect.objectContaining({ containerPort: 8098, hostPort: 8098 })]);
    expect(container?.repositoryCredentials).toBeUndefined();
  });

  it("runs the service in private subnets behind an ip target group; instances admit nothing, tasks only the ALB", async () => {
    const service = (await client(ECSClient).send(new DescribeServicesCommand({ cluster: "orders-ec2", services: ["orders-ec2"] }))).services?.[0];
    expect(service).toMatchObject({ desiredCount: 2, loadBalancers: [expect.objectContaining({ containerName: "orders-ec2", containerPort: 8098 })] });
    expect(service?.launchType).not.toBe("FARGATE");
    const awsvpc = service?.networkConfiguration?.awsvpcConfiguration;
    expect(awsvpc?.assignPublicIp).toBe("DISABLED");
    const elb = client(ElasticLoadBalancingV2Client);
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["orders-ec2"] }))).LoadBalancers?.[0];
    const group = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))).TargetGroups?.[0];
    expect(group).toMatchObject({ TargetGroupName: "orders-ec2-8098", TargetType: "ip", Port: 8098, HealthCheckPath: "/actuator/health" });
    const ec2 = client(EC2Client);
    const rulesOf = async (groupId: string) =>
      (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }))).SecurityGroupRules ?? [];
    const taskRules = await rulesOf(awsvpc?.securityGroups?.[0] as string);
    expect(taskRules.filter((r) => !r.IsEgress)).toEqual([
      expect.objectContaining({ FromPort: 8098, ToPort: 8098, ReferencedGroupInfo: match.objectContaining({ GroupId: lb?.SecurityGroups?.[0] }) }),
    ]);
    const instanceSg = (await latestLaunchTemplate())?.LaunchTemplateData?.NetworkInterfaces?.[0]?.Groups?.[0];
    const instanceRules = await rulesOf(instanceSg as string);
    expect(instanceRules.filter((r) => !r.IsEgress)).toEqual([]);
    expect(instanceRules.filter((r) => r.IsEgress)).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443, CidrIpv4: "0.0.0.0/0" })]);
  });

  it("changes nothing on a second plan except the fields moto drops", async () => {
    const changes = await secondPlanChanges(deployment, canary, logs);
    const unexpected = changes.flatMap((c) => {
      const dropped = MOTO_DROPPED_FIELDS[c.type] ?? [];
      const replaced = c.change.actions.join("+") === "delete+create";
      if (replaced && !(c.change.replace_paths ?? []).every((p) => dropped.includes(p[0])))
        return [`${c.address}: replaced for ${JSON.stringify(c.change.replace_paths)}`];
      if (!replaced && !c.change.actions.every((a) => a === "update")) return [`${c.address}: ${c.change.actions.join("+")}`];
      const allowed = [...dropped, ...(replaced ? (RESET_BY_REPLACEMENT[c.type] ?? []) : [])];
      return changedAttributes(c.change)
        .filter((k) => !allowed.includes(k))
        .filter((k) => !(c.type === "aws_autoscaling_group" && k === "launch_template" && onlyVersionUnknown(c.change)))
        .map((k) => `${c.address}.${k}`);
    });
    expect(unexpected).toEqual([]);
  });

  it("never writes the token to state, plan, cdktf.out or Terraform's output", () => {
    expect(readFileSync(deployment.stateFile, "utf8")).toContain("aws_launch_template");
    expect(filesContaining(canary, [deployment.workdir])).toEqual([]);
    expect(logs.join("\n")).not.toContain(canary);
  });

  it("destroys everything it created", async () => {
    const destroyed = await deployment.terraform.destroy();
    expect(destroyed.stdout).toMatch(/Destroy complete! Resources: \d+ destroyed/);
    expect((await client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups).toEqual([]);
    expect((await client(ElasticLoadBalancingV2Client).send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    expect((JSON.parse(readFileSync(deployment.stateFile, "utf8")) as { resources: unknown[] }).resources).toEqual([]);
  });
});
