import * as path from "node:path";
import { REQUIRED_TERRAFORM_VERSION } from "../../../src/stacks/environment-base";
import {
  address,
  allKeys,
  asArray,
  asBlock,
  asStrings,
  containerDefinitions,
  findResource,
  onlyResource,
  policyStatements,
  ref,
  referenced,
  refPattern,
  referenceConfig,
  resources,
  statement,
  statementsAllowing,
  synthStack,
  tagOf,
} from "../../helpers/synth";
import { match } from "../../helpers/matchers";
import type { TerraformDocument } from "../../../src/terraform/document";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const EXISTING_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-XyZ789";
const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab";
const DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbC123";
const PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/orders/api-key";

/** The reference app's config with top-level keys replaced. */
const synthWith = (overrides: Record<string, unknown> = {}, options: { localStateFile?: string } = {}): TerraformDocument =>
  synthStack({ ...referenceConfig(), ...overrides }, options);

const executionPolicy = (tf: TerraformDocument) => policyStatements(onlyResource(tf, "aws_iam_role_policy").block.policy);
const container = (tf: TerraformDocument) => {
  const definitions = containerDefinitions(onlyResource(tf, "aws_ecs_task_definition").block.container_definitions);
  expect(definitions).toHaveLength(1);
  return definitions[0];
};
const roleNamed = (tf: TerraformDocument, name: string) => findResource(tf, "aws_iam_role", (b) => b.name === name);

