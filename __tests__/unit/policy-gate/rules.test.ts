import { gzipSync } from "node:zlib";
import { POLICY_RULES } from "../../../src/policy-gate/rules/index";
import { expectationsFromConfig, runPolicyGate, STRICT_EXPECTATIONS, type RuleResult } from "../../../src/policy-gate/gate";
import { type PolicyExpectations } from "../../../src/policy-gate/types";
import type { TerraformDocument } from "../../../src/terraform/document";
import { STACK_VARIANTS } from "../../helpers/configs";
import { loadConfigFile } from "../../../src/config/load";
import { environmentsOf } from "../../../src/config/model";
import {
  addEc2Capacity,
  addResource,
  addressOf,
  base64,
  BOOT_TIME_AUTH_SCRIPT,
  editContainer,
  editPolicy,
  fargateDocument,
  first,
  hclQuoted,
  HTTPS_INTERNAL,
  MIRROR,
  NO_NAT,
  REFERENCE,
  setDataSources,
  synthesizeCached,
  synthesizeVariant,
} from "./fixtures";
import { asBlock, blockList, type ContainerDefinitionJson } from "../../helpers/synth";
import { match } from "../../helpers/matchers";

function resultOf(ruleId: string, doc: TerraformDocument, expectations: PolicyExpectations = STRICT_EXPECTATIONS): RuleResult {
  const rule = POLICY_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return runPolicyGate({ stacks: [{ name: "fixture", document: doc }], rules: [rule], expectations }).stacks[0].rules[0];
}

const lb = (doc: TerraformDocument) => first(doc, "aws_lb");
const httpListener = (doc: TerraformDocument) => first(doc, "aws_lb_listener", (l) => l.port === 80);
const httpsListener = (doc: TerraformDocument) => first(doc, "aws_lb_listener", (l) => l.protocol === "HTTPS");
const executionPolicy = (doc: TerraformDocument) => first(doc, "aws_iam_role_policy");
const taskDefinition = (doc: TerraformDocument) => first(doc, "aws_ecs_task_definition");
const launchTemplate = (doc: TerraformDocument) => first(doc, "aws_launch_template");
const asg = (doc: TerraformDocument) => first(doc, "aws_autoscaling_group");
const container = (doc: TerraformDocument, edit: (c: ContainerDefinitionJson) => void) => editContainer(taskDefinition(doc), edit);
const ec2Stack = (userData?: string) => {
  const doc = fargateDocument(REFERENCE);
  addEc2Capacity(doc, userData);
  return doc;
};
const dockerAuthScript = 'ECS_ENGINE_AUTH_TYPE=docker\nECS_ENGINE_AUTH_DATA={"ghcr.io":{"username":"u","password":"p"}}\n';

interface Case {
  readonly rule: string;
  readonly what: string;
  /** The variant whose Fargate stack the fixture starts from. */
  readonly from?: string;
  readonly mutate: (doc: TerraformDocument) => void;
  /** The offending resource's address type and what the message must name. */
  readonly addressType: string;
  readonly message: RegExp;
}

