import { gzipSync } from "node:zlib";
import { configWaivers, expectationsFromConfig, runPolicyGate, type PolicyGateResult } from "../../../src/policy-gate/gate";
import { decodeUserData } from "../../../src/policy-gate/user-data";
import { formatPolicyReport, policyReportJson } from "../../../src/policy-gate/report";
import { parsePolicyWaivers, policyWaiversSchema, PolicyWaiverError, type PolicyWaiver } from "../../../src/policy-gate/waivers";
import { type PolicyRule } from "../../../src/policy-gate/types";
import { hclTemplateText } from "../../../src/policy-gate/user-data";
import { configWith } from "../../helpers/configs";
import { fargateDocument, first, REFERENCE } from "./fixtures";
import { match } from "../../helpers/matchers";

const ALB_PUBLIC_REASON = "orders is a public API; the ALB is internet-facing by design";

function referenceStack(name = "orders") {
  return { name, document: fargateDocument(REFERENCE) };
}

function ruleResult(result: ReturnType<typeof runPolicyGate>, id: string, stack = 0) {
  return result.stacks[stack].rules.find((r) => r.rule.id === id)!;
}

describe("waivers", () => {
  it("reports a waived finding as WAIVED with its reason, and the rule no longer fails the gate", () => {
    const result = runPolicyGate({ stacks: [referenceStack()], waivers: [{ rule: "alb-not-public", reason: ALB_PUBLIC_REASON }] });
    const rule = ruleResult(result, "alb-not-public");
    expect(rule.status).toBe("waived");
    expect(rule.findings).toEqual([
      expect.objectContaining({
        address: match.stringMatching(/^aws_lb\.load-balancer_alb_/),
        waiver: { rule: "alb-not-public", reason: ALB_PUBLIC_REASON, source: "declared" },
      }),
    ]);
    const report = formatPolicyReport(result);
    expect(report).toMatch(/^ {2}WAIVED {2}alb-not-public +checkov - \| trivy AVD-AWS-0053$/m);
    expect(report).toContain(`waived (waiver alb-not-public): ${ALB_PUBLIC_REASON}`);
  });

  it("matches by checkov or trivy ID, case-insensitively", () => {
    const result = runPolicyGate({
      stacks: [referenceStack()],
      waivers: [
        { rule: "ckv_aws_150", reason: "dev environment, destroyed nightly" },
        { rule: "AVD-AWS-0104", reason: "ghcr.io has no fixed address range" },
      ],
    });
    expect(ruleResult(result, "alb-deletion-protection").status).toBe("waived");
    expect(ruleResult(result, "no-egress-to-world").status).toBe("waived");
  });

  it("matches resource globs against the address, optionally prefixed with the stack", () => {
    const waive = (resource: string): string =>
      ruleResult(
        runPolicyGate({ stacks: [referenceStack()], waivers: [{ rule: "alb-access-logs", resource, reason: "logs go to the WAF instead" }] }),
        "alb-access-logs",
      ).status;
    expect(waive("aws_lb.*")).toBe("waived");
    expect(waive("orders/aws_lb.load-balancer_alb_*")).toBe("waived");
    expect(waive("aws_lb.other*")).toBe("fail");
    expect(waive("billing/aws_lb.*")).toBe("fail");
    expect(waive("aws_lb")).toBe("fail");
  });

  it("warns about a waiver that matches nothing, without failing the gate for it", () => {
    const stale: PolicyWaiver = { rule: "launch-template-imdsv2", resource: "aws_launch_template.*", reason: "bridge-mode daemon reads IMDS" };
    const result = runPolicyGate({ stacks: [referenceStack()], waivers: [stale, { rule: "alb-not-public", reason: ALB_PUBLIC_REASON }] });
    expect(result.staleWaivers).toEqual([stale]);
    expect(formatPolicyReport(result)).toContain(
      "warning: stale waiver launch-template-imdsv2 on aws_launch_template.* matched no finding (reason was: bridge-mode daemon reads IMDS); remove it",
    );
  });

  it("waives only the findings it matches: the rest still fail", () => {
    const doc = fargateDocument(REFERENCE);
    first(doc, "aws_lb").enable_deletion_protection = false;
    const result = runPolicyGate({
      stacks: [
        { name: "a", document: doc },
        { name: "b", document: fargateDocument(REFERENCE) },
      ],
      waivers: [{ rule: "CKV_AWS_150", resource: "a/*", reason: "stack a is a preview environment" }],
    });
    expect(ruleResult(result, "alb-deletion-protection", 0).status).toBe("waived");
    expect(ruleResult(result, "alb-deletion-protection", 1).status).toBe("fail");
  });

  it.each<[string, unknown, RegExp]>([
    ["no reason", [{ rule: "alb-not-public" }], /\[0\]\.reason: must say why the exception is accepted/],
    ["a blank reason", [{ rule: "alb-not-public", reason: "          " }], /\[0\]\.reason: must say why/],
    ["a too-short reason", [{ rule: "alb-not-public", reason: "public" }], /\[0\]\.reason: must say why the exception is accepted \(at least 10 characters\)/],
    [
      "an unknown rule",
      [{ rule: "CKV_AWS_9999", reason: "because we said so" }],
      /\[0\]\.rule: unknown rule "CKV_AWS_9999"; the gate knows: alb-drops-invalid-headers, CKV_AWS_131, AVD-AWS-0052/,
    ],
    [
      "an unknown key",
      [{ rule: "alb-not-public", reason: "public by design", expires: "2026" }],
      /\[0\]: unknown key "expires"; allowed keys: rule, resource, reason/,
    ],
    ["an empty resource", [{ rule: "alb-not-public", resource: "", reason: "public by design" }], /\[0\]\.resource: must not be empty/],
    ["not a list", { rule: "alb-not-public" }, /\(top level\): must be a list/],
  ])("rejects %s, naming the field", (_label, data, message) => {
    expect(() => parsePolicyWaivers(data, "waivers.json")).toThrow(PolicyWaiverError);
    expect(() => parsePolicyWaivers(data, "waivers.json")).toThrow(message);
  });

  it("exports a schema fragment for the config that defaults to no waivers", () => {
    expect(policyWaiversSchema.parse(undefined)).toEqual([]);
    expect(policyWaiversSchema.safeParse([{ rule: "alb-not-public" }]).success).toBe(false);
    expect(policyWaiversSchema.parse([{ rule: "AVD-AWS-0053", reason: ALB_PUBLIC_REASON }])).toEqual([{ rule: "AVD-AWS-0053", reason: ALB_PUBLIC_REASON }]);
  });
});