describe("FargateStack from config/reference-app.json", () => {
  let tf: TerraformDocument;
  beforeAll(() => {
    tf = synthWith();
  });

  it("configures the AWS provider with the region and the config's tags as default tags", () => {
    expect(tf.provider?.aws).toEqual([
      {
        region: "us-east-1",
        default_tags: [{ tags: { app: "orders", team: "platform", "ghcr-ecs:deployment": "orders", ManagedBy: "ghcr-ecs" } }],
      },
    ]);
  });

  it("requires Terraform 1.11 or later (ephemeral variables, write-only arguments)", () => {
    expect(REQUIRED_TERRAFORM_VERSION).toBe(">= 1.11.0");
    expect(tf.terraform?.required_version).toBe(">= 1.11.0");
  });

  it("keeps state where cdktf's default would, terraform.<stack>.tfstate in the synth directory, without a localStateFile", () => {
    expect(tf.terraform?.backend).toEqual({ local: { path: path.join(process.cwd(), "terraform.orders.tfstate") } });
  });

  it("outputs the service URL, secret ARN, cluster, service and log group", () => {
    const output = tf.output ?? {};
    expect(Object.keys(output)).toEqual(expect.arrayContaining(["service_url", "credentials_secret_arn", "cluster_name", "service_name", "log_group_name"]));
    expect(output.service_url.value).toBe(`http://${ref("aws_lb", onlyResource(tf, "aws_lb").name, "dns_name")}`);
    expect(output.credentials_secret_arn.value).toBe(ref("aws_secretsmanager_secret", onlyResource(tf, "aws_secretsmanager_secret").name, "arn"));
    expect(output.cluster_name.value).toBe(ref("aws_ecs_cluster", onlyResource(tf, "aws_ecs_cluster").name, "name"));
    expect(output.service_name.value).toBe(ref("aws_ecs_service", onlyResource(tf, "aws_ecs_service").name, "name"));
    expect(output.log_group_name.value).toBe(ref("aws_cloudwatch_log_group", onlyResource(tf, "aws_cloudwatch_log_group").name, "name"));
    expect(output.execution_role_arn.value).toBe(ref("aws_iam_role", roleNamed(tf, "orders-execution").name, "arn"));
    expect(output.image.value).toBe("ghcr.io/acme/orders-service:1.4.2");
    expect(output.region.value).toBe("us-east-1");
    expect(output.registry_username.value).toBe("acme-ci-bot");
  });

  it("runs the service in the stack's cluster, with Container Insights enabled by default", () => {
    const cluster = onlyResource(tf, "aws_ecs_cluster");
    expect(cluster).toEqual({ name: "cluster", block: match.objectContaining({ name: "orders", setting: [{ name: "containerInsights", value: "enabled" }] }) });
    expect(onlyResource(tf, "aws_ecs_service").block.cluster).toBe(ref("aws_ecs_cluster", "cluster", "arn"));
  });

  it("disables Container Insights when asked", () => {
    expect(onlyResource(synthWith({ containerInsights: false }), "aws_ecs_cluster").block.setting).toEqual([{ name: "containerInsights", value: "disabled" }]);
  });

  it("moves the cluster from its address before 0.2 (inside the service construct), so upgrading replaces nothing", () => {
    expect(tf.moved).toEqual([{ from: "aws_ecs_cluster.service_cluster_B81F1F5D", to: "aws_ecs_cluster.cluster" }]);
  });

  it("starts the service only after the secret value, the execution role's policy and the listener exist", () => {
    expect(onlyResource(tf, "aws_ecs_service").block.depends_on).toEqual(
      expect.arrayContaining([
        address("aws_secretsmanager_secret_version", onlyResource(tf, "aws_secretsmanager_secret_version")),
        address("aws_iam_role_policy", onlyResource(tf, "aws_iam_role_policy")),
        address("aws_lb_listener", onlyResource(tf, "aws_lb_listener")),
      ]),
    );
  });

  it("pulls with the same secret the execution role may read, and no other", () => {
    const secret = onlyResource(tf, "aws_secretsmanager_secret");
    const credentialsParameter = container(tf).repositoryCredentials?.credentialsParameter;
    expect(credentialsParameter).toMatch(refPattern("aws_secretsmanager_secret", "arn"));
    expect(credentialsParameter).toBe(ref("aws_secretsmanager_secret", secret.name, "arn"));
    expect(statementsAllowing(executionPolicy(tf), "secretsmanager:GetSecretValue")).toEqual([expect.objectContaining({ Resource: [credentialsParameter] })]);
  });

  it("lets the execution role decrypt with the created key, which encrypts the secret and the log group", () => {
    const kmsKey = onlyResource(tf, "aws_kms_key");
    const keyArn = ref("aws_kms_key", kmsKey.name, "arn");
    expect(statement(executionPolicy(tf), "DecryptSecretsThroughSecretsManagerOnly")).toEqual({
      Sid: "DecryptSecretsThroughSecretsManagerOnly",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [keyArn],
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
    });
    expect(onlyResource(tf, "aws_secretsmanager_secret").block.kms_key_id).toBe(keyArn);
    expect(onlyResource(tf, "aws_cloudwatch_log_group").block.kms_key_id).toBe(keyArn);
    expect(onlyResource(tf, "aws_kms_key").block.deletion_window_in_days).toBe(30);
  });

  it("writes logs to /ecs/<name> with the configured retention, and only there", () => {
    const logGroup = onlyResource(tf, "aws_cloudwatch_log_group");
    expect(logGroup.block).toMatchObject({ name: "/ecs/orders", retention_in_days: 30 });
    expect(statement(executionPolicy(tf), "WriteOwnLogGroup").Resource).toBe(`${ref("aws_cloudwatch_log_group", logGroup.name, "arn")}:log-stream:*`);
    expect(container(tf).logConfiguration.options["awslogs-group"]).toBe(ref("aws_cloudwatch_log_group", logGroup.name, "name"));
  });

  it("runs the task with the execution role and a separate task role", () => {
    const task = onlyResource(tf, "aws_ecs_task_definition").block;
    expect(task.execution_role_arn).toBe(ref("aws_iam_role", roleNamed(tf, "orders-execution").name, "arn"));
    expect(task.task_role_arn).toBe(ref("aws_iam_role", roleNamed(tf, "orders-task").name, "arn"));
    expect(resources(tf, "aws_iam_role")).toHaveLength(2);
    expect(onlyResource(tf, "aws_iam_role_policy").block.role).toBe(ref("aws_iam_role", roleNamed(tf, "orders-execution").name, "id"));
  });

  it("attaches no managed policy to any role", () => {
    expect(resources(tf, "aws_iam_role_policy_attachment")).toEqual([]);
    expect(resources(tf, "aws_iam_policy")).toEqual([]);
    for (const role of resources(tf, "aws_iam_role")) expect(role.block).not.toHaveProperty("managed_policy_arns");
  });

  it("never puts the token in a secret_string", () => {
    expect(allKeys(tf)).not.toContain("secret_string");
    expect(onlyResource(tf, "aws_secretsmanager_secret_version").block.secret_string_wo_version).toBe("${var.registry_credentials_version}");
    expect(tf.variable?.registry_token).toMatchObject({ ephemeral: true, sensitive: true, default: null });
    expect(tf.check).toHaveProperty("registry_token_supplied");
  });

  it("applies the reference app's sizes, port and container memory", () => {
    const task = onlyResource(tf, "aws_ecs_task_definition").block;
    expect(task).toMatchObject({ cpu: "512", memory: "1024" });
    expect(container(tf)).toMatchObject({ memory: 768, portMappings: [{ containerPort: 8098, hostPort: 8098, protocol: "tcp", name: "http" }] });
    expect(onlyResource(tf, "aws_lb_target_group").block).toMatchObject({ port: 8098, name: "orders-8098" });
    expect(onlyResource(tf, "aws_ecs_service").block.load_balancer).toEqual([
      { target_group_arn: ref("aws_lb_target_group", onlyResource(tf, "aws_lb_target_group").name, "arn"), container_name: "orders", container_port: 8098 },
    ]);
  });

  it("places the ALB in the public subnets and the tasks, without public IPs, in the private ones", () => {
    const subnet = (name: string) => ref("aws_subnet", findResource(tf, "aws_subnet", (b) => tagOf(b, "Name") === name).name, "id");
    expect(onlyResource(tf, "aws_lb").block.subnets).toEqual([subnet("orders-public-0"), subnet("orders-public-1")]);
    expect(onlyResource(tf, "aws_ecs_service").block.network_configuration).toMatchObject({
      subnets: [subnet("orders-private-0"), subnet("orders-private-1")],
      assign_public_ip: false,
    });
  });

  it("leaves the task count to Application Auto Scaling: 2 to 4 tasks at 70 % CPU, and Terraform ignores desired_count", () => {
    const service = onlyResource(tf, "aws_ecs_service");
    expect(service.block).toMatchObject({ desired_count: 2, lifecycle: { ignore_changes: ["desired_count"] } });
    const target = onlyResource(tf, "aws_appautoscaling_target");
    expect(target.block).toEqual({
      service_namespace: "ecs",
      scalable_dimension: "ecs:service:DesiredCount",
      resource_id: `service/\${aws_ecs_cluster.cluster.name}/\${aws_ecs_service.${service.name}.name}`,
      min_capacity: 2,
      max_capacity: 4,
    });
    expect(onlyResource(tf, "aws_appautoscaling_policy").block).toMatchObject({
      name: "orders-cpu",
      resource_id: `\${aws_appautoscaling_target.${target.name}.resource_id}`,
      target_tracking_scaling_policy_configuration: {
        target_value: 70,
        predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
      },
    });
  });

  it("connects the task security group to the ALB's in both directions on the container port only", () => {
    const albSg = ref("aws_security_group", findResource(tf, "aws_security_group", (b) => b.name === "orders-alb").name, "id");
    const taskSg = ref("aws_security_group", findResource(tf, "aws_security_group", (b) => b.name === "orders-tasks").name, "id");
    expect(findResource(tf, "aws_vpc_security_group_ingress_rule", (b) => b.security_group_id === taskSg).block).toMatchObject({
      referenced_security_group_id: albSg,
      from_port: 8098,
      to_port: 8098,
    });
    expect(findResource(tf, "aws_vpc_security_group_egress_rule", (b) => b.security_group_id === albSg).block).toMatchObject({
      referenced_security_group_id: taskSg,
      from_port: 8098,
      to_port: 8098,
    });
  });
});

