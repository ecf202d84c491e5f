import { gzipSync } from "node:zlib";
import { configWaivers, runPolicyGate, STRICT_EXPECTATIONS } from "../../../src/policy-gate/gate";
import { type Finding, type PolicyRule } from "../../../src/policy-gate/types";
import { decodeUserData, hclTemplateText } from "../../../src/policy-gate/user-data";
import type { TerraformDocument } from "../../../src/terraform/document";

const FROM_A_FILE = { kind: "unreadable", reason: "the script is read from a file at plan time (file()/templatefile())" };
const OTHER_EXPRESSION = { kind: "unreadable", reason: 'user_data is a Terraform expression other than base64encode("...")' };
const plain = (text: string) => ({ kind: "text", text, from: "plain" });

describe("decodeUserData", () => {
  it("decodes a base64encode expression with whitespace around it", () => {
    expect(decodeUserData('\n  ${base64encode("echo hi")}  \n')).toEqual({ kind: "text", text: "echo hi", from: "terraform-expression" });
  });

  it("decodes a base64gzip expression like a base64encode one", () => {
    expect(decodeUserData('${base64gzip("echo hi")}')).toEqual({ kind: "text", text: "echo hi", from: "terraform-expression" });
  });

  it.each([
    ["text before it", 'echo ${base64encode("x")}'],
    ["text after it", '${base64encode("x")} # and more'],
    ["a plain reference", "${local.user_data}"],
    ["a script with an interpolation", "#!/bin/sh\necho ${var.greeting}\n"],
  ])("reports a Terraform expression with %s as unreadable", (_label, value) => {
    expect(decodeUserData(value)).toEqual(OTHER_EXPRESSION);
  });

  it.each([
    '${base64encode(file("boot.sh"))}',
    '${base64encode(templatefile("boot.tpl", { region = "eu-west-1" }))}',
    '${base64encode(filebase64("boot.bin"))}',
    '${base64gzip(file ("boot.sh"))}',
  ])("reports a script read from a file at plan time as unreadable: %s", (value) => {
    expect(decodeUserData(value)).toEqual(FROM_A_FILE);
  });

  it("names why a base64encode expression does not parse", () => {
    expect(decodeUserData('${base64encode("a" + "b")}')).toEqual({
      kind: "unreadable",
      reason: 'the base64encode(...) expression does not parse: unexpected "+ \\"b\\"" at offset 4',
    });
  });

  it("decodes base64 wrapped over several lines", () => {
    const script = "#!/bin/bash\necho ECS_CLUSTER=orders >> /etc/ecs/ecs.config\necho ECS_ENABLE_TASK_IAM_ROLE=true >> /etc/ecs/ecs.config\n";
    const encoded = Buffer.from(script).toString("base64");
    const wrapped = `${encoded.slice(0, 76)}\n${encoded.slice(76, 100)}\r\n  ${encoded.slice(100)}\n`;
    expect(decodeUserData(wrapped)).toEqual({ kind: "text", text: script, from: "base64" });
  });

  it.each([
    ["a length that is not a multiple of 4", "hello"],
    ["a non-base64 character at the end only", "reboot!!"],
    ["a non-base64 character at the start only", "!!reboot"],
    ["a non-base64 character in the middle", "ls -l /tmp"],
    ["nothing", ""],
    ["only whitespace", " \n "],
    ["a shell script", "#!/bin/sh\necho ok\n"],
  ])("takes a value with %s as the plain script", (_label, value) => {
    expect(decodeUserData(value)).toEqual(plain(value));
  });

  it("unpacks gzip inside base64", () => {
    expect(decodeUserData(gzipSync(Buffer.from("echo zipped")).toString("base64"))).toEqual({ kind: "text", text: "echo zipped", from: "base64-gzip" });
  });

  it.each([
    ["the first gzip magic byte only", [0x1f, 0x41, 0x42], "\x1fAB"],
    ["the second gzip magic byte only", [0x41, 0x8b, 0x42], "A\ufffdB"],
  ])("does not gunzip base64 bytes that start with %s", (_label, bytes, text) => {
    expect(decodeUserData(Buffer.from(bytes).toString("base64"))).toEqual({ kind: "text", text, from: "base64" });
  });
});

