import { POLICY_RULES } from "../../../src/policy-gate/rules/index";
import { LOAD_BALANCER_RULES } from "../../../src/policy-gate/rules/load-balancer";
import { ENCRYPTION_AND_LOG_RULES } from "../../../src/policy-gate/rules/encryption-and-logs";
import { runPolicyGate, STRICT_EXPECTATIONS, type RuleResult } from "../../../src/policy-gate/gate";
import { type PolicyExpectations, type PolicyRule } from "../../../src/policy-gate/types";
import type { TerraformBlock, TerraformDocument } from "../../../src/terraform/document";

function resultOf(ruleId: string, doc: TerraformDocument, expectations: PolicyExpectations = STRICT_EXPECTATIONS): RuleResult {
  const rule = POLICY_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return runPolicyGate({ stacks: [{ name: "fixture", document: doc }], rules: [rule], expectations }).stacks[0].rules[0];
}

/** The rule's verdict on a hand-made document of these resources (type -> name -> block). */
function verdict(ruleId: string, resource: Record<string, Record<string, TerraformBlock>>) {
  const result = resultOf(ruleId, { resource });
  return { status: result.status, findings: result.findings, notApplicable: result.notApplicable };
}

const PASS = { status: "pass", findings: [] };
const notApplicable = (why: string) => ({ status: "n/a", findings: [], notApplicable: why });
const failing = (...findings: { address: string; message: string; fix: string }[]) => ({ status: "fail", findings });

/** What the report and the waivers know a rule by. */
const identityOf = (rule: PolicyRule) => ({
  id: rule.id,
  title: rule.title,
  checkov: rule.checkov,
  trivy: rule.trivy,
  severity: rule.severity,
  resourceTypes: rule.resourceTypes,
});

describe("rule identities", () => {
  it("names the load-balancer rules' titles, severities, scanned types and the checkov/trivy IDs a waiver may use", () => {
    expect(LOAD_BALANCER_RULES.map(identityOf)).toEqual([
      {
        id: "alb-drops-invalid-headers",
        title: "Application load balancers drop invalid HTTP header fields",
        checkov: ["CKV_AWS_131"],
        trivy: ["AVD-AWS-0052"],
        severity: "high",
        resourceTypes: ["aws_lb"],
      },
      {
        id: "http-redirects-to-https",
        title: "HTTP listeners redirect to HTTPS",
        checkov: ["CKV_AWS_2", "CKV2_AWS_20"],
        trivy: ["AVD-AWS-0054"],
        severity: "high",
        resourceTypes: ["aws_lb_listener"],
      },
      {
        id: "tls-policy-1-2",
        title: "HTTPS listeners use a TLS 1.2+ security policy",
        checkov: ["CKV_AWS_103"],
        trivy: ["AVD-AWS-0047"],
        severity: "high",
        resourceTypes: ["aws_lb_listener"],
      },
      {
        id: "target-group-health-check-path",
        title: "HTTP target groups health-check an explicit path",
        checkov: ["CKV_AWS_261"],
        trivy: [],
        severity: "medium",
        resourceTypes: ["aws_lb_target_group"],
      },
      {
        id: "alb-not-public",
        title: "Load balancers are internal",
        checkov: [],
        trivy: ["AVD-AWS-0053"],
        severity: "medium",
        resourceTypes: ["aws_lb"],
      },
      {
        id: "alb-deletion-protection",
        title: "Load balancers have deletion protection",
        checkov: ["CKV_AWS_150"],
        trivy: [],
        severity: "low",
        resourceTypes: ["aws_lb"],
      },
      {
        id: "alb-access-logs",
        title: "Load balancers write access logs",
        checkov: ["CKV_AWS_91"],
        trivy: [],
        severity: "low",
        resourceTypes: ["aws_lb"],
      },
    ]);
  });

  it("names the encryption and log rules' titles, severities, scanned types and the checkov/trivy IDs a waiver may use", () => {
    expect(ENCRYPTION_AND_LOG_RULES.map(identityOf)).toEqual([
      {
        id: "secret-uses-cmk",
        title: "Secrets Manager secrets are encrypted with a customer-managed KMS key",
        checkov: ["CKV_AWS_149"],
        trivy: ["AVD-AWS-0098"],
        severity: "medium",
        resourceTypes: ["aws_secretsmanager_secret"],
      },
      {
        id: "secret-rotation",
        title: "Secrets Manager secrets rotate automatically",
        checkov: ["CKV2_AWS_57", "CKV_AWS_304"],
        trivy: [],
        severity: "low",
        resourceTypes: ["aws_secretsmanager_secret"],
      },
      {
        id: "kms-key-rotation",
        title: "Customer-managed KMS keys rotate",
        checkov: ["CKV_AWS_7"],
        trivy: ["AVD-AWS-0065"],
        severity: "medium",
        resourceTypes: ["aws_kms_key"],
      },
      {
        id: "log-group-retention",
        title: "CloudWatch log groups expire their logs",
        checkov: ["CKV_AWS_66"],
        trivy: [],
        severity: "low",
        resourceTypes: ["aws_cloudwatch_log_group"],
      },
      {
        id: "log-group-retention-one-year",
        title: "CloudWatch log groups keep logs for at least a year",
        checkov: ["CKV_AWS_338"],
        trivy: [],
        severity: "low",
        resourceTypes: ["aws_cloudwatch_log_group"],
      },
      {
        id: "log-group-cmk",
        title: "CloudWatch log groups are encrypted with a customer-managed KMS key",
        checkov: ["CKV_AWS_158"],
        trivy: ["AVD-AWS-0017"],
        severity: "low",
        resourceTypes: ["aws_cloudwatch_log_group"],
      },
      {
        id: "cluster-container-insights",
        title: "ECS clusters have Container Insights on",
        checkov: ["CKV_AWS_65"],
        trivy: ["AVD-AWS-0034"],
        severity: "low",
        resourceTypes: ["aws_ecs_cluster"],
      },
    ]);
  });
});