describe("FargateStack variants", () => {
  it("sets terraform.backend.local.path from localStateFile", () => {
    const tf = synthWith({}, { localStateFile: "/var/lib/ghcr-ecs/terraform.orders.tfstate" });
    expect(tf.terraform?.backend).toEqual({ local: { path: "/var/lib/ghcr-ecs/terraform.orders.tfstate" } });
  });

  it("with an existing secret and its key: creates no secret and grants exactly that secret and key", () => {
    const tf = synthWith({
      credentials: { mode: "existing", existingSecretArn: EXISTING_SECRET_ARN, kmsKeyArn: KEY_ARN },
      encryption: { mode: "aws-managed" },
    });
    expect(resources(tf, "aws_secretsmanager_secret")).toEqual([]);
    expect(resources(tf, "aws_secretsmanager_secret_version")).toEqual([]);
    expect(resources(tf, "aws_kms_key")).toEqual([]);
    expect(tf.variable).toBeUndefined();
    expect(tf.check).toBeUndefined();
    const statements = executionPolicy(tf);
    expect(statement(statements, "ReadRegistryAndContainerSecrets").Resource).toEqual([EXISTING_SECRET_ARN]);
    expect(statementsAllowing(statements, "kms:Decrypt")).toEqual([expect.objectContaining({ Resource: [KEY_ARN] })]);
    expect(container(tf).repositoryCredentials).toEqual({ credentialsParameter: EXISTING_SECRET_ARN });
    expect(tf.output?.credentials_secret_arn.value).toBe(EXISTING_SECRET_ARN);
    const dependsOn = asStrings(onlyResource(tf, "aws_ecs_service").block.depends_on);
    // The role's policy, the listener and the two deployment alarms; no secret version.
    expect(dependsOn).toHaveLength(4);
    expect(dependsOn.filter((d) => d.startsWith("aws_secretsmanager_secret_version."))).toEqual([]);
  });

  it("with an existing secret under the AWS-managed key: grants no kms:Decrypt", () => {
    const tf = synthWith({ credentials: { mode: "existing", existingSecretArn: EXISTING_SECRET_ARN }, encryption: { mode: "aws-managed" } });
    expect(
      executionPolicy(tf)
        .flatMap((s) => asArray(s.Action))
        .filter((a) => a.startsWith("kms:")),
    ).toEqual([]);
  });

  it("with an existing secret and a created key: decrypts only the secret's own key (the created one is for logs)", () => {
    const tf = synthWith({ credentials: { mode: "existing", existingSecretArn: EXISTING_SECRET_ARN, kmsKeyArn: KEY_ARN } });
    const created = ref("aws_kms_key", onlyResource(tf, "aws_kms_key").name, "arn");
    expect(onlyResource(tf, "aws_cloudwatch_log_group").block.kms_key_id).toBe(created);
    expect(statementsAllowing(executionPolicy(tf), "kms:Decrypt")).toEqual([expect.objectContaining({ Resource: [KEY_ARN] })]);
  });

  it("with AWS-managed encryption: no key, no kms_key_id and no kms:Decrypt grant", () => {
    const tf = synthWith({ encryption: { mode: "aws-managed" } });
    expect(resources(tf, "aws_kms_key")).toEqual([]);
    expect(resources(tf, "aws_kms_alias")).toEqual([]);
    expect(onlyResource(tf, "aws_secretsmanager_secret").block).not.toHaveProperty("kms_key_id");
    expect(onlyResource(tf, "aws_cloudwatch_log_group").block).not.toHaveProperty("kms_key_id");
    expect(statementsAllowing(executionPolicy(tf), "kms:Decrypt")).toEqual([]);
  });

  it("with an existing key: encrypts the secret and logs with it and grants exactly it", () => {
    const tf = synthWith({ encryption: { mode: "existing-key", keyArn: KEY_ARN } });
    expect(resources(tf, "aws_kms_key")).toEqual([]);
    expect(onlyResource(tf, "aws_secretsmanager_secret").block.kms_key_id).toBe(KEY_ARN);
    expect(onlyResource(tf, "aws_cloudwatch_log_group").block.kms_key_id).toBe(KEY_ARN);
    expect(statementsAllowing(executionPolicy(tf), "kms:Decrypt")).toEqual([expect.objectContaining({ Resource: [KEY_ARN] })]);
  });

  it("with a created key: passes the deletion window through", () => {
    const tf = synthWith({ encryption: { mode: "create-cmk", deletionWindowInDays: 14 } });
    expect(onlyResource(tf, "aws_kms_key").block.deletion_window_in_days).toBe(14);
  });

  it("grants the ARNs the container's secrets come from", () => {
    const tf = synthWith({ secrets: { DB_PASSWORD: `${DB_SECRET}:password::`, API_KEY: PARAMETER } });
    const statements = executionPolicy(tf);
    const secret = ref("aws_secretsmanager_secret", onlyResource(tf, "aws_secretsmanager_secret").name, "arn");
    expect(statement(statements, "ReadRegistryAndContainerSecrets").Resource).toEqual([secret, DB_SECRET]);
    expect(statement(statements, "ReadContainerParameters").Resource).toEqual([PARAMETER]);
    expect(container(tf).secrets).toEqual([
      { name: "API_KEY", valueFrom: PARAMETER },
      { name: "DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
    ]);
  });

  it("with a certificate: serves HTTPS, redirects HTTP, and the service waits for the HTTPS listener", () => {
    const tf = synthWith({ loadBalancer: { scheme: "internet-facing", ingressCidrs: ["0.0.0.0/0"], certificateArn: CERTIFICATE_ARN } });
    const https = findResource(tf, "aws_lb_listener", (b) => b.port === 443);
    expect(https.block).toMatchObject({ protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn: CERTIFICATE_ARN });
    expect(findResource(tf, "aws_lb_listener", (b) => b.port === 80).block.default_action).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } },
    ]);
    expect(onlyResource(tf, "aws_ecs_service").block.depends_on).toContain(address("aws_lb_listener", https));
    expect(tf.output?.service_url.value).toBe(`https://${ref("aws_lb", onlyResource(tf, "aws_lb").name, "dns_name")}`);
  });

  it("with an existing VPC: creates no network and uses the given subnets", () => {
    const tf = synthWith({
      network: {
        mode: "existing",
        vpcId: "vpc-0123456789abcdef0",
        loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        serviceSubnetIds: ["subnet-0123456789abcdef2"],
      },
    });
    for (const type of ["aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_eip", "aws_internet_gateway", "aws_route_table"]) {
      expect(resources(tf, type)).toEqual([]);
    }
    expect(tf.data?.aws_availability_zones).toBeUndefined();
    expect(onlyResource(tf, "aws_lb").block.subnets).toEqual(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    expect(onlyResource(tf, "aws_ecs_service").block.network_configuration).toMatchObject({
      subnets: ["subnet-0123456789abcdef2"],
      assign_public_ip: false,
    });
    expect(onlyResource(tf, "aws_lb_target_group").block.vpc_id).toBe("vpc-0123456789abcdef0");
  });

  it("without NAT: runs the tasks in the public subnets with public IPs", () => {
    const tf = synthWith({ network: { mode: "create", natGateways: "none" } });
    const service = onlyResource(tf, "aws_ecs_service").block;
    expect(resources(tf, "aws_nat_gateway")).toEqual([]);
    const network = asBlock(service.network_configuration);
    expect(network.assign_public_ip).toBe(true);
    expect(network.subnets).toEqual(onlyResource(tf, "aws_lb").block.subnets);
    for (const id of asStrings(network.subnets)) {
      expect(tagOf(referenced(tf, "aws_subnet", "id", id).block, "Tier")).toBe("public");
    }
  });

  it("with autoscaling off: a fixed count Terraform keeps, and no scaling resources", () => {
    const tf = synthWith({ autoscaling: { enabled: false } });
    expect(onlyResource(tf, "aws_ecs_service").block.lifecycle).toBeUndefined();
    expect(resources(tf, "aws_appautoscaling_target")).toEqual([]);
    expect(resources(tf, "aws_appautoscaling_policy")).toEqual([]);
  });

  it("applies defaults for keys the config leaves out", () => {
    const tf = synthStack({
      name: "minimal",
      region: "eu-west-1",
      image: "ghcr.io/acme/minimal:1.0.0",
      cpu: 256,
      memory: 512,
      credentials: { mode: "managed", username: "bot" },
    });
    expect(onlyResource(tf, "aws_ecs_service").block).toMatchObject({
      desired_count: 2,
      health_check_grace_period_seconds: 60,
      deployment_minimum_healthy_percent: 50,
      deployment_maximum_percent: 200,
    });
    expect(container(tf)).toMatchObject({ memory: 512, portMappings: [expect.objectContaining({ containerPort: 8080 })] });
    expect(resources(tf, "aws_kms_key")).toEqual([]);
    expect(resources(tf, "aws_nat_gateway")).toHaveLength(1);
    expect(tf.provider?.aws[0].default_tags).toEqual([{ tags: { "ghcr-ecs:deployment": "minimal", ManagedBy: "ghcr-ecs" } }]);
  });
});