describe("hclTemplateText", () => {
  it("renders references with attribute paths and indexes of one or more digits", () => {
    expect(hclTemplateText('join("", [aws_instance.web[0].private_ip, " ", var.ports[10]])')).toEqual({
      text: "${aws_instance.web[0].private_ip} ${var.ports[10]}",
    });
  });

  it("drops a function name also when a space separates it from its parenthesis", () => {
    expect(hclTemplateText('join ("", ["a", "b"])')).toEqual({ text: "ab" });
  });

  it("keeps a reference that a function call follows later on", () => {
    expect(hclTemplateText('join("", [var.a, lower("B")])')).toEqual({ text: "${var.a}B" });
  });

  it.each(["true", "false", "null"])("drops the keyword %s", (keyword) => {
    expect(hclTemplateText(`join("", ["a", ${keyword}, "b"])`)).toEqual({ text: "ab" });
  });

  it("refuses a bare name that is neither a reference, a function nor a keyword", () => {
    expect(hclTemplateText('join("", ["a", nothing])')).toEqual({ error: 'unexpected "nothing])" at offset 15' });
  });

  it("skips numbers: integers, negative, decimal and multi-digit ones", () => {
    expect(hclTemplateText('join("", ["a", 1, -2, 3.25, 10, "b"])')).toEqual({ text: "ab" });
  });

  it("reports a stray character with the 20 characters from it and its offset", () => {
    expect(hclTemplateText('"a" ~ 1 and then some more text')).toEqual({ error: 'unexpected "~ 1 and then some mo" at offset 4' });
  });

  it("decodes \\u escapes wherever they are in the string", () => {
    expect(hclTemplateText('"x\\u0041y\\u00e9"')).toEqual({ text: "xAy\u00e9" });
  });

  it.each([
    ['"cost $5"', "cost $5"],
    ['"100%"', "100%"],
    ['"$$x"', "$$x"],
    ['"%%x"', "%%x"],
    ['"$x{"', "$x{"],
    ['"aa{"', "aa{"],
    ['"x{y"', "x{y"],
  ])("keeps $, %% and { that start no interpolation or escape literally: %s", (literal, text) => {
    expect(hclTemplateText(literal)).toEqual({ text });
  });

  it.each([
    ['"echo ${jsonencode("a")}"', 'echo ${jsonencode("a")}'],
    ['"a ${f({}, "x")} b"', 'a ${f({}, "x")} b'],
    ['"%{ if var.on == "yes" }on%{ endif }"', '%{ if var.on == "yes" }on%{ endif }'],
    ['"}${x}"', "}${x}"],
  ])("keeps a nested interpolation verbatim, quotes and braces inside it included: %s", (literal, text) => {
    expect(hclTemplateText(literal)).toEqual({ text });
  });
});

