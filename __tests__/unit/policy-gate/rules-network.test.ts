import { POLICY_RULES } from "../../../src/policy-gate/rules/index";
import { runPolicyGate, STRICT_EXPECTATIONS, type RuleResult } from "../../../src/policy-gate/gate";
import { type PolicyExpectations } from "../../../src/policy-gate/types";
import type { TerraformBlock, TerraformDocument } from "../../../src/terraform/document";

function resultOf(ruleId: string, doc: TerraformDocument, expectations: PolicyExpectations = STRICT_EXPECTATIONS): RuleResult {
  const rule = POLICY_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return runPolicyGate({ stacks: [{ name: "fixture", document: doc }], rules: [rule], expectations }).stacks[0].rules[0];
}

type Resources = Record<string, Record<string, TerraformBlock>>;
const docOf = (resource: Resources): TerraformDocument => ({ resource });

const DESCRIPTIONS = "security-group-descriptions";
const ALL_PORTS_EGRESS = "no-all-ports-egress-to-world";
const EGRESS = "no-egress-to-world";
const INGRESS = "no-ingress-from-world";
const SCALES_AND_ALARMS = "production-service-scales-and-alarms";

const GROUP_FIX = "describe what the group admits and why";
const RULE_FIX = 'set description to the traffic\'s purpose (e.g. "HTTPS to the image registry")';
const ALL_PORTS_FIX = "allow only the ports the workload needs (tasks need tcp 443 to the registry and AWS APIs)";
const EGRESS_FIX =
  "route AWS APIs through VPC endpoints and restrict the destination, or declare a waiver: a public registry such as ghcr.io has no fixed address range";
const INGRESS_FIX = "narrow loadBalancer.ingressCidrs, or declare a waiver when the service is public on purpose";

const GROUP = "aws_security_group.tasks";
const EGRESS_RULE = "aws_vpc_security_group_egress_rule.out";
const INGRESS_RULE = "aws_vpc_security_group_ingress_rule.in";
const LEGACY_RULE = "aws_security_group_rule.legacy";

/** A stack with one described security group, plus `resources`. */
const withGroup = (group: TerraformBlock, resources: Resources = {}) =>
  docOf({ aws_security_group: { tasks: { name: "tasks", description: "the service's tasks", ...group } }, ...resources });
const vpcEgress = (block: TerraformBlock) =>
  docOf({ aws_vpc_security_group_egress_rule: { out: { security_group_id: "${aws_security_group.tasks.id}", ...block } } });
const vpcIngress = (block: TerraformBlock) =>
  docOf({ aws_vpc_security_group_ingress_rule: { in: { security_group_id: "${aws_security_group.tasks.id}", ...block } } });
const legacyRule = (block: TerraformBlock) => docOf({ aws_security_group_rule: { legacy: { security_group_id: "${aws_security_group.tasks.id}", ...block } } });

describe("rule summaries", () => {
  it.each<[string, string, string[], string[], string]>([
    [DESCRIPTIONS, "Security groups and every rule have a description", ["CKV_AWS_23"], ["AVD-AWS-0099", "AVD-AWS-0124"], "low"],
    [ALL_PORTS_EGRESS, "No egress on all ports to 0.0.0.0/0 or ::/0", ["CKV_AWS_382"], [], "medium"],
    [EGRESS, "No egress to 0.0.0.0/0 or ::/0 on any port", [], ["AVD-AWS-0104"], "low"],
    [INGRESS, "No ingress from 0.0.0.0/0 or ::/0", ["CKV_AWS_260"], ["AVD-AWS-0107"], "medium"],
    [SCALES_AND_ALARMS, "Production services scale with load and raise alarms", [], [], "medium"],
  ])("%s is titled %j, maps to checkov %j and trivy %j, severity %s", (id, title, checkov, trivy, severity) => {
    expect(resultOf(id, docOf({ aws_s3_bucket: { b: {} } })).rule).toEqual({ id, title, checkov, trivy, severity });
  });
});