describe("ECS Exec", () => {
  const withExec = () => synthWith({ exec: true, readOnlyRootFilesystem: false });

  it("is off by default: no execute command, no cluster exec configuration, no task role policy", () => {
    const tf = synthWith();
    expect(onlyResource(tf, "aws_ecs_service").block.enable_execute_command).toBeUndefined();
    expect(asBlock(onlyResource(tf, "aws_ecs_cluster").block.configuration).execute_command_configuration).toBeUndefined();
    expect(resources(tf, "aws_iam_role_policy").map((r): unknown => r.block.name)).toEqual(["pull-image-read-secrets-write-logs"]);
  });

  it("turns on execute command and logs every session to the service's log group, encrypted with the stack's key", () => {
    const tf = withExec();
    const key = ref("aws_kms_key", onlyResource(tf, "aws_kms_key").name, "arn");
    expect(onlyResource(tf, "aws_ecs_service").block.enable_execute_command).toBe(true);
    expect(asBlock(onlyResource(tf, "aws_ecs_cluster").block.configuration).execute_command_configuration).toEqual({
      kms_key_id: key,
      logging: "OVERRIDE",
      log_configuration: { cloud_watch_log_group_name: "/ecs/orders", cloud_watch_encryption_enabled: true },
    });
  });

  it("lets the task role, not the execution role, open the session channels and write the session log", () => {
    const tf = withExec();
    const policy = findResource(tf, "aws_iam_role_policy", (b) => b.name === "ecs-exec-sessions");
    expect(policy.block.role).toBe(ref("aws_iam_role", findResource(tf, "aws_iam_role", (b) => b.name === "orders-task").name, "name"));
    const arn = (resource: string) =>
      `arn:\${data.aws_partition.partition.partition}:logs:us-east-1:\${data.aws_caller_identity.account.account_id}:${resource}`;
    expect(policyStatements(policy.block.policy)).toEqual([
      {
        Sid: "OpenSessionChannels",
        Effect: "Allow",
        Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: "*",
      },
      { Sid: "FindSessionLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      {
        Sid: "WriteSessionLog",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: arn("log-group:/ecs/orders:*"),
      },
      { Sid: "DecryptSessionKey", Effect: "Allow", Action: "kms:Decrypt", Resource: ref("aws_kms_key", onlyResource(tf, "aws_kms_key").name, "arn") },
    ]);
  });

  it("with AWS-managed keys: sessions are TLS only, no key to decrypt", () => {
    const tf = synthWith({ exec: true, readOnlyRootFilesystem: false, encryption: { mode: "aws-managed" } });
    const configuration = asBlock(asBlock(onlyResource(tf, "aws_ecs_cluster").block.configuration).execute_command_configuration);
    expect(configuration.kms_key_id).toBeUndefined();
    expect(configuration.log_configuration).toEqual({ cloud_watch_log_group_name: "/ecs/orders", cloud_watch_encryption_enabled: false });
    const policy = findResource(tf, "aws_iam_role_policy", (b) => b.name === "ecs-exec-sessions");
    expect(policyStatements(policy.block.policy).map((s) => s.Sid)).toEqual(["OpenSessionChannels", "FindSessionLogGroup", "WriteSessionLog"]);
  });
});