describe("the gate's waivers, statuses and reports", () => {
  const SECRET_DOC: TerraformDocument = { resource: { aws_secretsmanager_secret: { token: {} } } };
  const ruleFinding = (address: string): Finding => ({ address, message: `${address} is not encrypted with a CMK`, fix: "set kmsKeyId" });
  function ruleWith(overrides: Partial<PolicyRule>): PolicyRule {
    return {
      id: "secret-uses-cmk",
      title: "test rule",
      checkov: [],
      trivy: [],
      severity: "high",
      resourceTypes: ["aws_secretsmanager_secret"],
      check: () => [],
      ...overrides,
    };
  }

  it("implies the CMK, public-IP and production waivers with the config as their reason", () => {
    const cmkReason = 'encryption.mode is "aws-managed": AWS-managed keys encrypt it by choice (set "create-cmk" or "existing-key" for a customer-managed key)';
    expect(configWaivers({ customerManagedKey: false, publicTaskIps: true, production: false })).toEqual([
      { rule: "secret-uses-cmk", reason: cmkReason, source: "config" },
      { rule: "log-group-cmk", reason: cmkReason, source: "config" },
      { rule: "ecs-exec-sessions-cmk", reason: cmkReason, source: "config" },
      {
        rule: "service-no-public-ip",
        reason:
          'the config chose public task IPs (network.natGateways "none", or assignPublicIp on an existing network): tasks reach the registry without NAT; their security group admits only the load balancer',
        source: "config",
      },
      {
        rule: "production-service-scales-and-alarms",
        reason: 'the stack is not marked "production": true, so a service may run at a fixed count or without alarms',
        source: "config",
      },
    ]);
  });

  it("names every resource type a rule looks for when the stack has none of them", () => {
    const rule = ruleWith({ resourceTypes: ["aws_instance", "aws_launch_template"] });
    const result = runPolicyGate({ stacks: [{ name: "orders", document: SECRET_DOC }], rules: [rule] });
    expect(result.stacks[0].rules[0]).toEqual({
      rule: { id: "secret-uses-cmk", title: "test rule", checkov: [], trivy: [], severity: "high" },
      status: "n/a",
      findings: [],
      notApplicable: "no aws_instance / aws_launch_template in this stack",
    });
    expect(result.stacks[0].counts).toEqual({ pass: 0, fail: 0, waived: 0, "n/a": 1 });
  });

  it("turns a rule that throws into one finding on the stack that says to report a bug", () => {
    const rule = ruleWith({
      check: () => {
        throw new Error("boom");
      },
    });
    const result = runPolicyGate({ stacks: [{ name: "orders", document: SECRET_DOC }], rules: [rule] });
    expect(result.stacks[0].rules[0].findings).toEqual([
      { address: "orders", message: "the rule could not evaluate this stack: boom", fix: "report this as a bug in the policy gate" },
    ]);
    expect(result.stacks[0].rules[0].status).toBe("fail");
  });

  it("fails a rule when only some of its findings are waived", () => {
    const rule = ruleWith({ check: () => [ruleFinding("aws_secretsmanager_secret.token"), ruleFinding("aws_secretsmanager_secret.other")] });
    const waiver = { rule: "secret-uses-cmk", resource: "aws_secretsmanager_secret.token", reason: "the token secret is rotated hourly" };
    const result = runPolicyGate({ stacks: [{ name: "orders", document: SECRET_DOC }], rules: [rule], waivers: [waiver] });
    expect(result.stacks[0].rules[0].status).toBe("fail");
    expect(result.stacks[0].rules[0].findings).toEqual([
      { ...ruleFinding("aws_secretsmanager_secret.token"), waiver: { ...waiver, source: "declared" } },
      ruleFinding("aws_secretsmanager_secret.other"),
    ]);
    expect(result).toMatchObject({ passed: false, violations: 1, staleWaivers: [] });
    expect(result.stacks[0].counts).toEqual({ pass: 0, fail: 1, waived: 0, "n/a": 0 });
  });

  it("reports a stale waiver declared for every stack once", () => {
    const stale = { rule: "secret-uses-cmk", reason: "kept from an old layout" };
    const result = runPolicyGate({
      stacks: [
        { name: "a", document: SECRET_DOC },
        { name: "b", document: SECRET_DOC, waivers: [stale] },
      ],
      rules: [ruleWith({})],
      waivers: [stale],
    });
    expect(result.staleWaivers).toEqual([stale]);
    expect(result.passed).toBe(true);
  });

  it("tells apart waivers that differ only in their resource: the unused one is stale", () => {
    const used = { rule: "secret-uses-cmk", resource: "aws_secretsmanager_secret.token", reason: "the token secret is rotated hourly" };
    const unused = { rule: "secret-uses-cmk", resource: "aws_secretsmanager_secret.gone", reason: "the token secret is rotated hourly" };
    const rule = ruleWith({ check: () => [ruleFinding("aws_secretsmanager_secret.token")] });
    const result = runPolicyGate({ stacks: [{ name: "orders", document: SECRET_DOC }], rules: [rule], waivers: [used, unused] });
    expect(result.staleWaivers).toEqual([unused]);
    expect(result.stacks[0].rules[0].status).toBe("waived");
  });

  it("keeps a declared waiver stale when only the config's identical implied waiver was used", () => {
    const [implied] = configWaivers({ ...STRICT_EXPECTATIONS, customerManagedKey: false });
    const declared = { rule: implied.rule, reason: implied.reason };
    const rule = ruleWith({ check: (stack) => (stack.name === "dev" ? [ruleFinding("aws_secretsmanager_secret.token")] : []) });
    const result = runPolicyGate({
      stacks: [
        { name: "prod", document: SECRET_DOC, waivers: [declared] },
        { name: "dev", document: SECRET_DOC, expectations: { ...STRICT_EXPECTATIONS, customerManagedKey: false } },
      ],
      rules: [rule],
    });
    expect(result.stacks[1].rules[0].findings).toEqual([{ ...ruleFinding("aws_secretsmanager_secret.token"), waiver: implied }]);
    expect(result.staleWaivers).toEqual([declared]);
  });
});