const FAILING_FIXTURES: Case[] = [
  {
    rule: "alb-drops-invalid-headers",
    what: "drop_invalid_header_fields=false",
    mutate: (d) => (lb(d).drop_invalid_header_fields = false),
    addressType: "aws_lb",
    message: /drop_invalid_header_fields is false/,
  },
  {
    rule: "alb-drops-invalid-headers",
    what: "drop_invalid_header_fields unset",
    mutate: (d) => delete lb(d).drop_invalid_header_fields,
    addressType: "aws_lb",
    message: /drop_invalid_header_fields is null/,
  },
  {
    rule: "http-redirects-to-https",
    what: "HTTP forwards beside an HTTPS listener",
    from: HTTPS_INTERNAL,
    mutate: (d) => (httpListener(d).default_action = [{ type: "forward", target_group_arn: "${aws_lb_target_group.x.arn}" }]),
    addressType: "aws_lb_listener",
    message: /port 80 serves plain HTTP \(default action: forward\) although the load balancer has an HTTPS listener/,
  },
  {
    rule: "http-redirects-to-https",
    what: "plain HTTP without a certificate",
    mutate: () => undefined,
    addressType: "aws_lb_listener",
    message: /serves plain HTTP .* and there is no HTTPS listener/,
  },
  {
    rule: "tls-policy-1-2",
    what: "ELBSecurityPolicy-2016-08",
    from: HTTPS_INTERNAL,
    mutate: (d) => (httpsListener(d).ssl_policy = "ELBSecurityPolicy-2016-08"),
    addressType: "aws_lb_listener",
    message: /ssl_policy "ELBSecurityPolicy-2016-08" is not a TLS 1.2\+ policy/,
  },
  {
    rule: "tls-policy-1-2",
    what: "ssl_policy unset",
    from: HTTPS_INTERNAL,
    mutate: (d) => delete httpsListener(d).ssl_policy,
    addressType: "aws_lb_listener",
    message: /provider default ELBSecurityPolicy-2016-08 accepts TLS 1.0/,
  },
  {
    rule: "target-group-health-check-path",
    what: "no path",
    mutate: (d) => delete asBlock(first(d, "aws_lb_target_group").health_check).path,
    addressType: "aws_lb_target_group",
    message: /health_check.path is not set/,
  },
  {
    rule: "target-group-health-check-path",
    what: "health check disabled",
    mutate: (d) => (asBlock(first(d, "aws_lb_target_group").health_check).enabled = false),
    addressType: "aws_lb_target_group",
    message: /health_check.enabled is false/,
  },
  {
    rule: "alb-not-public",
    what: "internal=false",
    from: HTTPS_INTERNAL,
    mutate: (d) => (lb(d).internal = false),
    addressType: "aws_lb",
    message: /internet-facing/,
  },
  {
    rule: "alb-deletion-protection",
    what: "deletion protection off",
    mutate: (d) => (lb(d).enable_deletion_protection = false),
    addressType: "aws_lb",
    message: /enable_deletion_protection is false/,
  },
  {
    rule: "alb-access-logs",
    what: "access logs disabled",
    mutate: (d) => (lb(d).access_logs = { bucket: "logs", enabled: false }),
    addressType: "aws_lb",
    message: /access_logs is not enabled/,
  },
  {
    rule: "security-group-descriptions",
    what: "group without description",
    mutate: (d) => delete first(d, "aws_security_group").description,
    addressType: "aws_security_group",
    message: /description is null \(the provider sets "Managed by Terraform"\)/,
  },
  {
    rule: "security-group-descriptions",
    what: "rule without description",
    mutate: (d) => delete first(d, "aws_vpc_security_group_egress_rule", (r) => r.from_port === 443).description,
    addressType: "aws_vpc_security_group_egress_rule",
    message: /egress rule tcp 443 has no description/,
  },
  {
    rule: "security-group-descriptions",
    what: "inline rule without description",
    mutate: (d) => (first(d, "aws_security_group").ingress = [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"] }]),
    addressType: "aws_security_group",
    message: /ingress\[0\]: ingress rule tcp 22 has no description/,
  },
  {
    rule: "no-all-ports-egress-to-world",
    what: "protocol -1 to 0.0.0.0/0",
    mutate: (d) =>
      addResource(d, "aws_vpc_security_group_egress_rule", "all_out", {
        security_group_id: "${aws_security_group.x.id}",
        cidr_ipv4: "0.0.0.0/0",
        ip_protocol: "-1",
        description: "everything",
      }),
    addressType: "aws_vpc_security_group_egress_rule",
    message: /egress to 0.0.0.0\/0 on all protocols and ports/,
  },
  {
    rule: "no-all-ports-egress-to-world",
    what: "tcp 0-65535 to ::/0 inline",
    mutate: (d) => (first(d, "aws_security_group").egress = [{ protocol: "tcp", from_port: 0, to_port: 65535, ipv6_cidr_blocks: ["::/0"], description: "x" }]),
    addressType: "aws_security_group",
    message: /egress\[0\]: egress to ::\/0 on tcp 0-65535/,
  },
  {
    rule: "no-egress-to-world",
    what: "443 to 0.0.0.0/0 (trivy flags any port)",
    mutate: () => undefined,
    addressType: "aws_vpc_security_group_egress_rule",
    message: /egress to 0.0.0.0\/0 on tcp 443/,
  },
  {
    rule: "no-ingress-from-world",
    what: "ingress from ::/0",
    from: HTTPS_INTERNAL,
    mutate: (d) => (first(d, "aws_vpc_security_group_ingress_rule", (r) => r.cidr_ipv4 === "10.0.0.0/8").cidr_ipv6 = "::/0"),
    addressType: "aws_vpc_security_group_ingress_rule",
    message: /ingress from ::\/0 on tcp 443/,
  },
  {
    rule: "iam-no-wildcard-action",
    what: 'Action "*"',
    mutate: (d) =>
      editPolicy(executionPolicy(d), "policy", (p) => p.Statement.push({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "${aws_kms_key.k.arn}" })),
    addressType: "aws_iam_role_policy",
    message: /statement Everything allows "\*"/,
  },
  {
    rule: "iam-no-wildcard-action",
    what: 'Action "s3:*"',
    mutate: (d) =>
      editPolicy(executionPolicy(d), "policy", (p) => p.Statement.push({ Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: "arn:aws:s3:::b/*" })),
    addressType: "aws_iam_role_policy",
    message: /allows "s3:\*"/,
  },
  {
    rule: "iam-no-wildcard-action",
    what: "a policy that is not a JSON document",
    mutate: (d) => (executionPolicy(d).policy = "${jsonencode(local.policy)}"),
    addressType: "aws_iam_role_policy",
    message: /policy is a Terraform expression, not a JSON document/,
  },
  {
    rule: "iam-no-wildcard-resource",
    what: "GetSecretValue on *",
    mutate: (d) => editPolicy(executionPolicy(d), "policy", (p) => (p.Statement[0].Resource = "*")),
    addressType: "aws_iam_role_policy",
    message: /statement ReadRegistryAndContainerSecrets grants secretsmanager:GetSecretValue on "\*"/,
  },
  {
    rule: "iam-no-wildcard-resource",
    what: "a data-source document with * resources",
    mutate: (d) => {
      setDataSources(d, "aws_iam_policy_document", {
        doc: { statement: [{ effect: "Allow", actions: ["logs:PutLogEvents", "ecr:GetAuthorizationToken"], resources: ["*"] }] },
      });
      executionPolicy(d).policy = "${data.aws_iam_policy_document.doc.json}";
    },
    addressType: "aws_iam_role_policy",
    message: /grants logs:PutLogEvents on "\*"/,
  },
  {
    rule: "iam-trust-no-account-wide-principal",
    what: "account root principal",
    mutate: (d) => editPolicy(first(d, "aws_iam_role"), "assume_role_policy", (p) => (p.Statement[0].Principal = { AWS: "arn:aws:iam::123456789012:root" })),
    addressType: "aws_iam_role",
    message: /trusts arn:aws:iam::123456789012:root: every principal of that account/,
  },
  {
    rule: "iam-trust-no-account-wide-principal",
    what: "interpolated root ARN",
    mutate: (d) =>
      editPolicy(
        first(d, "aws_iam_role"),
        "assume_role_policy",
        (p) => (p.Statement[0].Principal = { AWS: ["arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.account.account_id}:root"] }),
      ),
    addressType: "aws_iam_role",
    message: /:root: every principal of that account/,
  },
  {
    rule: "iam-trust-no-account-wide-principal",
    what: 'Principal "*"',
    mutate: (d) => editPolicy(first(d, "aws_iam_role"), "assume_role_policy", (p) => (p.Statement[0].Principal = "*")),
    addressType: "aws_iam_role",
    message: /trusts \*: every principal of every account/,
  },
  {
    rule: "separate-execution-and-task-roles",
    what: "one role for both",
    mutate: (d) => {
      const executionRole: unknown = taskDefinition(d).execution_role_arn;
      taskDefinition(d).task_role_arn = executionRole;
    },
    addressType: "aws_ecs_task_definition",
    message: /execution_role_arn and task_role_arn are both \$\{aws_iam_role\.execution-role/,
  },
  {
    rule: "secret-uses-cmk",
    what: "kms_key_id removed",
    mutate: (d) => delete first(d, "aws_secretsmanager_secret").kms_key_id,
    addressType: "aws_secretsmanager_secret",
    message: /kms_key_id is not set/,
  },
  {
    rule: "secret-rotation",
    what: "no rotation resource",
    mutate: () => undefined,
    addressType: "aws_secretsmanager_secret",
    message: /no aws_secretsmanager_secret_rotation refers to this secret/,
  },
  {
    rule: "kms-key-rotation",
    what: "rotation off",
    mutate: (d) => (first(d, "aws_kms_key").enable_key_rotation = false),
    addressType: "aws_kms_key",
    message: /enable_key_rotation is false/,
  },
  {
    rule: "log-group-retention",
    what: "retention removed",
    mutate: (d) => delete first(d, "aws_cloudwatch_log_group").retention_in_days,
    addressType: "aws_cloudwatch_log_group",
    message: /retention_in_days is null: logs are kept forever/,
  },
  {
    rule: "log-group-retention-one-year",
    what: "30 days",
    mutate: (d) => (first(d, "aws_cloudwatch_log_group").retention_in_days = 30),
    addressType: "aws_cloudwatch_log_group",
    message: /retention_in_days is 30 \(< 365\)/,
  },
  {
    rule: "log-group-cmk",
    what: "kms_key_id removed",
    mutate: (d) => delete first(d, "aws_cloudwatch_log_group").kms_key_id,
    addressType: "aws_cloudwatch_log_group",
    message: /kms_key_id is not set/,
  },
  {
    rule: "cluster-container-insights",
    what: "disabled",
    mutate: (d) => (first(d, "aws_ecs_cluster").setting = [{ name: "containerInsights", value: "disabled" }]),
    addressType: "aws_ecs_cluster",
    message: /containerInsights is "disabled"/,
  },
  {
    rule: "cluster-container-insights",
    what: "no setting",
    mutate: (d) => delete first(d, "aws_ecs_cluster").setting,
    addressType: "aws_ecs_cluster",
    message: /no containerInsights setting/,
  },
  {
    rule: "task-not-privileged",
    what: "privileged container",
    mutate: (d) => container(d, (c) => (c.privileged = true)),
    addressType: "aws_ecs_task_definition",
    message: /container "orders" has privileged: true/,
  },
  {
    rule: "task-no-host-pid",
    what: 'pid_mode "host"',
    mutate: (d) => (taskDefinition(d).pid_mode = "host"),
    addressType: "aws_ecs_task_definition",
    message: /pid_mode is "host"/,
  },
  {
    rule: "task-read-only-root-filesystem",
    what: "readonlyRootFilesystem unset",
    mutate: (d) => container(d, (c) => delete c.readonlyRootFilesystem),
    addressType: "aws_ecs_task_definition",
    message: /container "orders" has readonlyRootFilesystem null/,
  },
  {
    rule: "task-no-plaintext-secrets",
    what: "DB_PASSWORD in environment",
    mutate: (d) => container(d, (c) => c.environment.push({ name: "SPRING_DATASOURCE_PASSWORD", value: "hunter2" })),
    addressType: "aws_ecs_task_definition",
    message: /environment SPRING_DATASOURCE_PASSWORD looks like a secret/,
  },
  {
    rule: "task-no-plaintext-secrets",
    what: "API_KEY in environment",
    mutate: (d) => container(d, (c) => c.environment.push({ name: "API_KEY", value: "abc" })),
    addressType: "aws_ecs_task_definition",
    message: /environment API_KEY looks like a secret/,
  },
  {
    rule: "task-no-plaintext-secrets",
    what: "a GitHub token under an innocent name",
    mutate: (d) => container(d, (c) => c.environment.push({ name: "REGISTRY", value: `ghp_${"a1B2".repeat(9)}` })),
    addressType: "aws_ecs_task_definition",
    message: /environment REGISTRY holds a GitHub token .*\(ghp_…\(40 chars\)\)/,
  },
  {
    rule: "task-no-plaintext-secrets",
    what: "an AWS access key ID",
    mutate: (d) => container(d, (c) => c.environment.push({ name: "UPLOADS", value: "AKIAIOSFODNN7EXAMPLE" })),
    addressType: "aws_ecs_task_definition",
    message: /holds an AWS access key ID/,
  },
  {
    rule: "service-no-public-ip",
    what: "assign_public_ip=true",
    mutate: (d) => (asBlock(first(d, "aws_ecs_service").network_configuration).assign_public_ip = true),
    addressType: "aws_ecs_service",
    message: /assign_public_ip is true/,
  },
  {
    rule: "fargate-platform-latest",
    what: "pinned 1.4.0",
    mutate: (d) => (first(d, "aws_ecs_service").platform_version = "1.4.0"),
    addressType: "aws_ecs_service",
    message: /platform_version is "1.4.0"/,
  },
  {
    rule: "launch-template-imdsv2",
    what: "http_tokens optional",
    mutate: (d) => {
      addEc2Capacity(d);
      asBlock(launchTemplate(d).metadata_options).http_tokens = "optional";
    },
    addressType: "aws_launch_template",
    message: /http_tokens is "optional"/,
  },
  {
    rule: "launch-template-imdsv2",
    what: "no metadata_options",
    mutate: (d) => {
      addEc2Capacity(d);
      delete launchTemplate(d).metadata_options;
    },
    addressType: "aws_launch_template",
    message: /http_tokens is null/,
  },
  {
    rule: "launch-template-hop-limit",
    what: "hop limit 2",
    mutate: (d) => {
      addEc2Capacity(d);
      asBlock(launchTemplate(d).metadata_options).http_put_response_hop_limit = 2;
    },
    addressType: "aws_launch_template",
    message: /hop_limit is 2: containers in bridge network mode/,
  },
  {
    rule: "launch-template-hop-limit",
    what: "hop limit unset",
    mutate: (d) => {
      addEc2Capacity(d);
      delete asBlock(launchTemplate(d).metadata_options).http_put_response_hop_limit;
    },
    addressType: "aws_launch_template",
    message: /not set: instances get the AMI's default/,
  },
  {
    rule: "launch-template-hop-limit",
    what: "hop limit 64",
    mutate: (d) => {
      addEc2Capacity(d);
      asBlock(launchTemplate(d).metadata_options).http_put_response_hop_limit = 64;
    },
    addressType: "aws_launch_template",
    message: /hop_limit is 64/,
  },
  {
    rule: "user-data-no-credentials",
    what: "ECS_ENGINE_AUTH_DATA with a password, base64",
    mutate: (d) => addEc2Capacity(d, base64(dockerAuthScript)),
    addressType: "aws_launch_template",
    message: /ECS_ENGINE_AUTH_DATA carries a literal "password"/,
  },
  {
    rule: "user-data-no-credentials",
    what: "ECS_ENGINE_AUTH_DATA with a password, in ${base64encode(...)}",
    mutate: (d) => addEc2Capacity(d, `\${base64encode(${hclQuoted(`#!/bin/bash\nCLUSTER=\${aws_ecs_cluster.c.name}\n${dockerAuthScript}`)})}`),
    addressType: "aws_launch_template",
    message: /ECS_ENGINE_AUTH_DATA carries a literal "password"/,
  },
  {
    rule: "user-data-no-credentials",
    what: "a dockercfg auth literal, gzip",
    mutate: (d) => addEc2Capacity(d, gzipSync(Buffer.from(`ECS_ENGINE_AUTH_DATA={"ghcr.io":{"auth":"${base64("u:t")}"}}\n`)).toString("base64")),
    addressType: "aws_launch_template",
    message: /carries a literal "auth"/,
  },
  {
    rule: "user-data-no-credentials",
    what: "an AWS access key",
    mutate: (d) => addEc2Capacity(d, base64("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")),
    addressType: "aws_launch_template",
    message: /contains an AWS access key ID/,
  },
  {
    rule: "user-data-no-credentials",
    what: "a GitHub token in docker login",
    mutate: (d) => addEc2Capacity(d, base64(`echo ghp_${"x".repeat(36)} | docker login ghcr.io -u u --password-stdin\n`)),
    addressType: "aws_launch_template",
    message: /contains a GitHub token/,
  },
  {
    rule: "user-data-no-credentials",
    what: "a password assignment",
    mutate: (d) => addEc2Capacity(d, base64("REGISTRY_PASSWORD=s3cr3t\n")),
    addressType: "aws_launch_template",
    message: /sets REGISTRY_PASSWORD to a literal \(s3cr…\(6 chars\)\)/,
  },
  {
    rule: "user-data-no-credentials",
    what: "var.registry_token interpolated",
    mutate: (d) => addEc2Capacity(d, `\${base64encode("TOKEN=\${var.registry_token}\\n")}`),
    addressType: "aws_launch_template",
    message: /interpolates var.registry_token/,
  },
  {
    rule: "user-data-no-credentials",
    what: "var.registry_token joined in",
    mutate: (d) => addEc2Capacity(d, '${base64encode(join("", ["#!/bin/bash\\nTOKEN=", var.registry_token, "\\n"]))}'),
    addressType: "aws_launch_template",
    message: /interpolates var.registry_token/,
  },
  {
    rule: "user-data-no-credentials",
    what: "an expression Terraform rejects",
    mutate: (d) => addEc2Capacity(d, '${base64encode("jq \\(.password)")}'),
    addressType: "aws_launch_template",
    message: /does not parse: invalid escape sequence/,
  },
  {
    rule: "user-data-no-credentials",
    what: "a script from templatefile()",
    mutate: (d) => addEc2Capacity(d, '${base64encode(templatefile("user-data.sh", {}))}'),
    addressType: "aws_launch_template",
    message: /cannot be inspected: the script is read from a file/,
  },
  {
    rule: "launch-template-ebs-encrypted",
    what: "encrypted=false",
    mutate: (d) => {
      addEc2Capacity(d);
      asBlock(blockList(launchTemplate(d).block_device_mappings)[0].ebs).encrypted = "false";
    },
    addressType: "aws_launch_template",
    message: /block device "\/dev\/xvda" has ebs.encrypted "false"/,
  },
  {
    rule: "launch-template-ebs-encrypted",
    what: "no block device mappings",
    mutate: (d) => {
      addEc2Capacity(d);
      delete launchTemplate(d).block_device_mappings;
    },
    addressType: "aws_launch_template",
    message: /no block_device_mappings/,
  },
  {
    rule: "asg-uses-launch-template",
    what: "a launch configuration",
    mutate: (d) => {
      addEc2Capacity(d);
      delete asg(d).launch_template;
      asg(d).launch_configuration = "${aws_launch_configuration.lc.name}";
    },
    addressType: "aws_autoscaling_group",
    message: /uses launch_configuration/,
  },
  {
    rule: "asg-propagates-tags",
    what: "tags not propagated",
    mutate: (d) => {
      addEc2Capacity(d);
      asg(d).tag = [{ key: "Name", value: "x", propagate_at_launch: false }];
    },
    addressType: "aws_autoscaling_group",
    message: /no tag with propagate_at_launch = true/,
  },
  {
    rule: "ecs-exec-sessions-logged",
    what: "a service with exec on a cluster that does not log sessions",
    mutate: (d) => {
      first(d, "aws_ecs_service").enable_execute_command = true;
    },
    addressType: "aws_ecs_cluster",
    message:
      /^services "orders" enable ECS Exec, but the cluster's execute_command_configuration logs them nowhere of its own \(logging "DEFAULT", no log group or bucket\)$/,
  },
  {
    rule: "ecs-exec-sessions-logged",
    what: "exec sessions logged NONE",
    mutate: (d) => {
      first(d, "aws_ecs_service").enable_execute_command = true;
      first(d, "aws_ecs_cluster").configuration = { execute_command_configuration: { logging: "NONE" } };
    },
    addressType: "aws_ecs_cluster",
    message: /logging "NONE"/,
  },
  {
    rule: "ecs-exec-sessions-cmk",
    what: "exec sessions without a key",
    mutate: (d) => {
      first(d, "aws_ecs_service").enable_execute_command = true;
      first(d, "aws_ecs_cluster").configuration = {
        execute_command_configuration: { logging: "OVERRIDE", log_configuration: { cloud_watch_log_group_name: "/ecs/orders" } },
      };
    },
    addressType: "aws_ecs_cluster",
    message: /has no kms_key_id for the session and cloud_watch_encryption_enabled is not true$/,
  },
  {
    rule: "production-service-scales-and-alarms",
    what: "a production service at a fixed count",
    mutate: (d) => {
      delete d.resource!.aws_appautoscaling_target;
      delete d.resource!.aws_appautoscaling_policy;
    },
    addressType: "aws_ecs_service",
    message: /^service "orders" has no autoscaling \(a fixed 2 tasks\)$/,
  },
  {
    rule: "production-service-scales-and-alarms",
    what: "a production service without alarms",
    mutate: (d) => {
      delete d.resource!.aws_cloudwatch_metric_alarm;
    },
    addressType: "aws_ecs_service",
    message: /^service "orders" has no alarm watches it$/,
  },
  {
    rule: "github-oidc-trust-exact",
    what: "a role any branch of any repository of the organization can assume (StringLike repo:acme/*)",
    mutate: (d) => addGitHubRole(d, { StringEquals: { [AUD]: "sts.amazonaws.com" }, StringLike: { [SUB]: "repo:acme/*" } }),
    addressType: "aws_iam_role",
    message:
      /^assume_role_policy statement 0 matches token\.actions\.githubusercontent\.com:sub with StringLike \["repo:acme\/\*"\]: only StringEquals is exact$/,
  },
  {
    rule: "github-oidc-trust-exact",
    what: "a role trusted for a subject with a wildcard, without the audience",
    mutate: (d) => addGitHubRole(d, { StringEquals: { [SUB]: "repo:acme/infra:ref:refs/heads/*" } }),
    addressType: "aws_iam_role",
    message: /^assume_role_policy statement 0 requires token\.actions\.githubusercontent\.com:aud nowhere instead of StringEquals "sts\.amazonaws\.com"$/,
  },
];

const AUD = "token.actions.githubusercontent.com:aud";
const SUB = "token.actions.githubusercontent.com:sub";

/** Adds a role trusted by the account's GitHub OIDC provider under `condition`. */
function addGitHubRole(doc: TerraformDocument, condition: Record<string, Record<string, string>>): void {
  const roles = (doc.resource!.aws_iam_role ??= {});
  roles.github = {
    name: "orders-github",
    assume_role_policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: condition,
        },
      ],
    }),
  };
}

