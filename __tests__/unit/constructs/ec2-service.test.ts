import { Ec2Service, type Ec2ServiceProps } from "../../../src/constructs/ec2-service";
import { containerDefinitions, findResource, onlyResource, ref, resourceCounts, resources, synthConstruct } from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-ec2/registry-credentials-AbC123";
const ALB_SG = "sg-0aaaaaaaaaaaaaaaa";
const INSTANCE_SG = "sg-0bbbbbbbbbbbbbbbb";

const base: Ec2ServiceProps = {
  name: "orders-ec2",
  region: "eu-west-1",
  accountId: "123456789012",
  partition: "aws",
  image: "ghcr.io/acme/orders-service:1.4.2",
  executionRoleArn: "arn:aws:iam::123456789012:role/orders-ec2-execution",
  containerPort: 8098,
  cpu: 512,
  memory: 1024,
  containerMemory: 768,
  logGroupName: "/ecs/orders-ec2",
  targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-ec2-8098/0123456789abcdef",
  loadBalancerSecurityGroupId: ALB_SG,
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/orders-ec2",
  capacityProviderName: "orders-ec2",
  registrySecretArn: SECRET_ARN,
  network: { mode: "awsvpc", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"] },
};
const bridge: Ec2ServiceProps["network"] = { mode: "bridge", instanceSecurityGroupId: INSTANCE_SG };

const synth = (overrides: Partial<Ec2ServiceProps> = {}): TerraformDocument =>
  synthConstruct((scope) => void new Ec2Service(scope, "service", { ...base, ...overrides }));
const service = (tf: TerraformDocument) => onlyResource(tf, "aws_ecs_service").block;
const task = (tf: TerraformDocument) => onlyResource(tf, "aws_ecs_task_definition").block;
const container = (tf: TerraformDocument) => containerDefinitions(task(tf).container_definitions)[0];

describe("Ec2Service", () => {
  it("runs through the capacity provider, spread across AZs then binpacked on memory, with Fargate's rollout rules", () => {
    const tf = synth();
    expect(service(tf)).toMatchObject({
      name: "orders-ec2",
      cluster: base.clusterArn,
      capacity_provider_strategy: [{ capacity_provider: "orders-ec2", weight: 1, base: 0 }],
      ordered_placement_strategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "binpack", field: "memory" },
      ],
      desired_count: 2,
      health_check_grace_period_seconds: 60,
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 50,
      deployment_maximum_percent: 200,
      wait_for_steady_state: true,
      propagate_tags: "SERVICE",
      load_balancer: [{ target_group_arn: base.targetGroupArn, container_name: "orders-ec2", container_port: 8098 }],
    });
    expect(service(tf)).not.toHaveProperty("launch_type");
    expect(service(tf)).not.toHaveProperty("platform_version");
  });

  it("registers an EC2 task definition with a separate task role", () => {
    const tf = synth();
    expect(task(tf)).toMatchObject({
      family: "orders-ec2",
      requires_compatibilities: ["EC2"],
      network_mode: "awsvpc",
      cpu: "512",
      memory: "1024",
      execution_role_arn: base.executionRoleArn,
      task_role_arn: ref("aws_iam_role", onlyResource(tf, "aws_iam_role").name, "arn"),
    });
    expect(onlyResource(tf, "aws_iam_role").block.name).toBe("orders-ec2-task");
  });

  describe("awsvpc", () => {
    it("gives tasks private ENIs with their own security group: container port from the ALB, HTTPS out", () => {
      const tf = synth();
      const sg = ref("aws_security_group", onlyResource(tf, "aws_security_group").name, "id");
      expect(service(tf).network_configuration).toEqual({
        subnets: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
        security_groups: [sg],
        assign_public_ip: false,
      });
      expect(onlyResource(tf, "aws_vpc_security_group_ingress_rule").block).toMatchObject({
        security_group_id: sg,
        referenced_security_group_id: ALB_SG,
        from_port: 8098,
        to_port: 8098,
      });
      expect(findResource(tf, "aws_vpc_security_group_egress_rule", (b) => b.security_group_id === ALB_SG).block).toMatchObject({
        from_port: 8098,
        to_port: 8098,
        referenced_security_group_id: sg,
      });
      expect(container(tf).portMappings).toEqual([{ containerPort: 8098, hostPort: 8098, protocol: "tcp", name: "http" }]);
    });
  });

  describe("bridge", () => {
    it("maps the container to a dynamic host port and uses no network configuration or task security group", () => {
      const tf = synth({ network: bridge });
      expect(task(tf).network_mode).toBe("bridge");
      expect(container(tf).portMappings).toEqual([{ containerPort: 8098, hostPort: 0, protocol: "tcp", name: "http" }]);
      expect(service(tf)).not.toHaveProperty("network_configuration");
      expect(resourceCounts(tf).aws_security_group).toBeUndefined();
    });

    it("admits the ALB to the instances on the ephemeral range only, and lets the ALB out on that range only", () => {
      const tf = synth({ network: bridge });
      expect(resources(tf, "aws_vpc_security_group_ingress_rule").map((r) => r.block)).toEqual([
        expect.objectContaining({ security_group_id: INSTANCE_SG, referenced_security_group_id: ALB_SG, ip_protocol: "tcp", from_port: 32768, to_port: 65535 }),
      ]);
      expect(resources(tf, "aws_vpc_security_group_egress_rule").map((r) => r.block)).toEqual([
        expect.objectContaining({ security_group_id: ALB_SG, referenced_security_group_id: INSTANCE_SG, from_port: 32768, to_port: 65535 }),
      ]);
    });

    it("follows ECS_DYNAMIC_HOST_PORT_RANGE when the agent is given one", () => {
      const tf = synth({ network: { ...bridge, dynamicHostPortRange: "40000-50000" } });
      expect(onlyResource(tf, "aws_vpc_security_group_ingress_rule").block).toMatchObject({ from_port: 40000, to_port: 50000 });
      expect(() => synth({ network: { ...bridge, dynamicHostPortRange: "50000" } })).toThrow('Ec2Service dynamicHostPortRange "50000" is invalid');
    });
  });

  it("pulls with repositoryCredentials in task mode, and without in agent mode", () => {
    expect(container(synth()).repositoryCredentials).toEqual({ credentialsParameter: SECRET_ARN });
    expect(container(synth({ registrySecretArn: undefined }))).not.toHaveProperty("repositoryCredentials");
  });

  it("refuses props no deployment could use", () => {
    expect(() => synth({ containerMemory: 2048 })).toThrow("Ec2Service containerMemory 2048 exceeds task memory 1024");
    expect(() => synth({ minimumHealthyPercent: 100, maximumPercent: 100 })).toThrow("Ec2Service maximumPercent 100 must exceed minimumHealthyPercent 100");
  });
});
