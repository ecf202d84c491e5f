import {
  asBlock,
  blockList,
  containerDefinitions,
  findResource,
  onlyResource,
  policyStatements,
  ref,
  resources,
  statementsAllowing,
  synthEnvironment,
  type NamedResource,
} from "../../helpers/synth";
import type { TerraformBlock, TerraformDocument } from "../../../src/terraform/document";

const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab";
const DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbC123";

/** web answers the default action, api is routed by path, admin by host, worker is not load-balanced. */
function shop(overrides: Record<string, unknown> = {}, services: Record<string, unknown> = {}) {
  return {
    name: "shop",
    region: "us-east-1",
    credentials: { mode: "managed", username: "acme-ci-bot" },
    services: {
      web: { image: "ghcr.io/acme/web:1.0.0", cpu: 512, memory: 1024 },
      api: {
        image: "ghcr.io/acme/api:1.0.0",
        containerPort: 8081,
        cpu: 512,
        memory: 1024,
        route: { pathPatterns: ["/api/*"], priority: 10 },
        serviceConnect: true,
        secrets: { DB_PASSWORD: DB_SECRET },
      },
      admin: { image: "ghcr.io/acme/admin:1.0.0", cpu: 256, memory: 512, route: { hostHeaders: ["admin.example.com"] } },
      worker: { image: "ghcr.io/acme/worker:1.0.0", cpu: 256, memory: 512, loadBalanced: false, serviceConnect: true },
      ...services,
    },
    environments: { prod: {} },
    ...overrides,
  };
}

const byName = (tf: TerraformDocument, type: string, name: string): NamedResource => findResource(tf, type, (b) => b.name === name);
const serviceNamed = (tf: TerraformDocument, name: string) => byName(tf, "aws_ecs_service", name);
const securityGroupOf = (tf: TerraformDocument, service: string) => byName(tf, "aws_security_group", `shop-prod-${service}-tasks`);
const rulesOf = (tf: TerraformDocument, type: string, group: NamedResource) =>
  resources(tf, type)
    .map((r) => r.block)
    .filter((b) => b.security_group_id === ref("aws_security_group", group.name, "id"));

describe("an app environment's load balancer", () => {
  let tf: TerraformDocument;
  beforeAll(() => {
    tf = synthEnvironment(shop(), "shop-prod");
  });

  it("forwards the listener's default action to the service without a route", () => {
    const listener = onlyResource(tf, "aws_lb_listener").block;
    expect(listener.default_action).toEqual([
      { type: "forward", target_group_arn: ref("aws_lb_target_group", byName(tf, "aws_lb_target_group", "shop-prod-web-8080").name, "arn") },
    ]);
  });

  it("routes each routed service with its own rule: conditions, priority (explicit, then numbered after it) and its target group", () => {
    const listenerArn = ref("aws_lb_listener", onlyResource(tf, "aws_lb_listener").name, "arn");
    const rules = resources(tf, "aws_lb_listener_rule")
      .map((r) => r.block)
      .sort((a, b) => Number(a.priority) - Number(b.priority));
    expect(rules).toEqual([
      {
        listener_arn: listenerArn,
        priority: 10,
        action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", byName(tf, "aws_lb_target_group", "shop-prod-api-8081").name, "arn") }],
        condition: [{ path_pattern: { values: ["/api/*"] } }],
        tags: { Name: "shop-prod-api-route" },
      },
      {
        listener_arn: listenerArn,
        priority: 20,
        action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", byName(tf, "aws_lb_target_group", "shop-prod-admin-8080").name, "arn") }],
        condition: [{ host_header: { values: ["admin.example.com"] } }],
        tags: { Name: "shop-prod-admin-route" },
      },
    ]);
  });

  it("gives every load-balanced service a target group health-checked on the actuator, and the worker none", () => {
    const groups = resources(tf, "aws_lb_target_group").map((r) => r.block);
    expect(groups.map((g): unknown[] => [String(g.name), g.port, g.target_type, asBlock(g.health_check).path]).sort()).toEqual([
      ["shop-prod-admin-8080", 8080, "ip", "/actuator/health"],
      ["shop-prod-api-8081", 8081, "ip", "/actuator/health"],
      ["shop-prod-web-8080", 8080, "ip", "/actuator/health"],
    ]);
  });

  it("answers a fixed 404 when every load-balanced service is routed", () => {
    const routedOnly = synthEnvironment(
      shop({}, { web: { image: "ghcr.io/acme/web:1.0.0", cpu: 512, memory: 1024, route: { pathPatterns: ["/"] } } }),
      "shop-prod",
    );
    expect(onlyResource(routedOnly, "aws_lb_listener").block.default_action).toEqual([
      { type: "fixed-response", fixed_response: { content_type: "text/plain", status_code: "404", message_body: "Not Found" } },
    ]);
  });

  it("attaches the rules to the HTTPS listener when there is a certificate (HTTP only redirects)", () => {
    const https = synthEnvironment(shop({ loadBalancer: { certificateArn: CERTIFICATE_ARN } }), "shop-prod");
    const httpsListener = findResource(https, "aws_lb_listener", (b) => b.protocol === "HTTPS");
    for (const rule of resources(https, "aws_lb_listener_rule")) expect(rule.block.listener_arn).toBe(ref("aws_lb_listener", httpsListener.name, "arn"));
  });
});