describe("placement and storage", () => {
  it("leaves ECS's 30 s stop timeout unless one is set, then gives the container exactly that", () => {
    expect(container(synthWith()).stopTimeout).toBeUndefined();
    expect(
      container(synthWith({ stopTimeoutSeconds: 50, environment: { SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: "45s", SERVER_PORT: "8098" } })).stopTimeout,
    ).toBe(50);
  });

  it("rebalances the service's tasks over the AZs after an AZ recovers", () => {
    expect(onlyResource(synthWith(), "aws_ecs_service").block.availability_zone_rebalancing).toBe("ENABLED");
  });

  it("encrypts Fargate tasks' ephemeral storage with the created key, whose policy admits Fargate for this cluster only", () => {
    const tf = synthWith();
    const key = onlyResource(tf, "aws_kms_key");
    expect(onlyResource(tf, "aws_ecs_cluster").block.configuration).toEqual({
      managed_storage_configuration: { fargate_ephemeral_storage_kms_key_id: ref("aws_kms_key", key.name, "arn") },
    });
    const ofCluster = {
      "kms:EncryptionContext:aws:ecs:clusterAccount": ["${data.aws_caller_identity.account.account_id}"],
      "kms:EncryptionContext:aws:ecs:clusterName": ["orders"],
    };
    const statements = policyStatements(key.block.policy).filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: "fargate.amazonaws.com" }));
    expect(statements).toEqual([
      {
        Sid: "FargateDataKeysForThisClustersStorage",
        Effect: "Allow",
        Principal: { Service: "fargate.amazonaws.com" },
        Action: "kms:GenerateDataKeyWithoutPlaintext",
        Resource: "*",
        Condition: { StringEquals: ofCluster },
      },
      {
        Sid: "FargateDecryptGrantsForThisClustersStorage",
        Effect: "Allow",
        Principal: { Service: "fargate.amazonaws.com" },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { StringEquals: ofCluster, "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } },
      },
    ]);
  });

  it("leaves Fargate's own storage encryption with AWS-managed keys, and with an existing key (whose policy is not ours to change)", () => {
    expect(onlyResource(synthWith({ encryption: { mode: "aws-managed" } }), "aws_ecs_cluster").block.configuration).toBeUndefined();
    const existing = synthWith({ encryption: { mode: "existing-key", keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" } });
    expect(onlyResource(existing, "aws_ecs_cluster").block.configuration).toBeUndefined();
  });
});
