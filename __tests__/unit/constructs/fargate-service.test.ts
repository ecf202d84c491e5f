import { TerraformOutput } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FargateService, type FargateServiceProps } from "../../../src/constructs/fargate-service";
import { containerDefinitions, findResource, onlyResource, policyStatements, ref, resourceCounts, resources, synthConstruct } from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";
import { match } from "../../helpers/matchers";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/registry-credentials-AbC123";
const EXECUTION_ROLE_ARN = "arn:aws:iam::123456789012:role/orders-execution";
const TARGET_GROUP_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-8098/0123456789abcdef";
const ALB_SG = "sg-0aaaaaaaaaaaaaaaa";
const CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/orders";

const base: FargateServiceProps = {
  name: "orders",
  region: "eu-west-1",
  accountId: "123456789012",
  partition: "aws",
  image: "ghcr.io/acme/orders-service:1.4.2",
  clusterArn: CLUSTER_ARN,
  registrySecretArn: SECRET_ARN,
  executionRoleArn: EXECUTION_ROLE_ARN,
  containerPort: 8098,
  cpu: 512,
  memory: 1024,
  containerMemory: 768,
  logGroupName: "/ecs/orders",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
  targetGroupArn: TARGET_GROUP_ARN,
  loadBalancerSecurityGroupId: ALB_SG,
};

function synth(overrides: Partial<FargateServiceProps> = {}): TerraformDocument {
  return synthConstruct((scope) => {
    const service = new FargateService(scope, "service", { ...base, ...overrides });
    new TerraformOutput(scope, "service_name", { value: service.serviceName });
    new TerraformOutput(scope, "task_definition_arn", { value: service.taskDefinitionArn });
    new TerraformOutput(scope, "security_group_id", { value: service.securityGroupId });
  });
}

const taskDefinition = (tf: TerraformDocument) => onlyResource(tf, "aws_ecs_task_definition").block;
const containers = (tf: TerraformDocument) => containerDefinitions(taskDefinition(tf).container_definitions);
const service = (tf: TerraformDocument) => onlyResource(tf, "aws_ecs_service").block;
const taskSgRef = (tf: TerraformDocument) => ref("aws_security_group", onlyResource(tf, "aws_security_group").name, "id");