describe("an app environment's services", () => {
  let tf: TerraformDocument;
  beforeAll(() => {
    tf = synthEnvironment(shop(), "shop-prod");
  });

  it("run in the environment's one cluster, each named after its service, with a task family <stack>-<service>", () => {
    const cluster = onlyResource(tf, "aws_ecs_cluster");
    expect(cluster.block.name).toBe("shop-prod");
    for (const name of ["web", "api", "admin", "worker"]) {
      const service = serviceNamed(tf, name).block;
      expect(service.cluster).toBe(ref("aws_ecs_cluster", "cluster", "arn"));
      expect(service.launch_type).toBe("FARGATE");
      const task = findResource(tf, "aws_ecs_task_definition", (b) => b.family === `shop-prod-${name}`);
      expect(containerDefinitions(task.block.container_definitions)[0].name).toBe(name);
    }
  });

  it("give each service its own execution role that reads only its credential and its own secrets, and writes only its log group", () => {
    const secretArn = ref("aws_secretsmanager_secret", onlyResource(tf, "aws_secretsmanager_secret").name, "arn");
    for (const name of ["web", "api", "admin", "worker"]) {
      const role = byName(tf, "aws_iam_role", `shop-prod-${name}-execution`);
      const policy = findResource(tf, "aws_iam_role_policy", (b) => b.role === ref("aws_iam_role", role.name, "id"));
      const statements = policyStatements(policy.block.policy);
      const reads = statementsAllowing(statements, "secretsmanager:GetSecretValue").flatMap((s) => s.Resource);
      expect(reads).toEqual(name === "api" ? [secretArn, DB_SECRET] : [secretArn]);
      const logGroup = byName(tf, "aws_cloudwatch_log_group", `/ecs/shop-prod/${name}`);
      expect(statementsAllowing(statements, "logs:PutLogEvents")[0].Resource).toBe(`${ref("aws_cloudwatch_log_group", logGroup.name, "arn")}:log-stream:*`);
    }
  });

  it("run the worker without a target group, port mapping, grace period or ingress", () => {
    const worker = serviceNamed(tf, "worker").block;
    expect(worker.load_balancer).toBeUndefined();
    expect(worker.health_check_grace_period_seconds).toBeUndefined();
    const task = findResource(tf, "aws_ecs_task_definition", (b) => b.family === "shop-prod-worker");
    expect(containerDefinitions(task.block.container_definitions)[0].portMappings).toEqual([]);
    expect(rulesOf(tf, "aws_vpc_security_group_ingress_rule", securityGroupOf(tf, "worker"))).toEqual([]);
  });

  it("admit only the load balancer to a load-balanced service's port", () => {
    const ingress = rulesOf(tf, "aws_vpc_security_group_ingress_rule", securityGroupOf(tf, "admin"));
    expect(ingress).toEqual([
      expect.objectContaining({
        from_port: 8080,
        to_port: 8080,
        referenced_security_group_id: ref("aws_security_group", byName(tf, "aws_security_group", "shop-prod-alb").name, "id"),
      }) as unknown,
    ]);
  });

  it("let Service Connect members call exactly the members that answer, on their port: the worker calls the api", () => {
    const namespace = onlyResource(tf, "aws_service_discovery_http_namespace");
    expect(namespace.block.name).toBe("shop-prod");
    expect(serviceNamed(tf, "api").block.service_connect_configuration).toEqual({
      enabled: true,
      namespace: ref("aws_service_discovery_http_namespace", namespace.name, "arn"),
      service: [{ port_name: "http", discovery_name: "api", client_alias: { port: 8081, dns_name: "api" } }],
    });
    expect(serviceNamed(tf, "worker").block.service_connect_configuration).toEqual({
      enabled: true,
      namespace: ref("aws_service_discovery_http_namespace", namespace.name, "arn"),
    });
    expect(serviceNamed(tf, "web").block.service_connect_configuration).toBeUndefined();
    const api = securityGroupOf(tf, "api");
    const worker = securityGroupOf(tf, "worker");
    const fromWorker = rulesOf(tf, "aws_vpc_security_group_ingress_rule", api).filter(
      (b) => b.referenced_security_group_id === ref("aws_security_group", worker.name, "id"),
    );
    expect(fromWorker).toEqual([expect.objectContaining({ ip_protocol: "tcp", from_port: 8081, to_port: 8081 }) as unknown]);
    const toApi = rulesOf(tf, "aws_vpc_security_group_egress_rule", worker).filter(
      (b) => b.referenced_security_group_id === ref("aws_security_group", api.name, "id"),
    );
    expect(toApi).toEqual([expect.objectContaining({ ip_protocol: "tcp", from_port: 8081, to_port: 8081 }) as unknown]);
    const workerEgress = rulesOf(tf, "aws_vpc_security_group_egress_rule", worker).map((b): unknown[] => [b.from_port, b.cidr_ipv4 ?? "group"]);
    expect(workerEgress.sort()).toEqual([
      [443, "0.0.0.0/0"],
      [8081, "group"],
    ]);
  });

  it("outputs every service's names and ARNs in one services map, and no single-service outputs", () => {
    const outputs = tf.output ?? {};
    expect(Object.keys(outputs).sort()).toEqual(["alarm_topic_arn", "cluster_name", "region", "service_url", "services"]);
    const services = asBlock(asBlock(outputs.services).value);
    expect(Object.keys(services).sort()).toEqual(["admin", "api", "web", "worker"]);
    expect(asBlock(services.api)).toEqual({
      service_name: ref("aws_ecs_service", serviceNamed(tf, "api").name, "name"),
      image: "ghcr.io/acme/api:1.0.0",
      log_group_name: ref("aws_cloudwatch_log_group", byName(tf, "aws_cloudwatch_log_group", "/ecs/shop-prod/api").name, "name"),
      execution_role_arn: ref("aws_iam_role", byName(tf, "aws_iam_role", "shop-prod-api-execution").name, "arn"),
      credentials_secret_arn: ref("aws_secretsmanager_secret", onlyResource(tf, "aws_secretsmanager_secret").name, "arn"),
      registry_auth_mode: "task",
      load_balanced: true,
      registry_username: "acme-ci-bot",
    });
  });
});