describe("github-oidc-trust-exact", () => {
  it("does not apply to a stack whose roles GitHub cannot assume", () => {
    expect(resultOf("github-oidc-trust-exact", fargateDocument(REFERENCE))).toMatchObject({ status: "n/a", notApplicable: "no role trusts GitHub Actions" });
  });

  it("passes one exact subject with our audience, and names every wildcard subject", () => {
    const exact = fargateDocument(REFERENCE);
    addGitHubRole(exact, { StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/infra:environment:production" } });
    expect(resultOf("github-oidc-trust-exact", exact).status).toBe("pass");
    const wildcard = fargateDocument(REFERENCE);
    addGitHubRole(wildcard, { StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/infra:*" } });
    expect(resultOf("github-oidc-trust-exact", wildcard).findings.map((f) => f.message)).toEqual([
      'assume_role_policy statement 0 trusts the subject "repo:acme/infra:*", which is not one exact repo:OWNER/NAME:<context> (no * or ?)',
    ]);
  });

  it("fails a role that trusts GitHub with no subject at all, whatever the audience", () => {
    const doc = fargateDocument(REFERENCE);
    addGitHubRole(doc, { StringEquals: { [AUD]: "sts.amazonaws.com" } });
    expect(resultOf("github-oidc-trust-exact", doc).findings.map((f) => f.message)).toEqual([
      "assume_role_policy statement 0 has no StringEquals on token.actions.githubusercontent.com:sub: every repository's workflows could assume the role",
    ]);
  });

  it("recognizes the provider by reference to the stack's own aws_iam_openid_connect_provider", () => {
    const doc = fargateDocument(REFERENCE);
    (doc.resource.aws_iam_openid_connect_provider ??= {}).github = {
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    };
    (doc.resource.aws_iam_role ??= {}).github = {
      assume_role_policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Federated: "${aws_iam_openid_connect_provider.github.arn}" }, Action: "sts:AssumeRoleWithWebIdentity" }],
      }),
    };
    expect(resultOf("github-oidc-trust-exact", doc).findings).toHaveLength(2);
  });
});