describe("FargateService", () => {
  describe("container definition", () => {
    it("is exactly one essential container pulling with repositoryCredentials, logging with awslogs", () => {
      const tf = synth({ environment: { SPRING_PROFILES_ACTIVE: "prod", SERVER_PORT: "8098" } });
      expect(containers(tf)).toEqual([
        {
          name: "orders",
          image: "ghcr.io/acme/orders-service:1.4.2",
          essential: true,
          memory: 768,
          portMappings: [{ containerPort: 8098, hostPort: 8098, protocol: "tcp", name: "http" }],
          repositoryCredentials: { credentialsParameter: SECRET_ARN },
          environment: [
            { name: "SERVER_PORT", value: "8098" },
            { name: "SPRING_PROFILES_ACTIVE", value: "prod" },
          ],
          secrets: [],
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": "/ecs/orders", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "orders" },
          },
          readonlyRootFilesystem: true,
          mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
        },
      ]);
    });

    it("keeps a writable root filesystem without the scratch volume when readOnlyRootFilesystem is false", () => {
      const tf = synth({ readOnlyRootFilesystem: false });
      const [container] = containers(tf);
      expect(container.readonlyRootFilesystem).toBe(false);
      expect(container.mountPoints).toEqual([]);
      expect(taskDefinition(tf).volume).toBeUndefined();
    });

    it("uses the given registry secret ARN as credentialsParameter", () => {
      const other = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ghcr/other-XyZ789";
      expect(containers(synth({ registrySecretArn: other }))[0].repositoryCredentials).toEqual({ credentialsParameter: other });
    });

    it("limits the container to the task memory when containerMemory is not given", () => {
      expect(containers(synth({ containerMemory: undefined }))[0].memory).toBe(1024);
    });

    it("passes container secrets as valueFrom, sorted by name", () => {
      const db = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-XyZ789:password::";
      const parameter = "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/api-key";
      expect(containers(synth({ secrets: { DB_PASSWORD: db, API_KEY: parameter } }))[0].secrets).toEqual([
        { name: "API_KEY", valueFrom: parameter },
        { name: "DB_PASSWORD", valueFrom: db },
      ]);
    });
  });

  describe("task definition", () => {
    it("is a Fargate awsvpc task with string cpu and memory, the execution role and a separate task role", () => {
      const tf = synth();
      const taskRole = onlyResource(tf, "aws_iam_role");
      expect(taskDefinition(tf)).toEqual({
        family: "orders",
        requires_compatibilities: ["FARGATE"],
        network_mode: "awsvpc",
        cpu: "512",
        memory: "1024",
        execution_role_arn: EXECUTION_ROLE_ARN,
        task_role_arn: ref("aws_iam_role", taskRole.name, "arn"),
        runtime_platform: { operating_system_family: "LINUX", cpu_architecture: "X86_64" },
        container_definitions: match.any(String),
        volume: [{ name: "tmp" }],
      });
      expect(tf.output?.task_definition_arn.value).toBe(ref("aws_ecs_task_definition", onlyResource(tf, "aws_ecs_task_definition").name, "arn"));
    });

    it("runs on ARM64 when asked", () => {
      expect(taskDefinition(synth({ cpuArchitecture: "ARM64" })).runtime_platform).toEqual({
        operating_system_family: "LINUX",
        cpu_architecture: "ARM64",
      });
    });

    it("gives the application a task role of its own with no permissions and the same guarded trust", () => {
      const tf = synth();
      const role = onlyResource(tf, "aws_iam_role").block;
      expect(role.name).toBe("orders-task");
      expect(role.name).not.toBe("orders-execution");
      expect(policyStatements(role.assume_role_policy)).toEqual([
        expect.objectContaining({
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: match.objectContaining({ StringEquals: { "aws:SourceAccount": "123456789012" } }),
        }),
      ]);
      expect(role).not.toHaveProperty("managed_policy_arns");
      expect(resources(tf, "aws_iam_role_policy")).toEqual([]);
      expect(resources(tf, "aws_iam_role_policy_attachment")).toEqual([]);
    });
  });

  describe("service", () => {
    it("rolls out on Fargate LATEST with a rolling-back circuit breaker, private tasks and the target group", () => {
      const tf = synth();
      const task = onlyResource(tf, "aws_ecs_task_definition");
      expect(service(tf)).toEqual({
        name: "orders",
        cluster: CLUSTER_ARN,
        task_definition: ref("aws_ecs_task_definition", task.name, "arn"),
        launch_type: "FARGATE",
        platform_version: "LATEST",
        desired_count: 2,
        availability_zone_rebalancing: "ENABLED",
        network_configuration: {
          subnets: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
          security_groups: [taskSgRef(tf)],
          assign_public_ip: false,
        },
        load_balancer: [{ target_group_arn: TARGET_GROUP_ARN, container_name: "orders", container_port: 8098 }],
        health_check_grace_period_seconds: 60,
        deployment_circuit_breaker: { enable: true, rollback: true },
        deployment_minimum_healthy_percent: 50,
        deployment_maximum_percent: 200,
        wait_for_steady_state: true,
        propagate_tags: "SERVICE",
        enable_ecs_managed_tags: true,
      });
      expect(tf.output?.service_name.value).toBe(ref("aws_ecs_service", onlyResource(tf, "aws_ecs_service").name, "name"));
    });

    it("passes deployment settings, desired count and public IPs through", () => {
      const tf = synth({
        desiredCount: 4,
        minimumHealthyPercent: 100,
        maximumPercent: 150,
        healthCheckGracePeriodSeconds: 120,
        waitForSteadyState: false,
        assignPublicIp: true,
      });
      expect(service(tf)).toMatchObject({
        desired_count: 4,
        deployment_minimum_healthy_percent: 100,
        deployment_maximum_percent: 150,
        health_check_grace_period_seconds: 120,
        wait_for_steady_state: false,
        network_configuration: { assign_public_ip: true },
        deployment_circuit_breaker: { enable: true, rollback: true },
      });
    });

    it("depends on the resources it is given, and on nothing otherwise", () => {
      expect(service(synth())).not.toHaveProperty("depends_on");
      const tf = synthConstruct((scope) => {
        const marker = new CloudwatchLogGroup(scope, "marker", { name: "marker" });
        new FargateService(scope, "service", { ...base, dependsOn: [marker] });
      });
      expect(service(tf).depends_on).toEqual(["aws_cloudwatch_log_group.marker"]);
    });
  });

  describe("security groups", () => {
    it("gives the tasks a security group in the VPC with no inline rules", () => {
      const tf = synth();
      expect(onlyResource(tf, "aws_security_group").block).toEqual({
        name: "orders-tasks",
        description: match.any(String),
        vpc_id: "vpc-0123456789abcdef0",
        tags: { Name: "orders-tasks" },
      });
      expect(tf.output?.security_group_id.value).toBe(taskSgRef(tf));
    });

    it("admits only the ALB security group, only on the container port", () => {
      const tf = synth();
      expect(resources(tf, "aws_vpc_security_group_ingress_rule").map((r) => r.block)).toEqual([
        {
          security_group_id: taskSgRef(tf),
          description: "Container port 8098 from the load balancer",
          ip_protocol: "tcp",
          from_port: 8098,
          to_port: 8098,
          referenced_security_group_id: ALB_SG,
        },
      ]);
    });

    it("lets the tasks out only on 443", () => {
      const tf = synth();
      const egress = resources(tf, "aws_vpc_security_group_egress_rule").filter((r) => r.block.security_group_id === taskSgRef(tf));
      expect(egress.map((r) => r.block)).toEqual([
        {
          security_group_id: taskSgRef(tf),
          description: match.any(String),
          ip_protocol: "tcp",
          from_port: 443,
          to_port: 443,
          cidr_ipv4: "0.0.0.0/0",
        },
      ]);
    });

    it("lets the ALB out only to the tasks on the container port", () => {
      const tf = synth();
      expect(findResource(tf, "aws_vpc_security_group_egress_rule", (b) => b.security_group_id === ALB_SG).block).toEqual({
        security_group_id: ALB_SG,
        description: "Load balancer to orders tasks on 8098",
        ip_protocol: "tcp",
        from_port: 8098,
        to_port: 8098,
        referenced_security_group_id: taskSgRef(tf),
      });
    });
  });

  it("creates exactly the task role, task definition, security group and rules, and service (the stack owns the cluster)", () => {
    expect(resourceCounts(synth())).toEqual({
      aws_iam_role: 1,
      aws_ecs_task_definition: 1,
      aws_security_group: 1,
      aws_vpc_security_group_ingress_rule: 1,
      aws_vpc_security_group_egress_rule: 2,
      aws_ecs_service: 1,
    });
  });

  describe("validation", () => {
    it("rejects a container memory above the task memory", () => {
      expect(() => synth({ containerMemory: 2048 })).toThrow("FargateService containerMemory 2048 exceeds task memory 1024");
    });

    it("accepts a container memory equal to the task memory", () => {
      expect(containers(synth({ containerMemory: 1024 }))[0].memory).toBe(1024);
    });

    it.each([
      [100, 100],
      [90, 100],
    ])("rejects maximumPercent %p with minimumHealthyPercent %p", (maximumPercent, minimumHealthyPercent) => {
      expect(() => synth({ maximumPercent, minimumHealthyPercent })).toThrow(
        `FargateService maximumPercent ${maximumPercent} must exceed minimumHealthyPercent ${minimumHealthyPercent}`,
      );
    });
  });
});