describe("an app environment's autoscaling", () => {
  let tf: TerraformDocument;
  beforeAll(() => {
    tf = synthEnvironment(
      shop(
        {},
        {
          web: { image: "ghcr.io/acme/web:1.0.0", cpu: 512, memory: 1024, autoscaling: { requestsPerTarget: 1000, maxCount: 10 } },
          admin: {
            image: "ghcr.io/acme/admin:1.0.0",
            cpu: 256,
            memory: 512,
            route: { hostHeaders: ["admin.example.com"] },
            autoscaling: { enabled: false },
          },
        },
      ),
      "shop-prod",
    );
  });
  const targetOf = (service: string) =>
    findResource(
      tf,
      "aws_appautoscaling_target",
      (b) => b.resource_id === `service/\${aws_ecs_cluster.cluster.name}/\${aws_ecs_service.${serviceNamed(tf, service).name}.name}`,
    );

  it("gives each scaled service its own target and policies, named after the service", () => {
    expect(resources(tf, "aws_appautoscaling_target").length).toBe(3);
    expect(targetOf("web").block).toMatchObject({ min_capacity: 2, max_capacity: 10 });
    expect(targetOf("worker").block).toMatchObject({ min_capacity: 2, max_capacity: 4 });
    expect(
      resources(tf, "aws_appautoscaling_policy")
        .map((r) => String(r.block.name))
        .sort(),
    ).toEqual(["shop-prod-api-cpu", "shop-prod-web-requests", "shop-prod-worker-cpu"]);
  });

  it("counts a service's requests on its own target group behind the environment's load balancer", () => {
    const policy = byName(tf, "aws_appautoscaling_policy", "shop-prod-web-requests").block;
    const group = byName(tf, "aws_lb_target_group", "shop-prod-web-8080");
    const alb = onlyResource(tf, "aws_lb");
    expect(policy.target_tracking_scaling_policy_configuration).toMatchObject({
      target_value: 1000,
      predefined_metric_specification: {
        predefined_metric_type: "ALBRequestCountPerTarget",
        resource_label: `\${aws_lb.${alb.name}.arn_suffix}/\${aws_lb_target_group.${group.name}.arn_suffix}`,
      },
    });
  });

  it("keeps a service with autoscaling off at its count, which Terraform then owns", () => {
    expect(serviceNamed(tf, "admin").block.lifecycle).toBeUndefined();
    expect(serviceNamed(tf, "web").block.lifecycle).toEqual({ ignore_changes: ["desired_count"] });
  });
});