describe("config-derived expectations", () => {
  it.each<[string, object, { customerManagedKey: boolean; publicTaskIps: boolean; production: boolean }]>([
    ["created CMK, single NAT", {}, { customerManagedKey: true, publicTaskIps: false, production: false }],
    ["AWS-managed keys", { encryption: { mode: "aws-managed" } }, { customerManagedKey: false, publicTaskIps: false, production: false }],
    ["no NAT", { network: { mode: "create", natGateways: "none" } }, { customerManagedKey: true, publicTaskIps: true, production: false }],
    ["production", { production: true }, { customerManagedKey: true, publicTaskIps: false, production: true }],
    [
      "existing network with public IPs",
      {
        network: {
          mode: "existing",
          vpcId: "vpc-0123456789abcdef0",
          loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
          serviceSubnetIds: ["subnet-0123456789abcdef2"],
          assignPublicIp: true,
        },
      },
      { customerManagedKey: true, publicTaskIps: true, production: false },
    ],
  ])("%s", (_label, overrides, expected) => {
    expect(expectationsFromConfig(configWith(overrides))).toEqual(expected);
  });

  it("implies no waiver for the strict choices", () => {
    expect(configWaivers({ customerManagedKey: true, publicTaskIps: false, production: true })).toEqual([]);
    expect(configWaivers({ customerManagedKey: false, publicTaskIps: true, production: false }).map((w) => w.rule)).toEqual([
      "secret-uses-cmk",
      "log-group-cmk",
      "ecs-exec-sessions-cmk",
      "service-no-public-ip",
      "production-service-scales-and-alarms",
    ]);
  });
});