describe("every rule fails on a bad fixture", () => {
  it.each(FAILING_FIXTURES.map((c) => [c.rule, c.what, c] as const))("%s: %s", (_rule, _what, testCase) => {
    const doc = fargateDocument(testCase.from ?? REFERENCE);
    testCase.mutate(doc);
    const result = resultOf(testCase.rule, doc);
    expect(result.status).toBe("fail");
    const finding = result.findings.find((f) => testCase.message.test(f.message));
    expect(finding).toBeDefined();
    expect(finding!.address.startsWith(`${testCase.addressType}.`)).toBe(true);
    expect(doc.resource?.[testCase.addressType]?.[finding!.address.slice(testCase.addressType.length + 1)]).toBeDefined();
    expect(finding!.fix.length).toBeGreaterThan(10);
  });

  it("covers every rule of the gate", () => {
    const covered = new Set(FAILING_FIXTURES.map((c) => c.rule));
    expect(POLICY_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it("never prints the credential it found", () => {
    const token = `ghp_${"Z9y8".repeat(9)}`;
    const doc = fargateDocument(REFERENCE);
    container(doc, (c) => c.environment.push({ name: "REGISTRY", value: token }));
    addEc2Capacity(doc, base64(`ECS_ENGINE_AUTH_DATA={"ghcr.io":{"username":"u","password":"${token}"}}\n`));
    const report = JSON.stringify(runPolicyGate({ stacks: [{ name: "leaky", document: doc }] }));
    expect(report).toContain("ghp_");
    expect(report).not.toContain(token);
  });
});

describe("ECS Exec rules", () => {
  it("do not apply without a service that enables exec (checkov flags every cluster; a shell nobody can open needs no log)", () => {
    for (const rule of ["ecs-exec-sessions-logged", "ecs-exec-sessions-cmk"]) {
      expect(resultOf(rule, fargateDocument(REFERENCE))).toMatchObject({ status: "n/a", notApplicable: "no service enables ECS Exec" });
    }
  });

  it("pass what ghcr-ecs synthesizes for exec: true with a created key", () => {
    const doc = fargateDocument(REFERENCE);
    first(doc, "aws_ecs_service").enable_execute_command = true;
    first(doc, "aws_ecs_cluster").configuration = {
      execute_command_configuration: {
        kms_key_id: "${aws_kms_key.encryption_key_EEB70057.arn}",
        logging: "OVERRIDE",
        log_configuration: { cloud_watch_log_group_name: "/ecs/orders", cloud_watch_encryption_enabled: true },
      },
    };
    expect(resultOf("ecs-exec-sessions-logged", doc).status).toBe("pass");
    expect(resultOf("ecs-exec-sessions-cmk", doc).status).toBe("pass");
  });

  it("waive the key for AWS-managed encryption, by the config", () => {
    const doc = fargateDocument(REFERENCE);
    first(doc, "aws_ecs_service").enable_execute_command = true;
    expect(resultOf("ecs-exec-sessions-cmk", doc, { ...STRICT_EXPECTATIONS, customerManagedKey: false }).status).toBe("waived");
  });
});

describe("production-service-scales-and-alarms", () => {
  it("passes a service with its scalable target and its alarms (the defaults)", () => {
    expect(resultOf("production-service-scales-and-alarms", fargateDocument(REFERENCE)).status).toBe("pass");
  });

  it("counts an alarm on the service's target group alone as watching it", () => {
    const doc = fargateDocument(REFERENCE);
    for (const alarm of Object.values(doc.resource.aws_cloudwatch_metric_alarm)) {
      if (asBlock(alarm.dimensions ?? {}).ServiceName !== undefined) delete alarm.dimensions;
      delete alarm.metric_query;
    }
    expect(resultOf("production-service-scales-and-alarms", doc).status).toBe("pass");
  });

  it("names both gaps in one finding, and is waived by the config outside production", () => {
    const doc = fargateDocument(REFERENCE);
    delete doc.resource.aws_appautoscaling_target;
    delete doc.resource.aws_cloudwatch_metric_alarm;
    expect(resultOf("production-service-scales-and-alarms", doc).findings.map((f) => f.message)).toEqual([
      'service "orders" has no autoscaling (a fixed 2 tasks) and no alarm watches it',
    ]);
    const outside = resultOf("production-service-scales-and-alarms", doc, { ...STRICT_EXPECTATIONS, production: false });
    expect(outside.status).toBe("waived");
    expect(outside.findings[0].waiver).toMatchObject({ source: "config", reason: match.stringContaining('not marked "production": true') });
  });
});

describe("the same rules pass on good fixtures", () => {
  it.each<[string, string, (d: TerraformDocument) => void]>([
    ["http-redirects-to-https", "HTTP redirect beside HTTPS", () => undefined],
    ["tls-policy-1-2", "TLS13-1-2-2021-06", () => undefined],
    ["alb-not-public", "internal ALB", () => undefined],
    ["no-ingress-from-world", "ingress from private CIDRs only", () => undefined],
    ["alb-deletion-protection", "deletion protection on", (d) => (lb(d).enable_deletion_protection = true)],
    ["alb-access-logs", "access logs on", (d) => (lb(d).access_logs = { bucket: "alb-logs", enabled: true })],
    [
      "no-egress-to-world",
      "443 to a private range",
      (d) => (first(d, "aws_vpc_security_group_egress_rule", (r) => r.from_port === 443).cidr_ipv4 = "10.0.0.0/8"),
    ],
    [
      "iam-no-wildcard-resource",
      "actions that only accept *",
      (d) =>
        editPolicy(executionPolicy(d), "policy", (p) =>
          p.Statement.push({ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint", "ec2:DescribeInstances"], Resource: "*" }),
        ),
    ],
    [
      "secret-rotation",
      "a rotation resource",
      (d) =>
        addResource(d, "aws_secretsmanager_secret_rotation", "r", {
          secret_id: `\${${addressOf(d, "aws_secretsmanager_secret")}.id}`,
          rotation_lambda_arn: "arn:aws:lambda:us-east-1:123456789012:function:rotate",
          rotation_rules: { automatically_after_days: 30 },
        }),
    ],
    ["log-group-retention-one-year", "365 days", (d) => (first(d, "aws_cloudwatch_log_group").retention_in_days = 365)],
    ["task-read-only-root-filesystem", "readonlyRootFilesystem true", (d) => container(d, (c) => (c.readonlyRootFilesystem = true))],
    [
      "task-no-plaintext-secrets",
      "KEY not as the last word",
      (d) => container(d, (c) => c.environment.push({ name: "CACHE_KEY_PREFIX", value: "orders" }, { name: "MONKEY_MODE", value: "on" })),
    ],
    ["launch-template-imdsv2", "required tokens", (d) => addEc2Capacity(d)],
    ["launch-template-hop-limit", "hop limit 1", (d) => addEc2Capacity(d)],
    ["user-data-no-credentials", "secret fetched at boot (base64)", (d) => addEc2Capacity(d)],
    [
      "user-data-no-credentials",
      "secret fetched at boot (${base64encode(...)})",
      (d) => addEc2Capacity(d, `\${base64encode(${hclQuoted(BOOT_TIME_AUTH_SCRIPT)})}`),
    ],
    ["launch-template-ebs-encrypted", "encrypted gp3 root", (d) => addEc2Capacity(d)],
    ["asg-uses-launch-template", "launch template", (d) => addEc2Capacity(d)],
    [
      "asg-uses-launch-template",
      "mixed instances policy",
      (d) => {
        addEc2Capacity(d);
        delete asg(d).launch_template;
        asg(d).mixed_instances_policy = { launch_template: { launch_template_specification: { launch_template_id: "${aws_launch_template.t.id}" } } };
      },
    ],
    ["asg-propagates-tags", "propagated tags", (d) => addEc2Capacity(d)],
  ])("%s: %s", (ruleId, _what, mutate) => {
    const doc = fargateDocument(
      ruleId === "http-redirects-to-https" || ruleId === "tls-policy-1-2" || ruleId.startsWith("alb-not") || ruleId === "no-ingress-from-world"
        ? HTTPS_INTERNAL
        : REFERENCE,
    );
    mutate(doc);
    expect(resultOf(ruleId, doc).status).toBe("pass");
  });

  it("reports EC2 rules as n/a on a Fargate-only stack and Fargate rules as n/a without a Fargate service", () => {
    const fargate = fargateDocument(REFERENCE);
    expect(resultOf("launch-template-imdsv2", fargate)).toMatchObject({ status: "n/a", notApplicable: "no aws_launch_template in this stack" });
    expect(resultOf("asg-propagates-tags", fargate).status).toBe("n/a");
    const ec2Only = ec2Stack();
    const service = first(ec2Only, "aws_ecs_service");
    delete service.launch_type;
    delete service.platform_version;
    service.capacity_provider_strategy = [{ capacity_provider: "${aws_ecs_capacity_provider.cp.name}", weight: 1 }];
    expect(resultOf("fargate-platform-latest", ec2Only)).toMatchObject({ status: "n/a", notApplicable: "no Fargate service" });
  });
});

/**
 * Rules our own stacks fail today, by product decision still open; each needs a product change or a declared
 * waiver. Everything not listed here must pass (or be n/a) on every real stack.
 */
const OPEN_FINDINGS_BY_VARIANT: Record<string, string[]> = {
  [REFERENCE]: [
    "http-redirects-to-https",
    "alb-not-public",
    "alb-deletion-protection",
    "alb-access-logs",
    "no-egress-to-world",
    "no-ingress-from-world",
    "secret-rotation",
    "log-group-retention-one-year",
  ],
  [HTTPS_INTERNAL]: ["alb-deletion-protection", "alb-access-logs", "no-egress-to-world", "secret-rotation", "log-group-retention-one-year"],
  "existing VPC, existing secret and key, AWS-managed encryption": [
    "http-redirects-to-https",
    "alb-not-public",
    "alb-deletion-protection",
    "alb-access-logs",
    "no-egress-to-world",
    "no-ingress-from-world",
    "log-group-retention-one-year",
  ],
  [NO_NAT]: [
    "http-redirects-to-https",
    "alb-not-public",
    "alb-deletion-protection",
    "alb-access-logs",
    "no-egress-to-world",
    "no-ingress-from-world",
    "secret-rotation",
    "log-group-retention-one-year",
  ],
  // No no-egress-to-world: the tasks reach only the VPC endpoints and S3's prefix list. The cache's secret keeps
  // the AWS-managed key (ECR reads it through its service-linked role).
  [MIRROR]: [
    "http-redirects-to-https",
    "alb-not-public",
    "alb-deletion-protection",
    "alb-access-logs",
    "no-ingress-from-world",
    "secret-uses-cmk",
    "secret-rotation",
    "log-group-retention-one-year",
  ],
};

describe("our synthesized stacks", () => {
  it.each(Object.keys(STACK_VARIANTS))("%s: every other rule passes or is n/a", (label) => {
    const variant = synthesizeVariant(label);
    const result = runPolicyGate({ stacks: variant.stacks, expectations: variant.expectations });
    for (const stack of result.stacks) {
      const failing = stack.rules.filter((r) => r.status === "fail").map((r) => r.rule.id);
      expect({ stack: stack.stack, failing }).toEqual({ stack: stack.stack, failing: OPEN_FINDINGS_BY_VARIANT[label] });
    }
  });

  it("passes the reference variant with exactly the waivers config/reference-app.json declares, none of them stale", () => {
    const variant = synthesizeVariant(REFERENCE);
    const [reference] = environmentsOf(loadConfigFile("config/reference-app.json"));
    const declared = reference.policyWaivers;
    const result = runPolicyGate({ stacks: variant.stacks, expectations: variant.expectations, waivers: declared });
    expect(result.passed).toBe(true);
    expect(result.staleWaivers).toEqual([]);
    const waivedRules = new Set(result.stacks.flatMap((stack) => stack.rules.filter((r) => r.status === "waived").map((r) => r.rule.id)));
    expect([...waivedRules].sort()).toEqual(declared.map((w) => w.rule).sort());
  });

  it("passes config/examples/private-mirror.json with exactly its waivers, none about egress and none stale", () => {
    const [environment] = environmentsOf(loadConfigFile("config/examples/private-mirror.json"));
    const [stack] = synthesizeCached(loadConfigFile("config/examples/private-mirror.json"));
    const result = runPolicyGate({ stacks: [{ ...stack, waivers: environment.policyWaivers, expectations: expectationsFromConfig(environment) }] });
    expect(result.passed).toBe(true);
    expect(result.staleWaivers).toEqual([]);
    const statuses = Object.fromEntries(result.stacks[0].rules.map((r) => [r.rule.id, r.status]));
    expect(statuses["no-egress-to-world"]).toBe("pass");
    expect(environment.policyWaivers.map((w) => w.rule)).not.toContain("no-egress-to-world");
  });

  it("reports the config's deliberate choices as waived, with the config as reason", () => {
    const cheap = synthesizeVariant(NO_NAT);
    const publicIp = runPolicyGate({ stacks: cheap.stacks, expectations: cheap.expectations }).stacks[0].rules.find(
      (r) => r.rule.id === "service-no-public-ip",
    )!;
    expect(publicIp.status).toBe("waived");
    expect(publicIp.findings[0].waiver).toMatchObject({ source: "config", reason: match.stringMatching(/natGateways "none"/) });

    const awsManaged = synthesizeVariant("existing VPC, existing secret and key, AWS-managed encryption");
    const logCmk = runPolicyGate({ stacks: awsManaged.stacks, expectations: awsManaged.expectations }).stacks[0].rules.find(
      (r) => r.rule.id === "log-group-cmk",
    )!;
    expect(logCmk.status).toBe("waived");
    expect(logCmk.findings[0].waiver?.reason).toMatch(/encryption.mode is "aws-managed"/);
    // The same stack without the config's expectations: the missing CMK is a violation.
    expect(runPolicyGate({ stacks: awsManaged.stacks }).stacks[0].rules.find((r) => r.rule.id === "log-group-cmk")!.status).toBe("fail");
  });
});