describe("an app environment's alarms", () => {
  const alarmNames = (tf: TerraformDocument) =>
    resources(tf, "aws_cloudwatch_metric_alarm")
      .map((r) => String(r.block.alarm_name))
      .sort();

  it("give every service its alarms and the load balancer its own, all notifying the environment's one topic", () => {
    const tf = synthEnvironment(
      shop(
        { alarms: { notify: { emails: ["shop-oncall@example.com"] } }, encryption: { mode: "create-cmk" } },
        { admin: { image: "ghcr.io/acme/admin:1.0.0", cpu: 256, memory: 512, route: { hostHeaders: ["admin.example.com"] }, alarms: { enabled: false } } },
      ),
      "shop-prod",
    );
    const topic = onlyResource(tf, "aws_sns_topic");
    expect(topic.block).toEqual({
      name: "shop-prod-alarms",
      display_name: "shop-prod alarms",
      kms_master_key_id: ref("aws_kms_key", onlyResource(tf, "aws_kms_key").name, "arn"),
    });
    expect(onlyResource(tf, "aws_sns_topic_subscription").block).toMatchObject({ protocol: "email", endpoint: "shop-oncall@example.com" });
    expect(alarmNames(tf)).toEqual([
      "shop-prod-api: 5xx responses high",
      "shop-prod-api: CPU high",
      "shop-prod-api: memory high",
      "shop-prod-api: p99 response time high",
      "shop-prod-api: running tasks below desired",
      "shop-prod-api: unhealthy targets",
      "shop-prod-web: 5xx responses high",
      "shop-prod-web: CPU high",
      "shop-prod-web: memory high",
      "shop-prod-web: p99 response time high",
      "shop-prod-web: running tasks below desired",
      "shop-prod-web: unhealthy targets",
      "shop-prod-worker: CPU high",
      "shop-prod-worker: memory high",
      "shop-prod-worker: running tasks below desired",
      "shop-prod: load balancer 5xx high",
    ]);
    const topicArn = ref("aws_sns_topic", topic.name, "arn");
    for (const alarm of resources(tf, "aws_cloudwatch_metric_alarm"))
      expect([alarm.block.alarm_actions, alarm.block.ok_actions]).toEqual([[topicArn], [topicArn]]);
  });

  it("put a service's alarms on its own target group, and under its own address", () => {
    const tf = synthEnvironment(shop(), "shop-prod");
    const alarm = findResource(tf, "aws_cloudwatch_metric_alarm", (b) => b.alarm_name === "shop-prod-api: unhealthy targets");
    expect(alarm.name).toMatch(/^services_api_alarms_unhealthy-targets_[0-9A-F]{8}$/);
    expect(alarm.block.dimensions).toEqual({
      LoadBalancer: ref("aws_lb", onlyResource(tf, "aws_lb").name, "arn_suffix"),
      TargetGroup: ref("aws_lb_target_group", byName(tf, "aws_lb_target_group", "shop-prod-api-8081").name, "arn_suffix"),
    });
  });

  it("let ECS roll back a load-balanced service's deployment on its own 5xx-rate and unhealthy-targets alarms; a worker has none", () => {
    const tf = synthEnvironment(
      shop(
        {},
        { admin: { image: "ghcr.io/acme/admin:1.0.0", cpu: 256, memory: 512, route: { hostHeaders: ["admin.example.com"] }, alarms: { rollback: false } } },
      ),
      "shop-prod",
    );
    expect(serviceNamed(tf, "api").block.alarms).toEqual({
      alarm_names: ["shop-prod-api: 5xx responses high", "shop-prod-api: unhealthy targets"],
      enable: true,
      rollback: true,
    });
    expect(serviceNamed(tf, "worker").block.alarms).toBeUndefined();
    expect(serviceNamed(tf, "admin").block.alarms).toBeUndefined();
    // The alarms exist before the service that names them.
    expect(serviceNamed(tf, "api").block.depends_on).toEqual(
      expect.arrayContaining(
        ["5xx responses high", "unhealthy targets"].map(
          (what) => `aws_cloudwatch_metric_alarm.${findResource(tf, "aws_cloudwatch_metric_alarm", (b) => b.alarm_name === `shop-prod-api: ${what}`).name}`,
        ),
      ),
    );
  });

  it("output the topic the alarms notify, for a pager or chat subscription", () => {
    const tf = synthEnvironment(shop(), "shop-prod");
    expect(tf.output?.alarm_topic_arn.value).toBe(ref("aws_sns_topic", onlyResource(tf, "aws_sns_topic").name, "arn"));
  });

  it("notify an existing topic instead of creating one, and admit no CloudWatch statement to a key for it", () => {
    const external = "arn:aws:sns:us-east-1:123456789012:acme-pager";
    const tf = synthEnvironment(shop({ alarms: { notify: { snsTopicArn: external } }, encryption: { mode: "create-cmk" } }), "shop-prod");
    expect(resources(tf, "aws_sns_topic")).toEqual([]);
    expect(tf.output?.alarm_topic_arn.value).toBe(external);
    for (const alarm of resources(tf, "aws_cloudwatch_metric_alarm")) expect(alarm.block.alarm_actions).toEqual([external]);
    const keyPolicy = JSON.parse(String(onlyResource(tf, "aws_kms_key").block.policy)) as { Statement: { Sid: string }[] };
    expect(keyPolicy.Statement.map((s) => s.Sid)).not.toContain("CloudWatchAlarmsPublishToEncryptedTopic");
  });

  it("take an environment's own recipients and load balancer threshold", () => {
    const tf = synthEnvironment(
      shop({
        alarms: { notify: { emails: ["a@example.com"] } },
        environments: { prod: { alarms: { notify: { emails: ["pager@example.com"] }, loadBalancerErrorsPerMinute: 3 } } },
      }),
      "shop-prod",
    );
    expect(resources(tf, "aws_sns_topic_subscription").map((r): unknown => r.block.endpoint)).toEqual(["pager@example.com"]);
    expect(findResource(tf, "aws_cloudwatch_metric_alarm", (b) => b.alarm_name === "shop-prod: load balancer 5xx high").block.threshold).toBe(3);
  });

  it("are all gone, topic too, when every service turns them off", () => {
    const off = { alarms: { enabled: false } };
    const tf = synthEnvironment(
      shop(
        {},
        {
          web: { image: "ghcr.io/acme/web:1.0.0", cpu: 512, memory: 1024, ...off },
          api: { image: "ghcr.io/acme/api:1.0.0", cpu: 512, memory: 1024, route: { pathPatterns: ["/api/*"] }, ...off },
          admin: { image: "ghcr.io/acme/admin:1.0.0", cpu: 256, memory: 512, route: { hostHeaders: ["admin.example.com"] }, ...off },
          worker: { image: "ghcr.io/acme/worker:1.0.0", cpu: 256, memory: 512, loadBalanced: false, ...off },
        },
      ),
      "shop-prod",
    );
    expect([resources(tf, "aws_cloudwatch_metric_alarm"), resources(tf, "aws_sns_topic")]).toEqual([[], []]);
    expect(tf.output?.alarm_topic_arn).toBeUndefined();
  });
});