describe("alb-drops-invalid-headers", () => {
  const rule = "alb-drops-invalid-headers";
  const fix = "set drop_invalid_header_fields = true";

  it("does not apply to a stack whose only load balancer is a network load balancer", () => {
    expect(verdict(rule, { aws_lb: { nlb: { load_balancer_type: "network" } } })).toEqual(notApplicable("no application load balancer"));
  });

  it("treats a load balancer without load_balancer_type as an application load balancer", () => {
    expect(verdict(rule, { aws_lb: { alb: { internal: true } } })).toEqual(
      failing({
        address: "aws_lb.alb",
        message: "drop_invalid_header_fields is null: malformed headers reach the application (request smuggling)",
        fix,
      }),
    );
  });

  it("reports only the application load balancer of a stack that also has a network one", () => {
    expect(
      verdict(rule, {
        aws_lb: { alb: { load_balancer_type: "application", drop_invalid_header_fields: "false" }, nlb: { load_balancer_type: "network" } },
      }),
    ).toEqual(
      failing({
        address: "aws_lb.alb",
        message: 'drop_invalid_header_fields is "false": malformed headers reach the application (request smuggling)',
        fix,
      }),
    );
  });

  it.each([true, "true"])("passes an application load balancer with drop_invalid_header_fields = %j", (value) => {
    expect(verdict(rule, { aws_lb: { alb: { drop_invalid_header_fields: value } } })).toEqual(PASS);
  });
});

