import { spawnSync } from "node:child_process";
import { TerraformOutput } from "cdktf";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { ECS_OPTIMIZED_AMI_PARAMETER, Ec2Capacity, type Ec2CapacityProps } from "../../../src/constructs/ec2-capacity";
import { readAsEcsInit } from "../../../src/ec2/ecs-config";
import { ecsConfigWrittenBy } from "../../../src/ec2/user-data";
import {
  asBlock,
  blockList,
  decodeUserData,
  onlyResource,
  policyStatements,
  ref,
  resourceCounts,
  statement,
  statementsAllowing,
  synthConstruct,
} from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";

const CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/orders-ec2";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-ec2/registry-credentials-AbC123";
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const base: Ec2CapacityProps = {
  name: "orders-ec2",
  region: "eu-west-1",
  accountId: "123456789012",
  partition: "aws",
  clusterName: "orders-ec2",
  clusterArn: CLUSTER_ARN,
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
  instanceType: "t3.medium",
};
const agentAuth = { mode: "agent-dockercfg" as const, secretArn: SECRET_ARN, registryHost: "ghcr.io" };

function synth(overrides: Partial<Ec2CapacityProps> = {}): TerraformDocument {
  return synthConstruct((scope) => {
    const capacity = new Ec2Capacity(scope, "capacity", { ...base, ...overrides });
    new TerraformOutput(scope, "autoscaling_group_name", { value: capacity.autoScalingGroupName });
    new TerraformOutput(scope, "capacity_provider_name", { value: capacity.capacityProviderName });
  });
}

/** With a secret created in the same stack: the ARN is a Terraform reference, so user data is a Terraform expression. */
function synthWithCreatedSecret(): { tf: TerraformDocument; secretRef: string } {
  let secretRef = "";
  const tf = synthConstruct((scope) => {
    const secret = new SecretsmanagerSecret(scope, "secret", { name: "orders-ec2/registry-credentials" });
    new Ec2Capacity(scope, "capacity", { ...base, registryAuth: { ...agentAuth, secretArn: secret.arn } });
  });
  secretRef = `aws_secretsmanager_secret.${onlyResource(tf, "aws_secretsmanager_secret").name}.arn`;
  return { tf, secretRef };
}

const launchTemplate = (tf: TerraformDocument) => onlyResource(tf, "aws_launch_template").block;
const group = (tf: TerraformDocument) => onlyResource(tf, "aws_autoscaling_group").block;
const instancePolicy = (tf: TerraformDocument) => policyStatements(onlyResource(tf, "aws_iam_role_policy").block.policy);
const userData = (tf: TerraformDocument) => decodeUserData(launchTemplate(tf).user_data);