describe("security group rules: applicability", () => {
  it.each([DESCRIPTIONS, ALL_PORTS_EGRESS, EGRESS, INGRESS])("%s does not apply to a stack without security groups or their rules", (id) => {
    const result = resultOf(id, docOf({ aws_s3_bucket: { b: {} } }));
    expect(result.status).toBe("n/a");
    expect(result.notApplicable).toBe(
      "no aws_security_group / aws_security_group_rule / aws_vpc_security_group_ingress_rule / aws_vpc_security_group_egress_rule in this stack",
    );
  });

  it.each<[string, TerraformDocument]>([
    ["aws_security_group", withGroup({})],
    ["aws_security_group_rule", legacyRule({ type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/8"], description: "d" })],
    ["aws_vpc_security_group_ingress_rule", vpcIngress({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.0.0.0/8", description: "d" })],
    ["aws_vpc_security_group_egress_rule", vpcEgress({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.0.0.0/8", description: "d" })],
  ])("applies to a stack whose only security resource is an %s", (_type, doc) => {
    for (const id of [DESCRIPTIONS, ALL_PORTS_EGRESS, EGRESS, INGRESS]) expect(resultOf(id, doc)).toMatchObject({ status: "pass", findings: [] });
  });
});

describe("security-group-descriptions: the group's own description", () => {
  it.each<[string, unknown, string]>([
    ["omitted", undefined, 'description is null (the provider sets "Managed by Terraform")'],
    ["null", null, "description is null"],
    ["empty", "", 'description is ""'],
    ["whitespace only", "   ", 'description is "   "'],
    ["the provider's default", "Managed by Terraform", 'description is "Managed by Terraform"'],
    ["not a string", 42, "description is 42"],
  ])("fails a group whose description is %s", (_what, description, message) => {
    const doc = docOf({ aws_security_group: { tasks: description === undefined ? { name: "tasks" } : { name: "tasks", description } } });
    const result = resultOf(DESCRIPTIONS, doc);
    expect(result.status).toBe("fail");
    expect(result.findings).toEqual([{ address: GROUP, message, fix: GROUP_FIX }]);
  });

  it("passes a described group", () => {
    expect(resultOf(DESCRIPTIONS, withGroup({ description: "HTTP from the load balancer" }))).toMatchObject({ status: "pass", findings: [] });
  });
});

describe("security-group-descriptions: every rule's description", () => {
  it.each<[string, TerraformDocument, string, string]>([
    [
      "a VPC egress rule without description",
      vpcEgress({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.0.0.0/8" }),
      EGRESS_RULE,
      "egress rule tcp 443 has no description",
    ],
    [
      "a VPC ingress rule with a whitespace description",
      vpcIngress({ ip_protocol: "tcp", from_port: 8080, to_port: 8090, cidr_ipv4: "10.0.0.0/8", description: "  " }),
      INGRESS_RULE,
      "ingress rule tcp 8080-8090 has no description",
    ],
    [
      "a VPC ingress rule with a non-string description",
      vpcIngress({ ip_protocol: "-1", cidr_ipv4: "10.0.0.0/8", description: 7 }),
      INGRESS_RULE,
      "ingress rule all protocols and ports has no description",
    ],
    [
      "a VPC rule without ip_protocol",
      vpcEgress({ from_port: 443, to_port: 443, cidr_ipv4: "10.0.0.0/8" }),
      EGRESS_RULE,
      "egress rule  443 has no description",
    ],
    [
      "an egress aws_security_group_rule",
      legacyRule({ type: "egress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/8"] }),
      LEGACY_RULE,
      "egress rule tcp 443 has no description",
    ],
    [
      "an ingress aws_security_group_rule",
      legacyRule({ type: "ingress", protocol: "udp", from_port: 53, to_port: 54, cidr_blocks: ["10.0.0.0/8"], description: "" }),
      LEGACY_RULE,
      "ingress rule udp 53-54 has no description",
    ],
    [
      "an aws_security_group_rule without type (taken as ingress)",
      legacyRule({ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"] }),
      LEGACY_RULE,
      "ingress rule tcp 22 has no description",
    ],
    [
      "an aws_security_group_rule without protocol",
      legacyRule({ type: "egress", from_port: 443, to_port: 443 }),
      LEGACY_RULE,
      "egress rule  443 has no description",
    ],
    [
      "an inline ingress block",
      withGroup({ ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"] }] }),
      GROUP,
      "ingress[0]: ingress rule tcp 22 has no description",
    ],
    [
      "the second inline egress block",
      withGroup({
        egress: [
          { protocol: "tcp", from_port: 443, to_port: 443, description: "HTTPS" },
          { protocol: "-1", from_port: 0, to_port: 0 },
        ],
      }),
      GROUP,
      "egress[1]: egress rule all protocols and ports has no description",
    ],
    [
      "an inline block without protocol",
      withGroup({ egress: { from_port: 443, to_port: 443, description: " " } }),
      GROUP,
      "egress[0]: egress rule  443 has no description",
    ],
  ])("fails %s", (_what, doc, address, message) => {
    const result = resultOf(DESCRIPTIONS, doc);
    expect(result.status).toBe("fail");
    expect(result.findings).toEqual([{ address, message, fix: RULE_FIX }]);
  });

  it("passes described rules of every shape", () => {
    const doc = withGroup(
      { ingress: [{ protocol: "tcp", from_port: 80, to_port: 80, security_groups: ["sg-1"], description: "HTTP from the ALB" }] },
      {
        aws_vpc_security_group_egress_rule: { out: { ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.0.0.0/8", description: "HTTPS" } },
        aws_security_group_rule: {
          legacy: { type: "egress", protocol: "tcp", from_port: 5432, to_port: 5432, cidr_blocks: ["10.0.0.0/8"], description: "db" },
        },
      },
    );
    expect(resultOf(DESCRIPTIONS, doc)).toMatchObject({ status: "pass", findings: [] });
  });
});

describe("how a finding names the ports", () => {
  it.each<[TerraformBlock, string]>([
    [{ ip_protocol: "-1" }, "all protocols and ports"],
    [{ ip_protocol: "all", from_port: 443, to_port: 443 }, "all protocols and ports"],
    [{ ip_protocol: "All" }, "all protocols and ports"],
    [{ ip_protocol: "tcp", from_port: 443, to_port: 443 }, "tcp 443"],
    [{ ip_protocol: "tcp", from_port: "443", to_port: "443" }, "tcp 443"],
    [{ ip_protocol: "tcp", from_port: 1024, to_port: 65535 }, "tcp 1024-65535"],
    [{ ip_protocol: "tcp", from_port: "any", to_port: 443 }, "tcp undefined-443"],
    [{ ip_protocol: "tcp", from_port: null, to_port: 443 }, "tcp undefined-443"],
    [{ ip_protocol: "tcp", from_port: 443, to_port: "Infinity" }, "tcp 443-undefined"],
    [{ ip_protocol: "tcp" }, "tcp undefined"],
  ])("%j reads %j", (ports, text) => {
    expect(resultOf(EGRESS, vpcEgress({ ...ports, cidr_ipv4: "0.0.0.0/0", description: "d" })).findings).toEqual([
      { address: EGRESS_RULE, message: `egress to 0.0.0.0/0 on ${text}`, fix: EGRESS_FIX },
    ]);
  });
});

describe("no-all-ports-egress-to-world", () => {
  it.each<[TerraformBlock, string]>([
    [{ ip_protocol: "-1", from_port: 0, to_port: 0 }, "all protocols and ports"],
    [{ ip_protocol: "all", from_port: 0, to_port: 0 }, "all protocols and ports"],
    [{ ip_protocol: "All", from_port: 0, to_port: 0 }, "all protocols and ports"],
    [{ ip_protocol: "tcp", from_port: 0, to_port: 65535 }, "tcp 0-65535"],
    [{ ip_protocol: "tcp", from_port: 1, to_port: 65535 }, "tcp 1-65535"],
    [{ ip_protocol: "udp", from_port: "0", to_port: "65535" }, "udp 0-65535"],
    [{ ip_protocol: "tcp", from_port: 0, to_port: null }, "tcp 0-undefined"],
    [{ ip_protocol: "tcp" }, "tcp undefined"],
  ])("fails egress to 0.0.0.0/0 on %j", (ports, text) => {
    const result = resultOf(ALL_PORTS_EGRESS, vpcEgress({ ...ports, cidr_ipv4: "0.0.0.0/0", description: "d" }));
    expect(result.status).toBe("fail");
    expect(result.findings).toEqual([{ address: EGRESS_RULE, message: `egress to 0.0.0.0/0 on ${text}`, fix: ALL_PORTS_FIX }]);
  });

  it.each<[TerraformBlock]>([
    [{ ip_protocol: "tcp", from_port: 2, to_port: 65535 }],
    [{ ip_protocol: "tcp", from_port: 0, to_port: 65534 }],
    [{ ip_protocol: "tcp", from_port: 443, to_port: 65535 }],
    [{ ip_protocol: "tcp", from_port: 0, to_port: 443 }],
    [{ ip_protocol: "tcp", from_port: 443, to_port: 443 }],
  ])("passes egress to 0.0.0.0/0 on %j", (ports) => {
    expect(resultOf(ALL_PORTS_EGRESS, vpcEgress({ ...ports, cidr_ipv4: "0.0.0.0/0", description: "d" }))).toMatchObject({ status: "pass", findings: [] });
  });

  it("passes all-ports egress to a private range", () => {
    const doc = vpcEgress({ ip_protocol: "-1", cidr_ipv4: "10.0.0.0/8", cidr_ipv6: "fd00::/8", description: "d" });
    expect(resultOf(ALL_PORTS_EGRESS, doc)).toMatchObject({ status: "pass", findings: [] });
  });

  it("passes all-ports ingress from 0.0.0.0/0 (ingress is another rule's)", () => {
    expect(resultOf(ALL_PORTS_EGRESS, vpcIngress({ ip_protocol: "-1", cidr_ipv4: "0.0.0.0/0", description: "d" }))).toMatchObject({
      status: "pass",
      findings: [],
    });
  });

  it("names only the world CIDRs of a rule that also allows a private range, joined", () => {
    const doc = withGroup({
      egress: [
        { protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], description: "HTTPS" },
        { protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/8", "0.0.0.0/0"], ipv6_cidr_blocks: ["::/0"], description: "all" },
      ],
    });
    expect(resultOf(ALL_PORTS_EGRESS, doc).findings).toEqual([
      { address: GROUP, message: "egress[1]: egress to 0.0.0.0/0, ::/0 on all protocols and ports", fix: ALL_PORTS_FIX },
    ]);
  });

  it("fails an egress aws_security_group_rule to ::/0 on all ports, but not an ingress one", () => {
    const doc = docOf({
      aws_security_group_rule: {
        out: { type: "egress", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/8"], ipv6_cidr_blocks: ["::/0"], description: "d" },
        in: { type: "ingress", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"], description: "d" },
      },
    });
    expect(resultOf(ALL_PORTS_EGRESS, doc).findings).toEqual([
      { address: "aws_security_group_rule.out", message: "egress to ::/0 on all protocols and ports", fix: ALL_PORTS_FIX },
    ]);
  });
});

describe("no-egress-to-world", () => {
  it("fails a VPC egress rule to 0.0.0.0/0 and ::/0 on one port, naming both", () => {
    const doc = vpcEgress({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0", cidr_ipv6: "::/0", description: "d" });
    expect(resultOf(EGRESS, doc).findings).toEqual([{ address: EGRESS_RULE, message: "egress to 0.0.0.0/0, ::/0 on tcp 443", fix: EGRESS_FIX }]);
  });

  it("fails the second inline egress block, naming only its world CIDR", () => {
    const doc = withGroup({
      egress: [
        { protocol: "tcp", from_port: 5432, to_port: 5432, cidr_blocks: ["10.0.0.0/8"], description: "db" },
        { protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/8", "0.0.0.0/0"], description: "HTTPS" },
      ],
      ingress: [{ protocol: "tcp", from_port: 80, to_port: 80, cidr_blocks: ["0.0.0.0/0"], description: "HTTP" }],
    });
    expect(resultOf(EGRESS, doc).findings).toEqual([{ address: GROUP, message: "egress[1]: egress to 0.0.0.0/0 on tcp 443", fix: EGRESS_FIX }]);
  });

  it("fails an egress aws_security_group_rule to ::/0 and ignores an ingress one from 0.0.0.0/0", () => {
    const doc = docOf({
      aws_security_group_rule: {
        out: { type: "egress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/8"], ipv6_cidr_blocks: ["::/0"], description: "d" },
        in: { type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], description: "d" },
      },
    });
    expect(resultOf(EGRESS, doc).findings).toEqual([{ address: "aws_security_group_rule.out", message: "egress to ::/0 on tcp 443", fix: EGRESS_FIX }]);
  });

  it("passes egress to private ranges and ingress from the world", () => {
    const doc = withGroup(
      { egress: [{ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/8"], description: "VPC" }] },
      { aws_vpc_security_group_ingress_rule: { in: { ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0", description: "d" } } },
    );
    expect(resultOf(EGRESS, doc)).toMatchObject({ status: "pass", findings: [] });
  });
});

describe("no-ingress-from-world", () => {
  it("fails a VPC ingress rule from ::/0, naming it", () => {
    const doc = vpcIngress({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv6: "::/0", description: "d" });
    expect(resultOf(INGRESS, doc).findings).toEqual([{ address: INGRESS_RULE, message: "ingress from ::/0 on tcp 443", fix: INGRESS_FIX }]);
  });

  it("fails an inline ingress block from both world ranges, naming only those", () => {
    const doc = withGroup({
      ingress: [
        { protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8"], description: "ssh" },
        { protocol: "tcp", from_port: 80, to_port: 80, cidr_blocks: ["192.168.0.0/16", "0.0.0.0/0"], ipv6_cidr_blocks: ["::/0"], description: "HTTP" },
      ],
      egress: [{ protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], description: "HTTPS" }],
    });
    expect(resultOf(INGRESS, doc).findings).toEqual([{ address: GROUP, message: "ingress[1]: ingress from 0.0.0.0/0, ::/0 on tcp 80", fix: INGRESS_FIX }]);
  });

  it("fails aws_security_group_rule ingress (typed or untyped) and ignores egress", () => {
    const doc = docOf({
      aws_security_group_rule: {
        typed: { type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], description: "d" },
        untyped: { protocol: "tcp", from_port: 80, to_port: 80, ipv6_cidr_blocks: ["::/0"], description: "d" },
        out: { type: "egress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], description: "d" },
      },
    });
    expect(resultOf(INGRESS, doc).findings).toEqual([
      { address: "aws_security_group_rule.typed", message: "ingress from 0.0.0.0/0 on tcp 443", fix: INGRESS_FIX },
      { address: "aws_security_group_rule.untyped", message: "ingress from ::/0 on tcp 80", fix: INGRESS_FIX },
    ]);
  });

  it("passes ingress from private ranges and egress to the world", () => {
    const doc = withGroup(
      { ingress: [{ protocol: "tcp", from_port: 80, to_port: 80, cidr_blocks: ["10.0.0.0/8"], ipv6_cidr_blocks: ["fd00::/8"], description: "VPC" }] },
      { aws_vpc_security_group_egress_rule: { out: { ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0", description: "d" } } },
    );
    expect(resultOf(INGRESS, doc)).toMatchObject({ status: "pass", findings: [] });
  });
});

describe("production-service-scales-and-alarms (hand-made stacks)", () => {
  const SERVICE_REF = "${aws_ecs_service.orders.name}";
  const SCALED: TerraformBlock = {
    service_namespace: "ecs",
    scalable_dimension: "ecs:service:DesiredCount",
    resource_id: `service/\${aws_ecs_cluster.c.name}/${SERVICE_REF}`,
  };
  const ALARM: TerraformBlock = { metric_name: "CPUUtilization", dimensions: { ClusterName: "${aws_ecs_cluster.c.name}", ServiceName: SERVICE_REF } };
  const stack = (targets: TerraformBlock[], alarms: TerraformBlock[], service: TerraformBlock = {}) =>
    docOf({
      aws_ecs_service: {
        orders: { name: "orders", desired_count: 2, load_balancer: [{ target_group_arn: "${aws_lb_target_group.tg.arn}", container_port: 8080 }], ...service },
      },
      ...(targets.length > 0 ? { aws_appautoscaling_target: Object.fromEntries(targets.map((t, i) => [`t${i}`, t])) } : {}),
      ...(alarms.length > 0 ? { aws_cloudwatch_metric_alarm: Object.fromEntries(alarms.map((a, i) => [`a${i}`, a])) } : {}),
    });
  const finding = (message: string) => ({
    address: "aws_ecs_service.orders",
    message,
    fix: 'turn on the service\'s "autoscaling" and "alarms" in the config (both on by default), or waive the rule for this service with the reason',
  });
  const NOT_SCALED = finding('service "orders" has no autoscaling (a fixed 2 tasks)');
  const NOT_ALARMED = finding('service "orders" has no alarm watches it');

  it("does not apply to a stack without ECS services", () => {
    const result = resultOf(SCALES_AND_ALARMS, docOf({ aws_s3_bucket: { b: {} } }));
    expect(result.status).toBe("n/a");
    expect(result.notApplicable).toBe("no aws_ecs_service in this stack");
  });

  it.each<[string, TerraformBlock]>([
    ["names the service by reference", SCALED],
    ["names the service literally", { ...SCALED, resource_id: "service/prod/orders" }],
  ])("counts a DesiredCount target that %s as scaling it", (_what, target) => {
    expect(resultOf(SCALES_AND_ALARMS, stack([target], [ALARM]))).toMatchObject({ status: "pass", findings: [] });
  });

  it.each<[string, TerraformBlock]>([
    ["scales another dimension", { ...SCALED, service_namespace: "dynamodb", scalable_dimension: "dynamodb:table:WriteCapacityUnits" }],
    ["references another service", { ...SCALED, resource_id: "service/${aws_ecs_cluster.c.name}/${aws_ecs_service.billing.name}" }],
    ["names another service literally", { ...SCALED, resource_id: "service/prod/billing" }],
    ["names a service whose name only ends with the service's", { ...SCALED, resource_id: "service/prod/new-orders" }],
    ["has no resource id", { service_namespace: "ecs", scalable_dimension: "ecs:service:DesiredCount" }],
  ])("does not count a target that %s", (_what, target) => {
    const result = resultOf(SCALES_AND_ALARMS, stack([target], [ALARM]));
    expect(result.status).toBe("fail");
    expect(result.findings).toEqual([NOT_SCALED]);
  });

  it("reports a fixed 0 tasks for a service without desired_count", () => {
    expect(resultOf(SCALES_AND_ALARMS, stack([], [ALARM], { desired_count: undefined })).findings).toEqual([
      finding('service "orders" has no autoscaling (a fixed 0 tasks)'),
    ]);
  });

  it.each<[string, TerraformBlock]>([
    ["names the service by reference", { dimensions: { ServiceName: SERVICE_REF } }],
    ["names the service literally", { dimensions: { ClusterName: "prod", ServiceName: "orders" } }],
    [
      "watches its target group (by arn_suffix)",
      { dimensions: { LoadBalancer: "${aws_lb.alb.arn_suffix}", TargetGroup: "${aws_lb_target_group.tg.arn_suffix}" } },
    ],
    [
      "names it in a metric query only",
      {
        metric_query: [
          { id: "e1", expression: "m1 * 100" },
          { id: "m1", metric: { metric_name: "CPUUtilization", dimensions: { ServiceName: SERVICE_REF } } },
        ],
      },
    ],
    [
      "names another service, and this one in a metric query",
      { dimensions: { ServiceName: "billing" }, metric_query: { id: "m1", metric: [{ dimensions: { ServiceName: "orders" } }] } },
    ],
    [
      "watches its target group in a metric query",
      { metric_query: [{ id: "m1", metric: { dimensions: { TargetGroup: "${aws_lb_target_group.tg.arn_suffix}" } } }] },
    ],
  ])("counts an alarm that %s as watching it", (_what, alarm) => {
    expect(resultOf(SCALES_AND_ALARMS, stack([SCALED], [alarm]))).toMatchObject({ status: "pass", findings: [] });
  });

  it.each<[string, TerraformBlock]>([
    ["names another service", { dimensions: { ClusterName: "prod", ServiceName: "billing" } }],
    ["references another service", { dimensions: { ServiceName: "${aws_ecs_service.billing.name}" } }],
    ["uses the target group's ARN instead of its arn_suffix", { dimensions: { TargetGroup: "${aws_lb_target_group.tg.arn}" } }],
    ["watches another target group", { dimensions: { TargetGroup: "${aws_lb_target_group.other.arn_suffix}" } }],
    ["has no dimensions", { metric_name: "Errors", namespace: "Custom" }],
    [
      "has metric queries without the service",
      {
        metric_query: [
          { id: "e1", expression: "1" },
          { id: "m1", metric: { dimensions: { ServiceName: "billing" } } },
        ],
      },
    ],
  ])("does not count an alarm that %s", (_what, alarm) => {
    const result = resultOf(SCALES_AND_ALARMS, stack([SCALED], [alarm]));
    expect(result.status).toBe("fail");
    expect(result.findings).toEqual([NOT_ALARMED]);
  });

  it("rewrites only a trailing .arn} of target_group_arn to .arn_suffix}", () => {
    const alarm = { dimensions: { TargetGroup: "${aws_lb_target_group.tg.arn_suffix}/x" } };
    const service = { load_balancer: { target_group_arn: "${aws_lb_target_group.tg.arn}/x" } };
    expect(resultOf(SCALES_AND_ALARMS, stack([SCALED], [alarm], service)).findings).toEqual([NOT_ALARMED]);
    expect(resultOf(SCALES_AND_ALARMS, stack([SCALED], [{ dimensions: { TargetGroup: "${aws_lb_target_group.tg.arn}/x" } }], service)).status).toBe("pass");
  });

  it("judges each service by its own target and alarm", () => {
    const doc = stack([SCALED], [ALARM]);
    doc.resource!.aws_ecs_service.billing = { name: "billing", desired_count: 1 };
    expect(resultOf(SCALES_AND_ALARMS, doc).findings).toEqual([
      {
        ...finding('service "billing" has no autoscaling (a fixed 1 tasks) and no alarm watches it'),
        address: "aws_ecs_service.billing",
      },
    ]);
  });
});