describe("http-redirects-to-https", () => {
  const rule = "http-redirects-to-https";
  const noHttpsFix =
    "set loadBalancer.certificateArn (adds HTTPS and turns port 80 into a 301 redirect), or declare a waiver whose reason says why plain HTTP is acceptable here";
  const redirectFix = 'make the default action a redirect { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }';
  const forward = { type: "forward", target_group_arn: "${aws_lb_target_group.tg.arn}" };
  const httpListener = (block: TerraformBlock) => ({
    aws_lb_listener: { http: { load_balancer_arn: "${aws_lb.alb.arn}", port: 80, protocol: "HTTP", ...block } },
  });

  it("treats a listener without protocol as plain HTTP on port 80 when it sets no port", () => {
    expect(verdict(rule, { aws_lb_listener: { http: { load_balancer_arn: "${aws_lb.alb.arn}", default_action: [forward] } } })).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 80 serves plain HTTP (default action: forward) and there is no HTTPS listener",
        fix: noHttpsFix,
      }),
    );
  });

  it("names the listener's own port and 'none' when it has no default action", () => {
    expect(verdict(rule, { aws_lb_listener: { http: { load_balancer_arn: "${aws_lb.alb.arn}", port: 8080, protocol: "HTTP" } } })).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 8080 serves plain HTTP (default action: none) and there is no HTTPS listener",
        fix: noHttpsFix,
      }),
    );
  });

  it("asks for a redirect when the same load balancer has an HTTPS listener, listing every default action", () => {
    expect(
      verdict(rule, {
        aws_lb_listener: {
          http: { load_balancer_arn: "${aws_lb.alb.arn}", port: 8080, protocol: "http", default_action: [{ type: "authenticate-oidc" }, forward] },
          https: { load_balancer_arn: "${aws_lb.alb.arn}", port: 443, protocol: "https", default_action: [forward] },
        },
      }),
    ).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 8080 serves plain HTTP (default action: authenticate-oidc, forward) although the load balancer has an HTTPS listener",
        fix: redirectFix,
      }),
    );
  });

  it("names port 80 for a listener without port beside an HTTPS listener", () => {
    expect(
      verdict(rule, {
        aws_lb_listener: {
          http: { load_balancer_arn: "${aws_lb.alb.arn}", protocol: "HTTP", default_action: forward },
          https: { load_balancer_arn: "${aws_lb.alb.arn}", port: 443, protocol: "HTTPS", default_action: forward },
        },
      }),
    ).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 80 serves plain HTTP (default action: forward) although the load balancer has an HTTPS listener",
        fix: redirectFix,
      }),
    );
  });

  it("does not count an HTTPS listener of another load balancer", () => {
    expect(
      verdict(rule, {
        aws_lb_listener: {
          http: { load_balancer_arn: "${aws_lb.a.arn}", port: 80, protocol: "HTTP", default_action: forward },
          https: { load_balancer_arn: "${aws_lb.b.arn}", port: 443, protocol: "HTTPS", default_action: forward },
        },
      }),
    ).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 80 serves plain HTTP (default action: forward) and there is no HTTPS listener",
        fix: noHttpsFix,
      }),
    );
  });

  it.each([
    ["an object redirect block", { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    ["a list redirect block", { type: "redirect", redirect: [{ protocol: "HTTPS", port: "443", status_code: "HTTP_301" }] }],
    ["a lower-case protocol", { type: "redirect", redirect: { protocol: "https" } }],
  ])("passes an HTTP listener that redirects to HTTPS with %s", (_what, action) => {
    expect(verdict(rule, httpListener({ default_action: [action] }))).toEqual(PASS);
  });

  it("passes an HTTP listener whose redirect to HTTPS follows another default action", () => {
    expect(
      verdict(
        rule,
        httpListener({
          default_action: [
            { type: "authenticate-cognito", order: 1 },
            { type: "redirect", order: 2, redirect: { protocol: "HTTPS" } },
          ],
        }),
      ),
    ).toEqual(PASS);
  });

  it("fails a redirect to plain HTTP", () => {
    expect(verdict(rule, httpListener({ default_action: [{ type: "redirect", redirect: { protocol: "HTTP", port: "8080" } }] }))).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 80 serves plain HTTP (default action: redirect) and there is no HTTPS listener",
        fix: noHttpsFix,
      }),
    );
  });

  it("fails a redirect action without a redirect block", () => {
    expect(verdict(rule, httpListener({ default_action: [{ type: "redirect" }] }))).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 80 serves plain HTTP (default action: redirect) and there is no HTTPS listener",
        fix: noHttpsFix,
      }),
    );
  });

  it("does not take a redirect block on a forward action for a redirect", () => {
    expect(verdict(rule, httpListener({ default_action: [{ ...forward, redirect: { protocol: "HTTPS" } }] }))).toEqual(
      failing({
        address: "aws_lb_listener.http",
        message: "port 80 serves plain HTTP (default action: forward) and there is no HTTPS listener",
        fix: noHttpsFix,
      }),
    );
  });

  it("passes listeners that are not HTTP (HTTPS, TCP)", () => {
    expect(
      verdict(rule, {
        aws_lb_listener: {
          https: { load_balancer_arn: "${aws_lb.alb.arn}", port: 443, protocol: "HTTPS", default_action: forward },
          tcp: { load_balancer_arn: "${aws_lb.nlb.arn}", port: 80, protocol: "TCP", default_action: forward },
        },
      }),
    ).toEqual(PASS);
  });
});