describe("the gate", () => {
  it("fails exactly when a finding is unwaived, counting per stack", () => {
    const failing = runPolicyGate({ stacks: [referenceStack()] });
    expect(failing.passed).toBe(false);
    expect(failing.violations).toBe(failing.stacks[0].rules.reduce((n, r) => n + r.findings.filter((f) => !f.waiver).length, 0));
    const counts = failing.stacks[0].counts;
    expect(counts.pass + counts.fail + counts.waived + counts["n/a"]).toBe(failing.stacks[0].rules.length);

    const waivers = failing.stacks[0].rules
      .filter((r) => r.status === "fail")
      .map((r) => ({ rule: r.rule.id, reason: `accepted for this test: ${r.rule.title}` }));
    const passing = runPolicyGate({ stacks: [referenceStack()], waivers });
    expect(passing).toMatchObject({ passed: true, violations: 0, staleWaivers: [] });
    expect(formatPolicyReport(passing)).toMatch(/\nPolicy gate passed\.\n$/);
    expect(formatPolicyReport(failing)).toContain(`Policy gate FAILED: ${failing.violations} unwaived findings.`);
  });

  it("turns a rule that throws into a failing finding instead of crashing", () => {
    const broken: PolicyRule = {
      id: "broken",
      title: "broken",
      checkov: [],
      trivy: [],
      severity: "low",
      resourceTypes: ["aws_lb"],
      check: () => {
        throw new Error("boom");
      },
    };
    const result = runPolicyGate({ stacks: [referenceStack()], rules: [broken] });
    expect(result.passed).toBe(false);
    expect(result.stacks[0].rules[0].findings[0].message).toBe("the rule could not evaluate this stack: boom");
  });

  it("refuses to pass with nothing to check", () => {
    expect(() => runPolicyGate({ stacks: [] })).toThrow(/at least one synthesized stack/);
  });

  it("prints a line per rule with its scanner IDs, findings with fixes, and per-stack counts", () => {
    const report = formatPolicyReport(runPolicyGate({ stacks: [referenceStack()] }));
    expect(report).toMatch(/^ {2}PASS {4}alb-drops-invalid-headers +checkov CKV_AWS_131 \| trivy AVD-AWS-0052$/m);
    expect(report).toMatch(/^ {2}n\/a {5}launch-template-imdsv2 +checkov CKV_AWS_79 \| trivy AVD-AWS-0130\n {10}\(no aws_launch_template in this stack\)$/m);
    expect(report).toMatch(
      /^ {2}FAIL {4}http-redirects-to-https +checkov CKV_AWS_2, CKV2_AWS_20 \| trivy AVD-AWS-0054\n {10}aws_lb_listener\.load-balancer_http_\w+: port 80 serves plain HTTP.*\n {12}fix: set loadBalancer\.certificateArn/m,
    );
    expect(report).toMatch(/^ {2}orders: \d+ pass, \d+ fail, 0 waived, 10 n\/a$/m);
  });

  it("has a JSON form with the same content", () => {
    const result = runPolicyGate({ stacks: [referenceStack()], waivers: [{ rule: "alb-not-public", reason: ALB_PUBLIC_REASON }] });
    const json = JSON.parse(policyReportJson(result)) as PolicyGateResult;
    expect(json.passed).toBe(false);
    expect(json.stacks[0].stack).toBe("orders");
    expect(json.stacks[0].rules.find((r) => r.rule.id === "alb-not-public")).toMatchObject({ status: "waived", rule: { trivy: ["AVD-AWS-0053"] } });
  });
});

describe("decodeUserData", () => {
  it('decodes base64, gzip inside base64, and base64encode("...") expressions', () => {
    expect(decodeUserData(Buffer.from("#!/bin/bash\necho hi\n").toString("base64"))).toEqual({ kind: "text", text: "#!/bin/bash\necho hi\n", from: "base64" });
    const gz = gzipSync(Buffer.from("echo zipped")).toString("base64");
    expect(decodeUserData(gz)).toEqual({ kind: "text", text: "echo zipped", from: "base64-gzip" });
    expect(decodeUserData('${base64encode("A=$${HOME}\\n\\"q\\" ${aws_ecs_cluster.c.name} %%{x}")}')).toEqual({
      kind: "text",
      text: 'A=${HOME}\n"q" ${aws_ecs_cluster.c.name} %{x}',
      from: "terraform-expression",
    });
  });

  it("keeps nested interpolations with quotes inside them intact, and renders joined references", () => {
    expect(hclTemplateText('join("", ["a ${jsonencode({"k":"v"})} b", "c"])')).toEqual({ text: 'a ${jsonencode({"k":"v"})} bc' });
    expect(hclTemplateText('join("", ["ARN=\'", aws_secretsmanager_secret.s_1A.arn, "\'\\n", var.registry_token])')).toEqual({
      text: "ARN='${aws_secretsmanager_secret.s_1A.arn}'\n${var.registry_token}",
    });
  });

  it("refuses expressions Terraform would not parse instead of guessing", () => {
    expect(hclTemplateText('"jq \\(.username)"')).toEqual({ error: "invalid escape sequence \\( at offset 4 (Terraform rejects it)" });
    expect(hclTemplateText('"a \\\\"b\\\\""')).toMatchObject({ error: match.stringMatching(/^unexpected "b/) });
    expect(hclTemplateText('"open')).toEqual({ error: "unterminated string literal" });
  });

  it("reports what it cannot see", () => {
    expect(decodeUserData('${base64encode(file("boot.sh"))}')).toMatchObject({ kind: "unreadable" });
    expect(decodeUserData("${local.user_data}")).toMatchObject({ kind: "unreadable" });
  });
});