describe("ECS Exec in an app environment", () => {
  const withExec = (encryption = "create-cmk") =>
    synthEnvironment(
      shop(
        { encryption: { mode: encryption } },
        {
          admin: {
            image: "ghcr.io/acme/admin:1.0.0",
            cpu: 256,
            memory: 512,
            route: { hostHeaders: ["admin.example.com"] },
            exec: true,
            readOnlyRootFilesystem: false,
            logRetentionDays: 90,
          },
        },
      ),
      "shop-prod",
    );

  it("logs every service's sessions to the environment's /ecs/<stack>/_exec, kept as long as the exec services' logs", () => {
    const tf = withExec();
    const group = findResource(tf, "aws_cloudwatch_log_group", (b) => b.name === "/ecs/shop-prod/_exec");
    expect(group.name).toBe("exec-logs");
    expect(group.block).toEqual({
      name: "/ecs/shop-prod/_exec",
      retention_in_days: 90,
      kms_key_id: ref("aws_kms_key", onlyResource(tf, "aws_kms_key").name, "arn"),
    });
    expect(asBlock(asBlock(onlyResource(tf, "aws_ecs_cluster").block.configuration).execute_command_configuration).log_configuration).toEqual({
      cloud_watch_log_group_name: ref("aws_cloudwatch_log_group", "exec-logs", "name"),
      cloud_watch_encryption_enabled: true,
    });
  });

  it("turns execute command on for that service only, and gives only its task role the session policy", () => {
    const tf = withExec();
    expect(serviceNamed(tf, "admin").block.enable_execute_command).toBe(true);
    for (const other of ["web", "api", "worker"]) expect(serviceNamed(tf, other).block.enable_execute_command).toBeUndefined();
    const policies = resources(tf, "aws_iam_role_policy").filter((r) => r.block.name === "ecs-exec-sessions");
    expect(policies.map((p): unknown => p.block.role)).toEqual([ref("aws_iam_role", byName(tf, "aws_iam_role", "shop-prod-admin-task").name, "name")]);
  });

  it("keeps the exec log group apart from a service named exec", () => {
    const tf = synthEnvironment(
      shop({}, { exec: { image: "ghcr.io/acme/exec:1.0.0", cpu: 256, memory: 512, loadBalanced: false, exec: true, readOnlyRootFilesystem: false } }),
      "shop-prod",
    );
    const names = resources(tf, "aws_cloudwatch_log_group").map((r): unknown => r.block.name);
    expect(names).toEqual(expect.arrayContaining(["/ecs/shop-prod/exec", "/ecs/shop-prod/_exec"]));
    expect(new Set(names).size).toBe(names.length);
  });

  it("has no exec log group or cluster configuration when no service asks for exec", () => {
    const tf = synthEnvironment(shop(), "shop-prod");
    expect(resources(tf, "aws_cloudwatch_log_group").map((r): unknown => r.block.name)).not.toContain("/ecs/shop-prod/_exec");
    expect(onlyResource(tf, "aws_ecs_cluster").block.configuration).toBeUndefined();
  });
});