describe("tls-policy-1-2", () => {
  const rule = "tls-policy-1-2";
  const TLS_1_2_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  ];
  const fix = `set ssl_policy to one of ${TLS_1_2_POLICIES.join(", ")} (we default to ELBSecurityPolicy-TLS13-1-2-2021-06)`;
  const listener = (protocol: string, sslPolicy?: string) => ({
    aws_lb_listener: { tls: { load_balancer_arn: "${aws_lb.lb.arn}", port: 443, protocol, ...(sslPolicy === undefined ? {} : { ssl_policy: sslPolicy }) } },
  });

  it.each(TLS_1_2_POLICIES)("passes an HTTPS listener with %s", (policy) => {
    expect(verdict(rule, listener("HTTPS", policy))).toEqual(PASS);
  });

  it("passes a TLS (network load balancer) listener with a TLS 1.2+ policy", () => {
    expect(verdict(rule, listener("TLS", "ELBSecurityPolicy-TLS13-1-2-2021-06"))).toEqual(PASS);
  });

  it("fails a TLS (network load balancer) listener with a policy that accepts TLS 1.0", () => {
    expect(verdict(rule, listener("TLS", "ELBSecurityPolicy-TLS-1-0-2015-04"))).toEqual(
      failing({ address: "aws_lb_listener.tls", message: 'ssl_policy "ELBSecurityPolicy-TLS-1-0-2015-04" is not a TLS 1.2+ policy', fix }),
    );
  });

  it("fails a policy name that only starts with an allowed one", () => {
    expect(verdict(rule, listener("https", "ELBSecurityPolicy-TLS13-1-2-2021-06-legacy"))).toEqual(
      failing({ address: "aws_lb_listener.tls", message: 'ssl_policy "ELBSecurityPolicy-TLS13-1-2-2021-06-legacy" is not a TLS 1.2+ policy', fix }),
    );
  });

  it("fails an HTTPS listener without ssl_policy, naming the provider default", () => {
    expect(verdict(rule, listener("HTTPS"))).toEqual(
      failing({
        address: "aws_lb_listener.tls",
        message: "ssl_policy is not set: the provider default ELBSecurityPolicy-2016-08 accepts TLS 1.0 and 1.1",
        fix,
      }),
    );
  });

  it("does not apply to a stack with only plain HTTP listeners", () => {
    expect(verdict(rule, { aws_lb_listener: { http: { port: 80, protocol: "HTTP" }, other: { port: 81 } } })).toEqual(
      notApplicable("no HTTPS or TLS listener"),
    );
  });
});

describe("target-group-health-check-path", () => {
  const rule = "target-group-health-check-path";
  const noPath = (address: string) => ({
    address,
    message: 'health_check.path is not set (AWS checks "/", which Spring Boot may not serve)',
    fix: 'set health_check.path (ours: healthCheck.path, default "/actuator/health")',
  });

  it("treats a target group without protocol as HTTP and fails it when it has no health_check block", () => {
    expect(verdict(rule, { aws_lb_target_group: { tg: { port: 8080 } } })).toEqual(failing(noPath("aws_lb_target_group.tg")));
  });

  it.each(["HTTP", "HTTPS", "http", "https"])("fails a %s target group whose health check has no path", (protocol) => {
    expect(verdict(rule, { aws_lb_target_group: { tg: { protocol, health_check: { enabled: true } } } })).toEqual(failing(noPath("aws_lb_target_group.tg")));
  });

  it("fails an empty health-check path", () => {
    expect(verdict(rule, { aws_lb_target_group: { tg: { protocol: "HTTP", health_check: [{ path: "" }] } } })).toEqual(
      failing(noPath("aws_lb_target_group.tg")),
    );
  });

  it("fails a disabled health check even when it names a path", () => {
    expect(verdict(rule, { aws_lb_target_group: { tg: { protocol: "HTTP", health_check: { enabled: false, path: "/actuator/health" } } } })).toEqual(
      failing({
        address: "aws_lb_target_group.tg",
        message: "health_check.enabled is false: failing tasks keep receiving traffic",
        fix: 'enable the health check with path = "/actuator/health"',
      }),
    );
  });

  it("passes an HTTP target group that health-checks an explicit path", () => {
    expect(verdict(rule, { aws_lb_target_group: { tg: { protocol: "HTTP", health_check: { path: "/actuator/health" } } } })).toEqual(PASS);
  });

  it.each([
    ["TCP", { protocol: "TCP", port: 80 }],
    ["Lambda", { target_type: "lambda" }],
    ["HTTP Lambda", { target_type: "lambda", protocol: "HTTP" }],
  ])("does not apply to a stack whose only target group is a %s one", (_what, block) => {
    expect(verdict(rule, { aws_lb_target_group: { tg: block } })).toEqual(notApplicable("no HTTP target group"));
  });

  it("reports only the HTTP target group beside TCP and Lambda ones", () => {
    expect(
      verdict(rule, {
        aws_lb_target_group: { tcp: { protocol: "TCP" }, fn: { target_type: "lambda" }, web: { protocol: "HTTP", target_type: "ip" } },
      }),
    ).toEqual(failing(noPath("aws_lb_target_group.web")));
  });
});

