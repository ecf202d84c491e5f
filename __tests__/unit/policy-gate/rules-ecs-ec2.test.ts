import { POLICY_RULES } from "../../../src/policy-gate/rules/index";
import { runPolicyGate, STRICT_EXPECTATIONS, type RuleResult } from "../../../src/policy-gate/gate";
import { type PolicyExpectations } from "../../../src/policy-gate/types";
import type { TerraformBlock, TerraformDocument } from "../../../src/terraform/document";

function resultOf(ruleId: string, doc: TerraformDocument, expectations: PolicyExpectations = STRICT_EXPECTATIONS): RuleResult {
  const rule = POLICY_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return runPolicyGate({ stacks: [{ name: "fixture", document: doc }], rules: [rule], expectations }).stacks[0].rules[0];
}

/** A rule result without its rule summary (pinned once, in the metadata tests). */
const verdict = ({ status, findings, notApplicable }: RuleResult) => ({ status, findings, notApplicable });
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const TOKEN = `ghp_${"Z9y8".repeat(9)}`;
const GITHUB_TOKEN_KIND = "a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_)";

describe("ECS and EC2 rule metadata", () => {
  it.each<[string, { title: string; checkov: string[]; trivy: string[]; severity: string; resourceTypes: string[] }]>([
    [
      "task-not-privileged",
      { title: "Containers do not run privileged", checkov: ["CKV_AWS_334"], trivy: [], severity: "high", resourceTypes: ["aws_ecs_task_definition"] },
    ],
    [
      "task-no-host-pid",
      {
        title: "Tasks do not share the host's process namespace",
        checkov: ["CKV_AWS_335"],
        trivy: [],
        severity: "high",
        resourceTypes: ["aws_ecs_task_definition"],
      },
    ],
    [
      "task-read-only-root-filesystem",
      {
        title: "Containers have a read-only root filesystem",
        checkov: ["CKV_AWS_336"],
        trivy: [],
        severity: "medium",
        resourceTypes: ["aws_ecs_task_definition"],
      },
    ],
    [
      "task-no-plaintext-secrets",
      {
        title: "No secrets in plaintext container environment variables",
        checkov: [],
        trivy: ["AVD-AWS-0036"],
        severity: "critical",
        resourceTypes: ["aws_ecs_task_definition"],
      },
    ],
    [
      "service-no-public-ip",
      { title: "ECS services do not give tasks public IPs", checkov: ["CKV_AWS_333"], trivy: [], severity: "medium", resourceTypes: ["aws_ecs_service"] },
    ],
    [
      "fargate-platform-latest",
      { title: "Fargate services run on platform version LATEST", checkov: ["CKV_AWS_332"], trivy: [], severity: "low", resourceTypes: ["aws_ecs_service"] },
    ],
    [
      "ecs-exec-sessions-logged",
      {
        title: "ECS Exec sessions are logged (clusters whose services allow a shell log every session)",
        checkov: ["CKV_AWS_223"],
        trivy: [],
        severity: "medium",
        resourceTypes: ["aws_ecs_service"],
      },
    ],
    [
      "ecs-exec-sessions-cmk",
      {
        title: "ECS Exec sessions and their logs are encrypted with a customer-managed KMS key",
        checkov: ["CKV_AWS_224"],
        trivy: [],
        severity: "low",
        resourceTypes: ["aws_ecs_service"],
      },
    ],
    [
      "launch-template-imdsv2",
      {
        title: "Launch templates require IMDSv2 session tokens",
        checkov: ["CKV_AWS_79"],
        trivy: ["AVD-AWS-0130"],
        severity: "high",
        resourceTypes: ["aws_launch_template"],
      },
    ],
    [
      "launch-template-hop-limit",
      {
        title: "Launch templates keep the IMDS response hop limit at 1",
        checkov: ["CKV_AWS_341"],
        trivy: [],
        severity: "medium",
        resourceTypes: ["aws_launch_template"],
      },
    ],
    [
      "user-data-no-credentials",
      {
        title: "No credentials in launch template user data",
        checkov: ["CKV_AWS_46"],
        trivy: ["AVD-AWS-0129"],
        severity: "critical",
        resourceTypes: ["aws_launch_template"],
      },
    ],
    [
      "launch-template-ebs-encrypted",
      { title: "Launch templates encrypt every EBS volume", checkov: [], trivy: [], severity: "high", resourceTypes: ["aws_launch_template"] },
    ],
    [
      "asg-uses-launch-template",
      {
        title: "Auto Scaling groups launch from a launch template",
        checkov: ["CKV_AWS_315"],
        trivy: [],
        severity: "medium",
        resourceTypes: ["aws_autoscaling_group"],
      },
    ],
    [
      "asg-propagates-tags",
      {
        title: "Auto Scaling groups tag the instances they launch",
        checkov: ["CKV_AWS_153"],
        trivy: [],
        severity: "low",
        resourceTypes: ["aws_autoscaling_group"],
      },
    ],
  ])("%s has its title, scanner IDs, severity and resource types", (id, metadata) => {
    const rule = POLICY_RULES.find((r) => r.id === id);
    expect(rule).toBeDefined();
    const { title, checkov, trivy, severity, resourceTypes } = rule!;
    expect({ title, checkov, trivy, severity, resourceTypes }).toEqual(metadata);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Task definitions
// ---------------------------------------------------------------------------------------------------------------------

const TASK = "aws_ecs_task_definition.app";
const rawTaskDoc = (containerDefinitions: unknown): TerraformDocument => ({
  resource: { aws_ecs_task_definition: { app: { family: "orders", container_definitions: containerDefinitions } } },
});
const taskDoc = (...containers: object[]) => rawTaskDoc(JSON.stringify(containers));

describe("container_definitions the gate cannot read", () => {
  const unreadable = {
    address: TASK,
    message: "container_definitions is not a literal JSON list the gate can inspect",
    fix: "render container_definitions with jsonencode of literal values",
  };

  it.each(["task-not-privileged", "task-read-only-root-filesystem", "task-no-plaintext-secrets"])(
    "%s fails closed on container_definitions that are not JSON, a JSON object or missing",
    (rule) => {
      for (const value of ["${jsonencode(local.containers)}", JSON.stringify({ name: "app", privileged: true }), "null", undefined]) {
        expect(verdict(resultOf(rule, rawTaskDoc(value)))).toEqual({ status: "fail", findings: [unreadable] });
      }
    },
  );
});

describe("task-not-privileged", () => {
  const fix = "remove privileged; add only the Linux capabilities the container needs";

  it('fails each privileged container, by name, and calls a nameless one "?"', () => {
    const result = resultOf("task-not-privileged", taskDoc({ name: "app", privileged: true }, { name: "sidecar", privileged: false }, { privileged: "true" }));
    expect(result.status).toBe("fail");
    expect(result.findings).toEqual([
      { address: TASK, message: 'container "app" has privileged: true (root on the host)', fix },
      { address: TASK, message: 'container "?" has privileged: true (root on the host)', fix },
    ]);
  });

  it("passes containers that do not ask for privileged", () => {
    expect(resultOf("task-not-privileged", taskDoc({ name: "app" }, { name: "sidecar", privileged: false })).status).toBe("pass");
  });
});

describe("task-no-host-pid", () => {
  it('fails pid_mode "host" and passes "task" or none', () => {
    const doc: TerraformDocument = {
      resource: { aws_ecs_task_definition: { shared: { pid_mode: "host" }, isolated: { pid_mode: "task" }, plain: {} } },
    };
    expect(verdict(resultOf("task-no-host-pid", doc))).toEqual({
      status: "fail",
      findings: [
        {
          address: "aws_ecs_task_definition.shared",
          message: 'pid_mode is "host": the containers see and can signal every process on the instance',
          fix: 'remove pid_mode (or use "task")',
        },
      ],
    });
  });
});

describe("task-read-only-root-filesystem", () => {
  const fix = "set readonlyRootFilesystem: true with a writable volume mounted at /tmp (Spring Boot's embedded Tomcat writes there)";
  const message = (name: string, value: string) => `container ${name} has readonlyRootFilesystem ${value}: a compromised process can modify the image's files`;

  it("fails a container with readonlyRootFilesystem false or unset, and passes true (also as a string)", () => {
    const result = resultOf(
      "task-read-only-root-filesystem",
      taskDoc(
        { name: "app", readonlyRootFilesystem: false },
        {},
        { name: "ok", readonlyRootFilesystem: true },
        { name: "ok2", readonlyRootFilesystem: "true" },
      ),
    );
    expect(result.findings).toEqual([
      { address: TASK, message: message('"app"', "false"), fix },
      { address: TASK, message: message('"?"', "null"), fix },
    ]);
  });
});

describe("task-no-plaintext-secrets", () => {
  const credentialFix = (name: string) => `move ${name} to "secrets" (a Secrets Manager or SSM ARN) and revoke the exposed credential`;
  const nameFix = (name: string) => `move ${name} to "secrets" (a Secrets Manager or SSM ARN), or declare a waiver if the value is not secret`;

  it("names the credential a variable holds and the variable whose name says it is a secret", () => {
    const result = resultOf(
      "task-no-plaintext-secrets",
      taskDoc({
        name: "app",
        environment: [
          { name: "REGISTRY", value: TOKEN },
          { name: "DB_PASSWORD", value: "hunter22" },
          { name: "LOG_LEVEL", value: "info" },
        ],
      }),
    );
    expect(result.findings).toEqual([
      { address: TASK, message: `container "app" environment REGISTRY holds ${GITHUB_TOKEN_KIND} (ghp_…(40 chars))`, fix: credentialFix("REGISTRY") },
      {
        address: TASK,
        message: 'container "app" environment DB_PASSWORD looks like a secret and is stored in plaintext in the task definition',
        fix: nameFix("DB_PASSWORD"),
      },
    ]);
  });

  it("reports a credential in a variable without a name under an empty name", () => {
    const result = resultOf("task-no-plaintext-secrets", taskDoc({ name: "app", environment: [{ value: TOKEN }] }));
    expect(result.findings).toEqual([
      { address: TASK, message: `container "app" environment  holds ${GITHUB_TOKEN_KIND} (ghp_…(40 chars))`, fix: credentialFix("") },
    ]);
  });

  it("reads only string values (ECS rejects any other), so a list holding a token is not taken for one", () => {
    expect(resultOf("task-no-plaintext-secrets", taskDoc({ name: "app", environment: [{ name: "REGISTRY", value: [TOKEN] }] })).status).toBe("pass");
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------------------------------

const serviceDoc = (services: Record<string, TerraformBlock>): TerraformDocument => ({ resource: { aws_ecs_service: services } });

describe("service-no-public-ip", () => {
  const finding = (name: string) => ({
    address: `aws_ecs_service.${name}`,
    message: "network_configuration.assign_public_ip is true: tasks are reachable from the internet (subject to their security group)",
    fix: 'use private subnets with NAT (network.natGateways "single" or "per-az")',
  });

  it("fails a service if any of its network configurations assigns a public IP", () => {
    const result = resultOf(
      "service-no-public-ip",
      serviceDoc({
        public: { network_configuration: { assign_public_ip: true } },
        mixed: { network_configuration: [{ assign_public_ip: false }, { assign_public_ip: "true" }] },
        private: { network_configuration: [{ assign_public_ip: false }] },
        bridge: { launch_type: "EC2" },
      }),
    );
    expect(result.findings).toEqual([finding("public"), finding("mixed")]);
  });

  it("passes a service without network_configuration", () => {
    expect(resultOf("service-no-public-ip", serviceDoc({ bridge: { launch_type: "EC2" } })).status).toBe("pass");
  });
});

describe("fargate-platform-latest", () => {
  const pinned = (name: string, version: string) => ({
    address: `aws_ecs_service.${name}`,
    message: `platform_version is ${JSON.stringify(version)}: pinned platforms miss security patches`,
    fix: 'set platform_version = "LATEST"',
  });

  it("fails a pinned Fargate platform and passes LATEST or no platform_version", () => {
    const result = resultOf(
      "fargate-platform-latest",
      serviceDoc({
        pinned: { launch_type: "FARGATE", platform_version: "1.4.0" },
        latest: { launch_type: "FARGATE", platform_version: "LATEST" },
        unset: { launch_type: "FARGATE" },
      }),
    );
    expect(result.findings).toEqual([pinned("pinned", "1.4.0")]);
  });

  it.each(["FARGATE", "FARGATE_SPOT"])("counts a service on the %s capacity provider as Fargate", (provider) => {
    const doc = serviceDoc({ svc: { capacity_provider_strategy: [{ capacity_provider: provider, weight: 1 }], platform_version: "1.3.0" } });
    expect(verdict(resultOf("fargate-platform-latest", doc))).toEqual({ status: "fail", findings: [pinned("svc", "1.3.0")] });
  });

  it("counts a service as Fargate when one of several capacity providers is", () => {
    const doc = serviceDoc({
      svc: { capacity_provider_strategy: [{ capacity_provider: "orders-ec2" }, { capacity_provider: "FARGATE_SPOT" }], platform_version: "1.3.0" },
    });
    expect(resultOf("fargate-platform-latest", doc).findings).toEqual([pinned("svc", "1.3.0")]);
  });

  it.each(["orders-ec2", "MY_FARGATE", "FARGATE_SPOT_2", "FARGATEX", "FARGATE_"])(
    "does not take capacity provider %s (not exactly FARGATE or FARGATE_SPOT) for Fargate",
    (provider) => {
      const doc = serviceDoc({ svc: { capacity_provider_strategy: [{ capacity_provider: provider }], platform_version: "1.3.0" } });
      expect(verdict(resultOf("fargate-platform-latest", doc))).toEqual({ status: "n/a", findings: [], notApplicable: "no Fargate service" });
    },
  );

  it("does not apply to a service with neither a launch type nor a capacity provider strategy", () => {
    const doc = serviceDoc({ svc: { platform_version: "1.3.0" } });
    expect(verdict(resultOf("fargate-platform-latest", doc))).toEqual({ status: "n/a", findings: [], notApplicable: "no Fargate service" });
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// ECS Exec
// ---------------------------------------------------------------------------------------------------------------------

const LOGGED_FIX = 'set logging = "OVERRIDE" with a log_configuration naming a CloudWatch log group (ghcr-ecs does for a service with exec: true)';
const CMK_FIX = 'use encryption.mode "create-cmk" or "existing-key": ghcr-ecs then encrypts the sessions and their log with that key';
const execDoc = (clusters: Record<string, TerraformBlock>, services: Record<string, TerraformBlock>): TerraformDocument => ({
  resource: { aws_ecs_cluster: clusters, aws_ecs_service: services },
});
const withExec = (execute_command_configuration: TerraformBlock) => ({ name: "orders", configuration: { execute_command_configuration } });
const notLogged = (services: string, logging: string) =>
  `services ${services} enable ECS Exec, but the cluster's execute_command_configuration logs them nowhere of its own (logging ${logging}, no log group or bucket)`;

describe("ECS Exec: which cluster a service runs on", () => {
  it("checks only the clusters that services with exec reference, by exact cluster address", () => {
    const doc = execDoc(
      { main: { name: "main" }, main_blue: { name: "blue" } },
      {
        api: { name: "api", cluster: "${aws_ecs_cluster.main_blue.arn}", enable_execute_command: true },
        worker: { name: "worker", cluster: "${aws_ecs_cluster.main_blue.id}", enable_execute_command: "true" },
        web: { name: "web", cluster: "${aws_ecs_cluster.main.arn}", enable_execute_command: false },
      },
    );
    expect(resultOf("ecs-exec-sessions-logged", doc).findings).toEqual([
      { address: "aws_ecs_cluster.main_blue", message: notLogged('"api", "worker"', '"DEFAULT"'), fix: LOGGED_FIX },
    ]);
  });

  it("attributes a service that names no cluster to the stack's only cluster", () => {
    const doc = execDoc({ main: { name: "main" } }, { api: { name: "api", enable_execute_command: true } });
    expect(resultOf("ecs-exec-sessions-logged", doc).findings).toEqual([
      { address: "aws_ecs_cluster.main", message: notLogged('"api"', '"DEFAULT"'), fix: LOGGED_FIX },
    ]);
  });

  it("attributes a service that names no cluster to none of several clusters", () => {
    const doc = execDoc({ a: { name: "a" }, b: { name: "b" } }, { api: { name: "api", enable_execute_command: true } });
    expect(verdict(resultOf("ecs-exec-sessions-logged", doc))).toEqual({ status: "pass", findings: [] });
  });
});

describe("ecs-exec-sessions-logged", () => {
  const run = (cluster: TerraformBlock) =>
    resultOf(
      "ecs-exec-sessions-logged",
      execDoc({ main: cluster }, { api: { name: "api", cluster: "${aws_ecs_cluster.main.arn}", enable_execute_command: true } }),
    );

  it.each<[string, TerraformBlock]>([
    ["a CloudWatch log group", { logging: "OVERRIDE", log_configuration: { cloud_watch_log_group_name: "/ecs/orders" } }],
    ["an S3 bucket", { logging: "OVERRIDE", log_configuration: { s3_bucket_name: "orders-exec-logs" } }],
  ])("passes logging OVERRIDE to %s", (_what, exec) => {
    expect(run(withExec(exec)).status).toBe("pass");
  });

  it.each<[string, TerraformBlock, string]>([
    ["no configuration", { name: "orders" }, '"DEFAULT"'],
    ["logging DEFAULT beside a log group", withExec({ logging: "DEFAULT", log_configuration: { cloud_watch_log_group_name: "/ecs/orders" } }), '"DEFAULT"'],
    ["logging OVERRIDE without a log configuration", withExec({ logging: "OVERRIDE" }), '"OVERRIDE"'],
    [
      "logging OVERRIDE with a log configuration naming no destination",
      withExec({ logging: "OVERRIDE", log_configuration: { s3_key_prefix: "exec" } }),
      '"OVERRIDE"',
    ],
    ["logging NONE", withExec({ logging: "NONE" }), '"NONE"'],
  ])("fails a cluster with %s", (_what, cluster, logging) => {
    expect(verdict(run(cluster))).toEqual({
      status: "fail",
      findings: [{ address: "aws_ecs_cluster.main", message: notLogged('"api"', logging), fix: LOGGED_FIX }],
    });
  });
});

describe("ecs-exec-sessions-cmk", () => {
  const run = (cluster: TerraformBlock) =>
    resultOf(
      "ecs-exec-sessions-cmk",
      execDoc({ main: cluster }, { api: { name: "api", cluster: "${aws_ecs_cluster.main.arn}", enable_execute_command: true } }),
    );
  const missing = (what: string) => [
    { address: "aws_ecs_cluster.main", message: `services "api" enable ECS Exec; the cluster's execute_command_configuration has ${what}`, fix: CMK_FIX },
  ];

  it("passes a session key with encrypted CloudWatch logs (true also as a string)", () => {
    const key = "${aws_kms_key.key.arn}";
    expect(run(withExec({ kms_key_id: key, log_configuration: { cloud_watch_encryption_enabled: true } })).status).toBe("pass");
    expect(run(withExec({ kms_key_id: key, log_configuration: { cloud_watch_encryption_enabled: "true" } })).status).toBe("pass");
  });

  it.each<[string, TerraformBlock, string]>([
    ["no configuration", { name: "orders" }, "no kms_key_id for the session and cloud_watch_encryption_enabled is not true"],
    ["no log configuration", withExec({ kms_key_id: "${aws_kms_key.key.arn}" }), "cloud_watch_encryption_enabled is not true"],
    [
      "unencrypted logs",
      withExec({ kms_key_id: "${aws_kms_key.key.arn}", log_configuration: { cloud_watch_encryption_enabled: false } }),
      "cloud_watch_encryption_enabled is not true",
    ],
    ["no session key", withExec({ log_configuration: { cloud_watch_encryption_enabled: true } }), "no kms_key_id for the session"],
  ])("fails a cluster with %s", (_what, cluster, what) => {
    expect(verdict(run(cluster))).toEqual({ status: "fail", findings: missing(what) });
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Launch templates
// ---------------------------------------------------------------------------------------------------------------------

const templateDoc = (templates: Record<string, TerraformBlock>): TerraformDocument => ({ resource: { aws_launch_template: templates } });

describe("launch-template-imdsv2", () => {
  const finding = (name: string, tokens: string) => ({
    address: `aws_launch_template.${name}`,
    message: `metadata_options.http_tokens is ${tokens}: IMDSv1 lets any SSRF read the instance role's credentials`,
    fix: 'set metadata_options { http_tokens = "required" }',
  });

  it("fails optional or unset tokens, and passes required tokens or a disabled endpoint", () => {
    const result = resultOf(
      "launch-template-imdsv2",
      templateDoc({
        optional: { metadata_options: { http_endpoint: "enabled", http_tokens: "optional" } },
        unset: {},
        required: { metadata_options: { http_endpoint: "enabled", http_tokens: "required" } },
        required_list: { metadata_options: [{ http_tokens: "required" }] },
        disabled: { metadata_options: { http_endpoint: "disabled", http_tokens: "optional" } },
      }),
    );
    expect(result.findings).toEqual([finding("optional", '"optional"'), finding("unset", "null")]);
  });
});

describe("launch-template-hop-limit", () => {
  const unset = {
    message: "metadata_options.http_put_response_hop_limit is not set: instances get the AMI's default (2 on Amazon Linux 2023), so containers can reach IMDS",
    fix: "set http_put_response_hop_limit = 1",
  };
  const two = {
    message: "metadata_options.http_put_response_hop_limit is 2: containers in bridge network mode can fetch the instance role's credentials",
    fix: "set it to 1 (awsvpc tasks get credentials from the task role endpoint), or declare a waiver naming the bridge-mode workload that needs IMDS",
  };
  const far = (limit: number) => ({
    message: `metadata_options.http_put_response_hop_limit is ${limit}: IMDS answers far beyond the instance`,
    fix: unset.fix,
  });
  const hopResult = (metadata_options: TerraformBlock | undefined) => resultOf("launch-template-hop-limit", templateDoc({ lt: { metadata_options } }));

  it.each<[string, TerraformBlock | undefined, { message: string; fix: string }[]]>([
    ["no metadata options", undefined, [unset]],
    ["no hop limit", { http_tokens: "required" }, [unset]],
    ["hop limit 1", { http_put_response_hop_limit: 1 }, []],
    ["hop limit 2", { http_put_response_hop_limit: 2 }, [two]],
    ['hop limit "2"', { http_put_response_hop_limit: "2" }, [two]],
    ["hop limit 3", { http_put_response_hop_limit: 3 }, [far(3)]],
    ["hop limit 64", { http_put_response_hop_limit: "64" }, [far(64)]],
    ...(
      [
        ["a hop limit from a variable", "${var.hop_limit}"],
        ["hop limit 0", 0],
        ["a fractional hop limit", 1.5],
      ] as const
    ).map(([label, limit]): [string, TerraformBlock, { message: string; fix: string }[]] => [
      `${label} (fails closed)`,
      { http_put_response_hop_limit: limit },
      [
        {
          message: `metadata_options.http_put_response_hop_limit is ${JSON.stringify(limit)}, which the gate cannot read as a hop count: it may let containers reach IMDS`,
          fix: "set http_put_response_hop_limit = 1 (a literal, so the gate can check it)",
        },
      ],
    ]),
    ["a disabled endpoint with hop limit 2", { http_endpoint: "disabled", http_put_response_hop_limit: 2 }, []],
    ["a disabled endpoint without hop limit", { http_endpoint: "disabled" }, []],
  ])("judges %s", (_what, options, findings) => {
    expect(hopResult(options).findings).toEqual(findings.map((f) => ({ address: "aws_launch_template.lt", ...f })));
  });
});

describe("user-data-no-credentials", () => {
  const fix =
    'user data is readable by anyone with ec2:DescribeLaunchTemplateVersions: keep ec2.registryAuth "task", or "agent-dockercfg", which fetches the secret at boot; revoke the exposed credential';
  const problemsIn = (script: string) => {
    const result = resultOf("user-data-no-credentials", templateDoc({ lt: { user_data: base64(script) } }));
    for (const finding of result.findings) {
      expect([finding.address, finding.message.startsWith("user_data "), finding.fix]).toEqual(["aws_launch_template.lt", true, fix]);
    }
    return result.findings.map((f) => f.message.slice("user_data ".length));
  };
  const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"; // 40 characters

  it("does not apply without a launch template that has user data, and checks only those that do", () => {
    expect(verdict(resultOf("user-data-no-credentials", templateDoc({ lt: { image_id: "ami-1" } })))).toEqual({
      status: "n/a",
      findings: [],
      notApplicable: "no launch template with user data",
    });
    const doc = templateDoc({ bare: { image_id: "ami-1" }, leaky: { user_data: base64("DB_PASSWORD=hunter22\n") } });
    expect(resultOf("user-data-no-credentials", doc).findings).toEqual([
      { address: "aws_launch_template.leaky", message: "user_data sets DB_PASSWORD to a literal (hunt…(8 chars))", fix },
    ]);
  });

  it("reports user data it cannot read", () => {
    const doc = templateDoc({ lt: { user_data: '${base64encode(templatefile("boot.sh", {}))}' } });
    expect(resultOf("user-data-no-credentials", doc).findings).toEqual([
      {
        address: "aws_launch_template.lt",
        message: "user_data cannot be inspected: the script is read from a file at plan time (file()/templatefile())",
        fix: "render the script inline (base64encode of a literal string) so it can be checked",
      },
    ]);
  });

  it("names a literal auth in ECS_ENGINE_AUTH_DATA, with spaces around the =", () => {
    expect(problemsIn('ECS_ENGINE_AUTH_DATA = {"ghcr.io":{"auth":"dTpzM2NyZXQ="}}\n')).toEqual([
      'ECS_ENGINE_AUTH_DATA carries a literal "auth" (dTpz…(12 chars))',
    ]);
  });

  it("reports a literal ECS_ENGINE_AUTH_DATA password once, not again as a password assignment", () => {
    expect(problemsIn('ECS_ENGINE_AUTH_DATA={"ghcr.io":{"username":"u","password":"hunter22"}}\n')).toEqual([
      'ECS_ENGINE_AUTH_DATA carries a literal "password" (hunt…(8 chars))',
    ]);
  });

  it("reports a password assignment beside another credential", () => {
    expect(problemsIn(`GITHUB=${TOKEN}\nDB_PASSWORD=hunter22\n`)).toEqual([`contains ${GITHUB_TOKEN_KIND}`, "sets DB_PASSWORD to a literal (hunt…(8 chars))"]);
  });

  it.each<[string, string, string]>([
    ["a name that continues after PASSWORD", "MASTER_PASSWORD_VALUE=Hunter2024\n", "sets MASTER_PASSWORD_VALUE to a literal (Hunt…(10 chars))"],
    ["a quoted JSON key", '{"db_password": "hunter22"}\n', "sets db_password to a literal (hunt…(8 chars))"],
    ["spaces around the =", "[client]\npassword = hunter22\n", "sets password to a literal (hunt…(8 chars))"],
    ["passwd", "ROOT_PASSWD=hunter22\n", "sets ROOT_PASSWD to a literal (hunt…(8 chars))"],
    ["a name with a digit after PASSWORD", "DB_PASSWORD2=hunter22\n", "sets DB_PASSWORD2 to a literal (hunt…(8 chars))"],
    ["a name with a digit before PASSWORD", "DB2_PASSWORD=hunter22\n", "sets DB2_PASSWORD to a literal (hunt…(8 chars))"],
  ])("finds a literal password in %s", (_what, script, problem) => {
    expect(problemsIn(script)).toEqual([problem]);
  });

  it("lets a password filled in at boot from a shell expansion pass", () => {
    expect(problemsIn('DB_PASSWORD="$(aws ssm get-parameter --name db --query Parameter.Value --output text)"\nPASSWORD=$DB_PASSWORD\n')).toEqual([]);
  });

  it.each([
    ["unquoted, no spaces", `aws_secret_access_key=${SECRET_KEY}\n`],
    ["quoted, spaces around the =", `aws_secret_access_key = "${SECRET_KEY}"\n`],
    ["upper case, with a colon", `AWS_SECRET_ACCESS_KEY: '${SECRET_KEY}'\n`],
  ])("finds a literal aws_secret_access_key (%s)", (_what, script) => {
    expect(problemsIn(script)).toEqual(["sets aws_secret_access_key to a literal"]);
  });

  it("does not take a value shorter than 40 characters for a secret access key", () => {
    expect(problemsIn(`aws_secret_access_key=${SECRET_KEY.slice(1)}\n`)).toEqual([]);
  });

  it.each(["registry_token_ro", "db_password", "app_secret_arn_value", "ghcr_credential"])("reports the interpolated variable var.%s", (name) => {
    expect(problemsIn(`echo "\${var.${name}}" > /etc/app.conf\n`)).toEqual([`interpolates var.${name}, which lands in the launch template and the state`]);
  });
});

describe("launch-template-ebs-encrypted", () => {
  const fix = "set ebs { encrypted = true } (optionally kms_key_id)";
  const ebsResult = (block_device_mappings: unknown) => resultOf("launch-template-ebs-encrypted", templateDoc({ lt: { block_device_mappings } }));

  it("fails a template without block device mappings", () => {
    expect(ebsResult(undefined).findings).toEqual([
      {
        address: "aws_launch_template.lt",
        message: "no block_device_mappings: the root volume is encrypted only if the account's EBS default encryption is on",
        fix: 'declare the root device with ebs { encrypted = true, volume_type = "gp3" }',
      },
    ]);
  });

  it("fails every mapping whose EBS volume is not encrypted, naming its device", () => {
    const result = ebsResult([
      { device_name: "/dev/xvda", ebs: { encrypted: "true", volume_type: "gp3" } },
      { device_name: "/dev/xvdb", ebs: { encrypted: false } },
      { ebs: { volume_size: 100 } },
      { device_name: "/dev/xvdc", ebs: [{ encrypted: true }, { encrypted: false }] },
      { device_name: "/dev/sdb", virtual_name: "ephemeral0" },
    ]);
    expect(result.findings).toEqual([
      { address: "aws_launch_template.lt", message: 'block device "/dev/xvdb" has ebs.encrypted false', fix },
      { address: "aws_launch_template.lt", message: 'block device "?" has ebs.encrypted null', fix },
      { address: "aws_launch_template.lt", message: 'block device "/dev/xvdc" has ebs.encrypted true', fix },
    ]);
  });

  it("passes encrypted EBS volumes beside an instance store volume", () => {
    expect(
      ebsResult([
        { device_name: "/dev/xvda", ebs: { encrypted: true } },
        { device_name: "/dev/sdb", virtual_name: "ephemeral0" },
      ]).status,
    ).toBe("pass");
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Auto Scaling groups
// ---------------------------------------------------------------------------------------------------------------------

const asgDoc = (groups: Record<string, TerraformBlock>): TerraformDocument => ({ resource: { aws_autoscaling_group: groups } });

describe("asg-uses-launch-template", () => {
  const fix = "use launch_template { id, version } (or a mixed_instances_policy with a launch template)";

  it("fails a group on a launch configuration or on nothing, and passes a launch template directly or in a mixed instances policy", () => {
    const result = resultOf(
      "asg-uses-launch-template",
      asgDoc({
        legacy: { launch_configuration: "orders-lc-2024" },
        nothing: { min_size: 1 },
        direct: { launch_template: { id: "${aws_launch_template.lt.id}", version: "$Latest" } },
        mixed: {
          mixed_instances_policy: { launch_template: { launch_template_specification: { launch_template_id: "${aws_launch_template.lt.id}" } } },
        },
      }),
    );
    expect(result.findings).toEqual([
      { address: "aws_autoscaling_group.legacy", message: "uses launch_configuration orders-lc-2024 (deprecated; no IMDSv2 or gp3 settings)", fix },
      { address: "aws_autoscaling_group.nothing", message: "names no launch template", fix },
    ]);
  });
});

describe("asg-propagates-tags", () => {
  const finding = (name: string) => ({
    address: `aws_autoscaling_group.${name}`,
    message: "no tag with propagate_at_launch = true: instances start untagged (no owner, no cost allocation)",
    fix: 'add tag { key = "Name", value = "<name>-ecs", propagate_at_launch = true } (and the config tags)',
  });

  it("passes a group with one propagated tag among others, in tag or tags, and fails one without", () => {
    const result = resultOf(
      "asg-propagates-tags",
      asgDoc({
        some: {
          tag: [
            { key: "Name", value: "orders-ecs", propagate_at_launch: "true" },
            { key: "Team", value: "core", propagate_at_launch: false },
          ],
        },
        plural: { tags: [{ key: "Name", value: "orders-ecs", propagate_at_launch: true }] },
        unpropagated: { tag: { key: "Name", value: "orders-ecs", propagate_at_launch: false } },
        untagged: { min_size: 1 },
      }),
    );
    expect(result.findings).toEqual([finding("unpropagated"), finding("untagged")]);
  });
});