describe("an app's credentials", () => {
  const other = { mode: "managed", username: "partner-bot" };
  let tf: TerraformDocument;
  beforeAll(() => {
    tf = synthEnvironment(
      shop({}, { admin: { image: "ghcr.io/partner/admin:1.0.0", cpu: 256, memory: 512, route: { hostHeaders: ["admin.example.com"] }, credentials: other } }),
      "shop-prod",
    );
  });

  it("make one secret per distinct credential, the service's own named after the first service that uses it", () => {
    expect(
      resources(tf, "aws_secretsmanager_secret")
        .map((r) => String(r.block.name))
        .sort(),
    ).toEqual(["shop-prod/admin/registry-credentials", "shop-prod/registry-credentials"]);
  });

  it("give each its own ephemeral token variable and version variable, and its own check", () => {
    expect(Object.keys(tf.variable ?? {}).sort()).toEqual([
      "registry_credentials_version",
      "registry_credentials_version_admin",
      "registry_token",
      "registry_token_admin",
    ]);
    expect(asBlock(tf.variable?.registry_token_admin)).toMatchObject({ ephemeral: true, sensitive: true, type: "string" });
    expect(Object.keys(tf.check ?? {}).sort()).toEqual(["registry_token_admin_supplied", "registry_token_supplied"]);
    const value = findResource(tf, "aws_secretsmanager_secret_version", (b) => String(b.secret_string_wo).includes("registry_token_admin"));
    expect(value.block.secret_string_wo).toBe(
      '${var.registry_token_admin == null ? "" : jsonencode({ username = "partner-bot", password = var.registry_token_admin })}',
    );
  });

  it("point each service's repositoryCredentials, and its execution role, at its own credential only", () => {
    const adminSecret = ref(
      "aws_secretsmanager_secret",
      findResource(tf, "aws_secretsmanager_secret", (b) => b.name === "shop-prod/admin/registry-credentials").name,
      "arn",
    );
    const task = findResource(tf, "aws_ecs_task_definition", (b) => b.family === "shop-prod-admin");
    expect(containerDefinitions(task.block.container_definitions)[0].repositoryCredentials).toEqual({ credentialsParameter: adminSecret });
    const role = byName(tf, "aws_iam_role", "shop-prod-admin-execution");
    const policy = findResource(tf, "aws_iam_role_policy", (b) => b.role === ref("aws_iam_role", role.name, "id"));
    expect(statementsAllowing(policyStatements(policy.block.policy), "secretsmanager:GetSecretValue").flatMap((s) => s.Resource)).toEqual([adminSecret]);
  });
});