describe("alb-not-public", () => {
  it("fails an internet-facing load balancer and passes an internal one", () => {
    expect(verdict("alb-not-public", { aws_lb: { public: { internal: false }, private: { internal: "true" } } })).toEqual(
      failing({
        address: "aws_lb.public",
        message: "internal is false: the load balancer is internet-facing",
        fix: 'set loadBalancer.scheme = "internal", or declare a waiver when the service is meant to be public',
      }),
    );
  });
});

describe("alb-deletion-protection", () => {
  const fix = "set loadBalancer.deletionProtection = true for production, or declare a waiver for environments that are destroyed routinely";

  it("names the provider default false when deletion protection is not set", () => {
    expect(verdict("alb-deletion-protection", { aws_lb: { alb: {} } })).toEqual(
      failing({ address: "aws_lb.alb", message: "enable_deletion_protection is false", fix }),
    );
  });

  it("names the value as rendered when it is the string false", () => {
    expect(verdict("alb-deletion-protection", { aws_lb: { alb: { enable_deletion_protection: "false" } } })).toEqual(
      failing({ address: "aws_lb.alb", message: 'enable_deletion_protection is "false"', fix }),
    );
  });

  it.each([true, "true"])("passes enable_deletion_protection = %j", (value) => {
    expect(verdict("alb-deletion-protection", { aws_lb: { alb: { enable_deletion_protection: value } } })).toEqual(PASS);
  });
});

describe("alb-access-logs", () => {
  const rule = "alb-access-logs";
  const finding = {
    address: "aws_lb.alb",
    message: "access_logs is not enabled: requests are not recorded",
    fix: "add access_logs { bucket = <S3 bucket with the ELB log-delivery policy>, enabled = true }, or declare a waiver",
  };

  it.each([
    ["without enabled (the provider enables a block with a bucket)", { bucket: "alb-logs" }],
    ["with enabled = true", { bucket: "alb-logs", enabled: true }],
    ['with enabled = "true"', [{ bucket: "alb-logs", enabled: "true" }]],
  ])("passes an access_logs block %s", (_what, accessLogs) => {
    expect(verdict(rule, { aws_lb: { alb: { access_logs: accessLogs } } })).toEqual(PASS);
  });

  it.each([
    ["without access_logs", {}],
    ["with access_logs disabled", { access_logs: { bucket: "alb-logs", enabled: false } }],
  ])("fails a load balancer %s", (_what, block) => {
    expect(verdict(rule, { aws_lb: { alb: block } })).toEqual(failing(finding));
  });
});

describe("customer-managed key rules", () => {
  const fix = 'set encryption.mode to "create-cmk" or "existing-key"';

  it.each([
    ["secret-uses-cmk", "aws_secretsmanager_secret", "the AWS-managed key aws/secretsmanager encrypts the secret"],
    ["log-group-cmk", "aws_cloudwatch_log_group", "CloudWatch's own key encrypts the logs"],
  ])("%s fails a missing or empty kms_key_id and passes a set one", (rule, type, withoutKey) => {
    expect(verdict(rule, { [type]: { unset: {}, empty: { kms_key_id: "" }, keyed: { kms_key_id: "${aws_kms_key.k.arn}" } } })).toEqual(
      failing(
        { address: `${type}.unset`, message: `kms_key_id is not set: ${withoutKey}`, fix },
        { address: `${type}.empty`, message: `kms_key_id is not set: ${withoutKey}`, fix },
      ),
    );
  });
});

describe("secret-rotation", () => {
  it("fails a secret that no rotation refers to and passes the rotated one", () => {
    expect(
      verdict("secret-rotation", {
        aws_secretsmanager_secret: { rotated: {}, static: {} },
        aws_secretsmanager_secret_rotation: { r: { secret_id: "${aws_secretsmanager_secret.rotated.id}" } },
      }),
    ).toEqual(
      failing({
        address: "aws_secretsmanager_secret.static",
        message: "no aws_secretsmanager_secret_rotation refers to this secret",
        fix: "add a rotation Lambda, or declare a waiver: a registry token (GitHub PAT) cannot be rotated by AWS and is rotated by bumping credentials.version",
      }),
    );
  });
});