describe("Ec2Capacity", () => {
  describe("launch template", () => {
    it("launches the instance type from the recommended ECS-optimized AL2023 AMI, resolved from SSM", () => {
      const tf = synth();
      const parameter = Object.values(tf.data?.aws_ssm_parameter ?? {});
      expect(parameter).toEqual([{ name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id", with_decryption: false }]);
      const parameterName = Object.keys(tf.data?.aws_ssm_parameter ?? {})[0];
      expect(launchTemplate(tf)).toMatchObject({
        name: "orders-ec2",
        image_id: `\${data.aws_ssm_parameter.${parameterName}.insecure_value}`,
        instance_type: "t3.medium",
        update_default_version: true,
        iam_instance_profile: { arn: ref("aws_iam_instance_profile", onlyResource(tf, "aws_iam_instance_profile").name, "arn") },
      });
    });

    it("reads the arm64 parameter for ARM64, and no parameter at all for a pinned AMI", () => {
      expect(Object.values(synth({ cpuArchitecture: "ARM64", instanceType: "t4g.medium" }).data?.aws_ssm_parameter ?? {})).toEqual([
        { name: ECS_OPTIMIZED_AMI_PARAMETER.ARM64, with_decryption: false },
      ]);
      const pinned = synth({ amiId: "ami-0123456789abcdef0" });
      expect(pinned.data?.aws_ssm_parameter).toBeUndefined();
      expect(launchTemplate(pinned).image_id).toBe("ami-0123456789abcdef0");
    });

    it("requires IMDSv2 with a hop limit of 1", () => {
      expect(launchTemplate(synth()).metadata_options).toEqual({
        http_endpoint: "enabled",
        http_tokens: "required",
        http_put_response_hop_limit: 1,
        instance_metadata_tags: "disabled",
      });
    });

    it("encrypts a gp3 root volume of the configured size, with the given key", () => {
      expect(launchTemplate(synth({ rootVolumeGiB: 64, volumeKmsKeyArn: KEY_ARN })).block_device_mappings).toEqual([
        { device_name: "/dev/xvda", ebs: { volume_size: 64, volume_type: "gp3", encrypted: "true", kms_key_id: KEY_ARN, delete_on_termination: "true" } },
      ]);
      expect(blockList(launchTemplate(synth()).block_device_mappings)[0].ebs).toEqual({
        volume_size: 30,
        volume_type: "gp3",
        encrypted: "true",
        delete_on_termination: "true",
      });
    });

    it("gives the instances no public IP and only their own security group (HTTPS out, nothing in)", () => {
      const tf = synth();
      const sg = onlyResource(tf, "aws_security_group");
      expect(sg.block).toMatchObject({ name: "orders-ec2-instances", vpc_id: "vpc-0123456789abcdef0" });
      expect(launchTemplate(tf).network_interfaces).toEqual([
        { device_index: 0, associate_public_ip_address: "false", delete_on_termination: "true", security_groups: [ref("aws_security_group", sg.name, "id")] },
      ]);
      expect(onlyResource(tf, "aws_vpc_security_group_egress_rule").block).toMatchObject({ from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" });
      expect(resourceCounts(tf).aws_vpc_security_group_ingress_rule).toBeUndefined();
      expect(blockList(launchTemplate(synth({ assignPublicIp: true })).network_interfaces)[0].associate_public_ip_address).toBe("true");
    });

    it("tags instances and volumes (the provider's default tags do not reach them)", () => {
      const tags = { app: "orders", Name: "orders-ec2-instance" };
      expect(launchTemplate(synth({ tags: { app: "orders" } })).tag_specifications).toEqual([
        { resource_type: "instance", tags },
        { resource_type: "volume", tags },
      ]);
    });
  });

  describe("user data", () => {
    it("in task mode is a literal script writing ecs.config with the cluster and the agent settings", () => {
      const script = userData(synth({ containerStopTimeoutSeconds: 45, imagePullBehavior: "once", ecsConfig: { ECS_RESERVED_MEMORY: "256" } }));
      expect(readAsEcsInit(ecsConfigWrittenBy(script))).toEqual({
        ECS_CLUSTER: "orders-ec2",
        ECS_ENABLE_TASK_IAM_ROLE: "true",
        ECS_AWSVPC_BLOCK_IMDS: "true",
        ECS_ENABLE_CONTAINER_METADATA: "true",
        ECS_CONTAINER_STOP_TIMEOUT: "45s",
        ECS_IMAGE_PULL_BEHAVIOR: "once",
        ECS_RESERVED_MEMORY: "256",
      });
      expect(script).not.toMatch(/ECS_ENGINE_AUTH|secretsmanager/);
    });

    it("drains on Spot interruptions when Spot is used", () => {
      const script = userData(
        synth({ spot: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 0, allocationStrategy: "price-capacity-optimized" } }),
      );
      expect(readAsEcsInit(ecsConfigWrittenBy(script)).ECS_ENABLE_SPOT_INSTANCE_DRAINING).toBe("true");
    });

    it("in agent-dockercfg mode with a known ARN is a literal script that reads that secret at boot", () => {
      const script = userData(synth({ registryAuth: agentAuth }));
      expect(script).toContain(`secret_arn='${SECRET_ARN}'`);
      expect(script).toContain("registry_host='ghcr.io'");
    });

    it("with a created secret is assembled by Terraform around the secret's ARN, and passes shellcheck once filled in", () => {
      const { tf, secretRef } = synthWithCreatedSecret();
      const attribute: unknown = launchTemplate(tf).user_data;
      expect(attribute).toMatch(/^\$\{base64encode\(join\("", \[".*", aws_secretsmanager_secret\.[^,]+\.arn, ".*"\]\)\)\}$/s);
      const script = decodeUserData(attribute, { [secretRef]: SECRET_ARN });
      expect(script).toContain(`secret_arn='${SECRET_ARN}'`);
      // The escapes Terraform undoes: the script's own "$(", "\(" and quotes come back unchanged.
      expect(script).toContain('then {($registry): {auth: ("\\(.username):\\(.password)" | @base64)}}');
      const shellcheck = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
      expect({ status: shellcheck.status, findings: shellcheck.stdout }).toEqual({ status: 0, findings: "" });
    });

    it("never contains credential material in any mode", () => {
      const canaryUser = "canary-user-7f3a9c";
      const canaryToken = "ghp_canarytoken7f3a9c";
      for (const tf of [synth(), synth({ registryAuth: agentAuth }), synthWithCreatedSecret().tf]) {
        const script = userData(tf);
        const json = JSON.stringify(tf);
        for (const needle of [canaryUser, canaryToken, Buffer.from(`${canaryUser}:${canaryToken}`).toString("base64"), "ECS_ENGINE_AUTH_DATA={"]) {
          expect(script).not.toContain(needle);
          expect(json).not.toContain(needle);
        }
        expect(script).not.toMatch(/"auths"|"password"\s*:/);
      }
    });

    it("refuses a cluster name that is a Terraform reference (the script is rendered at synth)", () => {
      expect(() =>
        synthConstruct((scope) => {
          const cluster = new EcsCluster(scope, "cluster", { name: "orders-ec2" });
          new Ec2Capacity(scope, "capacity", { ...base, clusterName: cluster.name });
        }),
      ).toThrow("Ec2Capacity clusterName is a Terraform reference: pass the literal name");
    });
  });

  describe("instance role", () => {
    it("trusts EC2 and may only act as an agent of this cluster, with no managed policy", () => {
      const tf = synth();
      expect(policyStatements(onlyResource(tf, "aws_iam_role").block.assume_role_policy)).toEqual([
        { Sid: "Ec2InstancesAssume", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
      expect(onlyResource(tf, "aws_iam_role").block.name).toBe("orders-ec2-instance");
      expect(resourceCounts(tf).aws_iam_role_policy_attachment).toBeUndefined();
      const statements = instancePolicy(tf);
      expect(statement(statements, "JoinThisClusterOnly").Resource).toBe(CLUSTER_ARN);
      expect(statement(statements, "PollAsThisClustersInstances")).toMatchObject({
        Resource: "arn:aws:ecs:eu-west-1:123456789012:container-instance/orders-ec2/*",
        Condition: { ArnEquals: { "ecs:cluster": CLUSTER_ARN } },
      });
      expect(statements.filter((s) => s.Resource === "*").map((s) => s.Action)).toEqual(["ecs:DiscoverPollEndpoint"]);
      expect(statementsAllowing(statements, "secretsmanager:GetSecretValue")).toEqual([]);
      expect(JSON.stringify(statements)).not.toMatch(/ecr:|logs:|kms:/);
    });

    it("in agent-dockercfg mode also reads exactly the registry secret, decrypting only through Secrets Manager", () => {
      const statements = instancePolicy(synth({ registryAuth: { ...agentAuth, secretKmsKeyArn: KEY_ARN } }));
      expect(statement(statements, "ReadRegistrySecretAtBoot")).toEqual({
        Sid: "ReadRegistrySecretAtBoot",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [SECRET_ARN],
      });
      expect(statement(statements, "DecryptSecretsThroughSecretsManagerOnly")).toMatchObject({
        Resource: [KEY_ARN],
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
      });
      expect(statementsAllowing(instancePolicy(synth({ registryAuth: agentAuth })), "kms:Decrypt")).toEqual([]);
    });

    it("may describe tags only when the agent propagates instance tags", () => {
      expect(
        statementsAllowing(instancePolicy(synth({ ecsConfig: { ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM: "ec2_instance" } })), "ec2:DescribeTags"),
      ).toHaveLength(1);
      expect(statementsAllowing(instancePolicy(synth()), "ec2:DescribeTags")).toEqual([]);
    });
  });

  describe("Auto Scaling group and capacity provider", () => {
    it("pins the template's latest version, protects from scale-in and refreshes rolling with the minimum healthy %", () => {
      const tf = synth({ minSize: 1, maxSize: 6, desiredCapacity: 3, minHealthyPercentage: 75 });
      const lt = onlyResource(tf, "aws_launch_template").name;
      expect(group(tf)).toMatchObject({
        name: "orders-ec2",
        min_size: 1,
        max_size: 6,
        desired_capacity: 3,
        vpc_zone_identifier: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
        protect_from_scale_in: true,
        force_delete: true,
        launch_template: { id: ref("aws_launch_template", lt, "id"), version: ref("aws_launch_template", lt, "latest_version") },
        instance_refresh: { strategy: "Rolling", preferences: { min_healthy_percentage: 75, scale_in_protected_instances: "Refresh", skip_matching: false } },
        lifecycle: { ignore_changes: ["desired_capacity"] },
      });
      expect(asBlock(group(tf).launch_template).version).not.toBe("$Latest");
      expect(group(tf).tag).toEqual(expect.arrayContaining([{ key: "AmazonECSManaged", value: "true", propagate_at_launch: true }]));
    });

    it("starts no instance before its role's policy exists", () => {
      const tf = synth();
      expect(group(tf).depends_on).toContain(`aws_iam_role_policy.${onlyResource(tf, "aws_iam_role_policy").name}`);
    });

    it("defaults to 2-4 instances, desired = min, 90% healthy during refresh", () => {
      expect(group(synth())).toMatchObject({
        min_size: 2,
        max_size: 4,
        desired_capacity: 2,
        instance_refresh: { preferences: { min_healthy_percentage: 90 } },
      });
    });

    it("with Spot uses a mixed-instances policy over all listed types and rebalances capacity", () => {
      const tf = synth({
        spot: {
          onDemandBaseCapacity: 1,
          onDemandPercentageAboveBaseCapacity: 20,
          allocationStrategy: "capacity-optimized",
          instanceTypes: ["t3a.medium", "t3.medium"],
        },
      });
      const lt = onlyResource(tf, "aws_launch_template").name;
      expect(group(tf)).not.toHaveProperty("launch_template");
      expect(group(tf)).toMatchObject({
        capacity_rebalance: true,
        mixed_instances_policy: {
          instances_distribution: { on_demand_base_capacity: 1, on_demand_percentage_above_base_capacity: 20, spot_allocation_strategy: "capacity-optimized" },
          launch_template: {
            launch_template_specification: {
              launch_template_id: ref("aws_launch_template", lt, "id"),
              version: ref("aws_launch_template", lt, "latest_version"),
            },
            override: [{ instance_type: "t3.medium" }, { instance_type: "t3a.medium" }],
          },
        },
      });
    });

    it("manages scaling to the target capacity with termination protection, as the cluster's default strategy", () => {
      const tf = synth({ targetCapacityPercent: 80 });
      const provider = onlyResource(tf, "aws_ecs_capacity_provider");
      expect(provider.block).toEqual({
        name: "orders-ec2",
        auto_scaling_group_provider: {
          auto_scaling_group_arn: ref("aws_autoscaling_group", onlyResource(tf, "aws_autoscaling_group").name, "arn"),
          managed_termination_protection: "ENABLED",
          managed_draining: "ENABLED",
          managed_scaling: { status: "ENABLED", target_capacity: 80, minimum_scaling_step_size: 1, maximum_scaling_step_size: 10 },
        },
      });
      const providerName = ref("aws_ecs_capacity_provider", provider.name, "name");
      expect(onlyResource(tf, "aws_ecs_cluster_capacity_providers").block).toMatchObject({
        cluster_name: "orders-ec2",
        capacity_providers: [providerName],
        default_capacity_provider_strategy: [{ capacity_provider: providerName, weight: 1, base: 0 }],
      });
      expect(tf.output?.capacity_provider_name.value).toBe(providerName);
      expect(tf.output?.autoscaling_group_name.value).toBe(ref("aws_autoscaling_group", onlyResource(tf, "aws_autoscaling_group").name, "name"));
    });
  });

  describe("validation", () => {
    it.each<[string, Partial<Ec2CapacityProps>, string]>([
      ["an arm64 type for x86 images", { instanceType: "m7g.large" }, "Ec2Capacity instance type m7g.large is ARM64, not X86_64"],
      [
        "an x86 Spot type for arm64 images",
        {
          cpuArchitecture: "ARM64",
          instanceType: "t4g.medium",
          spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 0, allocationStrategy: "lowest-price", instanceTypes: ["c5.large"] },
        },
        "Ec2Capacity instance type c5.large is X86_64, not ARM64",
      ],
      ["desired above max", { minSize: 1, maxSize: 2, desiredCapacity: 3 }, "Ec2Capacity sizes min 1 / desired 3 / max 2 are invalid"],
      ["a 20 GiB root volume", { rootVolumeGiB: 20 }, "Ec2Capacity rootVolumeGiB 20 is too small: the ECS-optimized AMI needs 30 GiB or more"],
      ["a target capacity of 0", { targetCapacityPercent: 0 }, "Ec2Capacity targetCapacityPercent 0 is invalid: use 1 to 100"],
      ["an unknown agent setting", { ecsConfig: { ECS_NOPE: "1" } }, "ecs.config ECS_NOPE: is not a documented ECS agent setting"],
    ])("refuses %s", (_label, overrides, message) => {
      expect(() => synth(overrides)).toThrow(message);
    });
  });
});