describe("an app with a service on EC2", () => {
  let tf: TerraformDocument;
  beforeAll(() => {
    tf = synthEnvironment(
      shop({}, { worker: { image: "ghcr.io/acme/worker:1.0.0", cpu: 256, memory: 512, loadBalanced: false, launchType: "ec2" } }),
      "shop-prod",
    );
  });

  it("runs it on the environment's container instances in the same cluster, beside the Fargate services", () => {
    const capacityProvider = onlyResource(tf, "aws_ecs_capacity_provider");
    expect(capacityProvider.block.name).toBe("shop-prod-ec2");
    const worker = serviceNamed(tf, "worker").block;
    expect(worker.cluster).toBe(ref("aws_ecs_cluster", "cluster", "arn"));
    expect(worker.capacity_provider_strategy).toEqual([
      { capacity_provider: ref("aws_ecs_capacity_provider", capacityProvider.name, "name"), weight: 1, base: 0 },
    ]);
    expect(worker.launch_type).toBeUndefined();
    expect(serviceNamed(tf, "web").block.launch_type).toBe("FARGATE");
    const template = onlyResource(tf, "aws_launch_template").block;
    expect(template.name).toBe("shop-prod-ec2");
  });

  it("makes the key's policy admit the instances' volumes, and logs of every service (/ecs/<stack>/*)", () => {
    const withKey = synthEnvironment(
      shop(
        { encryption: { mode: "create-cmk" } },
        { worker: { image: "ghcr.io/acme/worker:1.0.0", cpu: 256, memory: 512, loadBalanced: false, launchType: "ec2" } },
      ),
      "shop-prod",
    );
    const statements = policyStatements(onlyResource(withKey, "aws_kms_key").block.policy);
    const logs = statements.find((s) => s.Sid === "CloudWatchLogsForThisLogGroupOnly");
    expect(logs?.Condition).toEqual({
      ArnEquals: { "kms:EncryptionContext:aws:logs:arn": expect.stringMatching(/:log-group:\/ecs\/shop-prod\/\*$/) as unknown },
    });
    expect(statements.map((s) => s.Sid)).toContain("AutoScalingUsesKeyForEbs");
  });
});

describe("the example app (config/example-app.json)", () => {
  it.each(["shop-staging", "shop-prod"])("%s: synthesizes the three services with their environment's sizes", (stack) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the committed example, read as JSON
    const example = require("../../../config/example-app.json") as unknown;
    const tf = synthEnvironment(example, stack);
    const desired = resources(tf, "aws_ecs_service").map((r: { block: TerraformBlock }) => [String(r.block.name), Number(r.block.desired_count)]);
    const count = stack === "shop-staging" ? 1 : 2;
    expect(desired.sort()).toEqual([
      ["api", count],
      ["web", count],
      ["worker", count],
    ]);
    expect(blockList(onlyResource(tf, "aws_lb_listener").block.default_action)[0].type).toBe("forward");
  });
});