describe("kms-key-rotation", () => {
  const rule = "kms-key-rotation";
  const fix = "set enable_key_rotation = true (yearly, no downtime, old material stays for decryption)";

  it.each(["RSA_2048", "ECC_NIST_P256", "HMAC_256"])("does not apply to a stack whose only key is a %s key", (spec) => {
    expect(verdict(rule, { aws_kms_key: { k: { customer_master_key_spec: spec } } })).toEqual(
      notApplicable("no symmetric KMS key (only those support rotation)"),
    );
  });

  it("reports only the symmetric keys without rotation, naming the default false", () => {
    expect(
      verdict(rule, {
        aws_kms_key: {
          implicit: {},
          explicit: { customer_master_key_spec: "SYMMETRIC_DEFAULT", enable_key_rotation: "false" },
          rotated: { enable_key_rotation: true },
          signing: { customer_master_key_spec: "RSA_2048" },
        },
      }),
    ).toEqual(
      failing(
        { address: "aws_kms_key.implicit", message: "enable_key_rotation is false", fix },
        { address: "aws_kms_key.explicit", message: 'enable_key_rotation is "false"', fix },
      ),
    );
  });
});

describe("log-group-retention", () => {
  const rule = "log-group-retention";
  const fix = "set logRetentionDays (default 30)";

  it("fails retention 0 (never expire) and an unset retention", () => {
    expect(verdict(rule, { aws_cloudwatch_log_group: { zero: { retention_in_days: 0 }, unset: {} } })).toEqual(
      failing(
        { address: "aws_cloudwatch_log_group.zero", message: "retention_in_days is 0: logs are kept forever", fix },
        { address: "aws_cloudwatch_log_group.unset", message: "retention_in_days is null: logs are kept forever", fix },
      ),
    );
  });

  it.each([1, 30, "30"])("passes retention_in_days = %j", (days) => {
    expect(verdict(rule, { aws_cloudwatch_log_group: { g: { retention_in_days: days } } })).toEqual(PASS);
  });
});

describe("log-group-retention-one-year", () => {
  const rule = "log-group-retention-one-year";

  it.each([1, 30, 364])("fails a retention of %j days", (days) => {
    expect(verdict(rule, { aws_cloudwatch_log_group: { g: { retention_in_days: days } } })).toEqual(
      failing({
        address: "aws_cloudwatch_log_group.g",
        message: `retention_in_days is ${days} (< 365)`,
        fix: "set logRetentionDays to 365 or more where an audit requires it, or declare a waiver (application logs rarely need a year)",
      }),
    );
  });

  it.each([
    ["365 days", { retention_in_days: 365 }],
    ["3653 days", { retention_in_days: 3653 }],
    ["retention 0 (never expire: log-group-retention's finding)", { retention_in_days: 0 }],
    ["an unset retention (log-group-retention's finding)", {}],
  ])("passes %s", (_what, block) => {
    expect(verdict(rule, { aws_cloudwatch_log_group: { g: block } })).toEqual(PASS);
  });
});

describe("cluster-container-insights", () => {
  const rule = "cluster-container-insights";
  const fix = "set containerInsights = true in the config";
  const cluster = (setting: unknown) => ({ aws_ecs_cluster: { c: { name: "c", setting } } });

  it.each(["enabled", "enhanced"])("passes containerInsights = %s", (value) => {
    expect(verdict(rule, cluster([{ name: "containerInsights", value }]))).toEqual(PASS);
  });

  it("fails a disabled setting listed after another setting, naming the containerInsights value", () => {
    expect(
      verdict(
        rule,
        cluster([
          { name: "other", value: "x" },
          { name: "containerInsights", value: "disabled" },
        ]),
      ),
    ).toEqual(failing({ address: "aws_ecs_cluster.c", message: 'containerInsights is "disabled"', fix }));
  });

  it("does not take another setting's value enabled for Container Insights", () => {
    expect(verdict(rule, cluster({ name: "somethingElse", value: "enabled" }))).toEqual(
      failing({ address: "aws_ecs_cluster.c", message: "no containerInsights setting (off by default)", fix }),
    );
  });

  it("fails a cluster without settings", () => {
    expect(verdict(rule, { aws_ecs_cluster: { c: { name: "c" } } })).toEqual(
      failing({ address: "aws_ecs_cluster.c", message: "no containerInsights setting (off by default)", fix }),
    );
  });
});
