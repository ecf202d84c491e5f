import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { runCli } from "../../../src/cli/index";
import { parsePlanJson, type PlanJson, type PlannedResource, type ResourceChange } from "../../../src/plan-summary/plan-json";
import { renderJson, renderMarkdown } from "../../../src/plan-summary/markdown";
import { securityCategory, stackNameFromPath, summarizePlan, summarizePlans } from "../../../src/plan-summary/summarize";

const SECRET = "ghp_" + "unitcanary0123456789abcdefABCDEF";

function rc(
  address: string,
  actions: ResourceChange["change"]["actions"],
  change: Partial<ResourceChange["change"]> = {},
  extra: Partial<ResourceChange> = {},
): ResourceChange {
  const [type, name] = address.split(".");
  return { address, mode: "managed", type, name, change: { actions, before: null, after: null, ...change }, ...extra };
}

const plan = (resource_changes: ResourceChange[], more: Partial<PlanJson> = {}): PlanJson => ({
  format_version: "1.2",
  terraform_version: "1.11.4",
  resource_changes,
  ...more,
});

describe("summarizePlan", () => {
  it("classifies every action, leaves out no-ops, reads and data sources, and orders replacements and deletions first", () => {
    const summary = summarizePlan(
      "orders",
      plan([
        rc("aws_vpc.a", ["create"]),
        rc("aws_ecs_service.svc", ["update"], { before: { desired_count: 2 }, after: { desired_count: 3 } }),
        rc("aws_subnet.gone", ["delete"], {}, { action_reason: "delete_because_no_resource_config" }),
        rc("aws_lb_target_group.tg", ["create", "delete"], { replace_paths: [["port"], ["name"]] }),
        rc("aws_ecs_task_definition.td", ["delete", "create"], { replace_paths: [["container_definitions"]] }),
        rc("aws_eip.kept", ["no-op"]),
        rc("aws_route.old", ["forget"]),
        { ...rc("data.aws_caller_identity.me", ["read"]), mode: "data", type: "aws_caller_identity" },
      ]),
    );
    expect(summary.counts).toEqual({ add: 1, change: 1, replace: 2, destroy: 1 });
    expect(summary.changes.map((c) => [c.address, c.action, c.replaceOrder ?? "", c.attributes.join(",")])).toEqual([
      ["aws_ecs_task_definition.td", "replace", "delete-then-create", "container_definitions"],
      ["aws_lb_target_group.tg", "replace", "create-then-delete", "name,port"],
      ["aws_subnet.gone", "destroy", "", ""],
      ["aws_route.old", "forget", "", ""],
      ["aws_ecs_service.svc", "change", "", "desired_count"],
      ["aws_vpc.a", "add", "", ""],
    ]);
    expect(summary.changes.find((c) => c.address === "aws_subnet.gone")?.reason).toBe("delete_because_no_resource_config");
  });

  it("lists changed top-level attributes: different values, removed keys, and values known only after apply", () => {
    const [change] = summarizePlan(
      "s",
      plan([
        rc("aws_lb.alb", ["update"], {
          before: { idle_timeout: 60, tags: { a: "1" }, name: "x", subnets: ["s1"], gone: "y" },
          after: { idle_timeout: 60, tags: { a: "2" }, name: "x", subnets: ["s1"] },
          after_unknown: { arn: false, dns_name: true, subnets: [false], access_logs: [{ bucket: true }] },
        }),
      ]),
    ).changes;
    expect(change.attributes).toEqual(["access_logs", "dns_name", "gone", "tags"]);
  });

  it("names sensitive attributes but never prints any value, sensitive or not", () => {
    const plans = plan([
      rc("aws_secretsmanager_secret_version.v", ["update"], {
        before: { secret_string: SECRET, version_stages: ["AWSCURRENT"] },
        after: { secret_string: `${SECRET}-new`, version_stages: ["AWSCURRENT", "x"] },
        before_sensitive: { secret_string: true },
        after_sensitive: { secret_string: true, version_stages: [false, false] },
      }),
      rc("aws_ecs_task_definition.td", ["delete", "create"], {
        before: { container_definitions: `[{"environment":[{"name":"T","value":"${SECRET}"}]}]` },
        after: { container_definitions: `[{"environment":[{"name":"T","value":"${SECRET}"}]}]`, family: "plain-value-7a1" },
        after_sensitive: { container_definitions: true },
        replace_paths: [["container_definitions"]],
      }),
      rc("aws_ssm_parameter.p", ["create"], { after: { value: SECRET, name: "plain-name-5b2" }, after_sensitive: { value: true } }),
    ]);
    const summary = summarizePlan("orders", plans);
    expect(summary.changes.find((c) => c.type === "aws_secretsmanager_secret_version")).toMatchObject({
      attributes: ["secret_string", "version_stages"],
      sensitiveAttributes: ["secret_string"],
      security: "secret",
    });
    const markdown = renderMarkdown([summary]);
    const json = JSON.stringify(renderJson([summary])) + JSON.stringify(summary);
    expect(markdown).toContain("| `aws_secretsmanager_secret_version.v` | secret | update in place | `secret_string` (sensitive), `version_stages` |");
    expect(markdown).toContain("forced by `container_definitions` (sensitive)");
    for (const text of [markdown, json]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("plain-value-7a1");
      expect(text).not.toContain("plain-name-5b2");
      expect(text).not.toContain("AWSCURRENT");
    }
  });

  it("marks deposed objects and keeps module addresses", () => {
    const summary = summarizePlan(
      "s",
      plan([
        rc("aws_lb_target_group.tg", ["delete"], {}, { deposed: "00c1e3f7" }),
        { ...rc("aws_iam_role.r", ["create"]), address: "module.app.aws_iam_role.r" },
      ]),
    );
    expect(summary.changes.map((c) => c.address)).toEqual(["aws_lb_target_group.tg (deposed 00c1e3f7)", "module.app.aws_iam_role.r"]);
  });

  it("refuses actions it does not know instead of miscounting them", () => {
    expect(() => summarizePlan("s", plan([rc("aws_vpc.a", ["create", "update"] as unknown as ["create"])]))).toThrow("unknown plan actions [create, update]");
  });

  it("records a plan that errored part-way", () => {
    const summary = summarizePlan("s", plan([rc("aws_vpc.a", ["create"])], { errored: true }));
    expect(summary.errored).toBe(true);
    expect(renderMarkdown([summary])).toContain("> Planning failed part-way: this plan is incomplete. Read the job log for the error.");
  });
});

describe("securityCategory", () => {
  it.each([
    ["aws_iam_role", "IAM"],
    ["aws_iam_role_policy", "IAM"],
    ["aws_iam_policy_attachment", "IAM"],
    ["aws_security_group", "network access"],
    ["aws_default_security_group", "network access"],
    ["aws_security_group_rule", "network access"],
    ["aws_vpc_security_group_ingress_rule", "network access"],
    ["aws_vpc_security_group_egress_rule", "network access"],
    ["aws_secretsmanager_secret", "secret"],
    ["aws_secretsmanager_secret_version", "secret"],
    ["aws_kms_key", "KMS"],
    ["aws_kms_alias", "KMS"],
    ["aws_lb_listener", "listener"],
    ["aws_lb_listener_rule", "listener"],
    ["aws_alb_listener", "listener"],
    ["aws_lb_listener_certificate", "listener"],
    ["aws_cloudwatch_metric_alarm", "alarm"],
    ["aws_sns_topic", "alarm topic"],
    ["aws_sns_topic_subscription", "alarm topic"],
    ["aws_appautoscaling_target", "autoscaling"],
    ["aws_appautoscaling_policy", "autoscaling"],
    ["aws_appautoscaling_scheduled_action", "autoscaling"],
  ])("%s → %s", (type, category) => expect(securityCategory(type)).toBe(category));

  it.each(["aws_lb", "aws_lb_target_group", "aws_ecs_service", "aws_vpc", "aws_security_groups_x", "aws_cloudwatch_log_group"])(
    "%s is neither security- nor reliability-relevant",
    (type) => expect(securityCategory(type)).toBeUndefined(),
  );
});

/** A service and target group as `terraform show -json` plans them, with the reference in `configuration`. */
function servicePlan(desired: number, extra: ResourceChange[] = []): PlanJson {
  return plan([rc("aws_ecs_service.svc", ["create"]), ...extra], {
    planned_values: {
      root_module: {
        resources: [
          {
            address: "aws_ecs_service.svc",
            mode: "managed",
            type: "aws_ecs_service",
            name: "svc",
            values: {
              name: "orders",
              desired_count: desired,
              deployment_minimum_healthy_percent: 50,
              deployment_maximum_percent: 200,
              health_check_grace_period_seconds: 60,
              deployment_circuit_breaker: [{ enable: true, rollback: true }],
              load_balancer: [{ container_name: "app", container_port: 8080 }],
            },
          },
          {
            address: "aws_lb_target_group.tg",
            mode: "managed",
            type: "aws_lb_target_group",
            name: "tg",
            values: { deregistration_delay: "30", health_check: [{ interval: 10, healthy_threshold: 2, unhealthy_threshold: 3 }] },
          },
        ],
      },
    },
    configuration: {
      root_module: {
        resources: [
          {
            address: "aws_ecs_service.svc",
            mode: "managed",
            type: "aws_ecs_service",
            name: "svc",
            expressions: { load_balancer: [{ target_group_arn: { references: ["aws_lb_target_group.tg.arn", "aws_lb_target_group.tg"] } }] },
          },
        ],
      },
    },
  });
}

describe("rollout estimate", () => {
  it("comes from the planned service and the target group its load_balancer references", () => {
    expect(summarizePlan("orders", servicePlan(2)).rollout).toEqual([
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s (model: docs/rollout-model.md)",
    ]);
  });

  it("uses AWS's target group defaults when the reference cannot be resolved", () => {
    const p = servicePlan(2);
    const unresolved = { ...p, configuration: { root_module: { resources: [] } } };
    // No target group: registration and draining take no time → 45 s per wave.
    expect(summarizePlan("orders", unresolved).rollout).toEqual([
      "orders: rolling deploy ≈ 45s, failed deploy rolled back ≈ 3m 30s (model: docs/rollout-model.md)",
    ]);
  });

  it("adds the deployment-alarm rollback, from the planned alarms the service's alarms block names", () => {
    const p = servicePlan(2);
    const resources = p.planned_values!.root_module!.resources as PlannedResource[];
    const service = resources[0] as { values: Record<string, unknown> };
    service.values.alarms = [{ alarm_names: ["orders: 5xx responses high"], enable: true, rollback: true }];
    resources.push({
      address: "aws_cloudwatch_metric_alarm.five",
      mode: "managed",
      type: "aws_cloudwatch_metric_alarm",
      name: "five",
      values: { alarm_name: "orders: 5xx responses high", evaluation_periods: 3, metric_query: [{ id: "errors", metric: [{ period: 60 }] }] },
    });
    expect(summarizePlan("orders", p).rollout).toEqual([
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s, deploy failing real traffic rolled back by alarm ≈ 6m 40s (model: docs/rollout-model.md)",
    ]);
  });

  it("is absent without a planned service (a destroy plan, or a stack without one)", () => {
    expect(summarizePlan("orders", plan([rc("aws_vpc.a", ["delete"])])).rollout).toEqual([]);
  });
});

describe("renderMarkdown", () => {
  it("renders a single stack with replacement, security change and rollout, exactly", () => {
    const summary = summarizePlan(
      "orders",
      servicePlan(2, [
        rc("aws_iam_role_policy.exec", ["update"], { before: { policy: "a" }, after: { policy: "b" } }),
        rc("aws_lb_target_group.tg", ["create", "delete"], { replace_paths: [["port"]] }, { action_reason: "replace_because_cannot_update" }),
      ]),
    );
    expect(renderMarkdown([summary])).toBe(
      [
        "## Terraform plan",
        "",
        "### `orders`",
        "",
        "**Plan:** 1 to add, 1 to change, 1 to replace, 0 to destroy.",
        "",
        "⏱️ orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s (model: docs/rollout-model.md)",
        "",
        "#### ⚠️ Replacements and deletions",
        "",
        "| resource | action | why |",
        "|---|---|---|",
        "| `aws_lb_target_group.tg` | replace (create new, then destroy old) | forced by `port`; `replace_because_cannot_update` |",
        "",
        "#### 🔐 Security and reliability changes",
        "",
        "| resource | area | action | attributes |",
        "|---|---|---|---|",
        "| `aws_iam_role_policy.exec` | IAM | update in place | `policy` |",
        "",
        "#### All resource changes",
        "",
        "| resource | action | changed attributes |",
        "|---|---|---|",
        "| `aws_lb_target_group.tg` | replace (create new, then destroy old) | `port` |",
        "| `aws_iam_role_policy.exec` | update in place | `policy` |",
        "| `aws_ecs_service.svc` | create | — |",
        "",
        "<sub>Replacements are counted once, not as an add plus a destroy. Attribute values are never shown.</sub>",
        "",
      ].join("\n"),
    );
  });

  it("says so when nothing changes", () => {
    expect(renderMarkdown([summarizePlan("orders", plan([rc("aws_vpc.a", ["no-op"])]))])).toBe(
      [
        "## Terraform plan",
        "",
        "### `orders`",
        "",
        "**No changes.** The infrastructure matches the configuration.",
        "",
        "<sub>Replacements are counted once, not as an add plus a destroy. Attribute values are never shown.</sub>",
        "",
      ].join("\n"),
    );
  });

  it("puts a totals table first for several stacks, says when nothing security- or reliability-relevant changes, folds long lists", () => {
    const many = Array.from({ length: 11 }, (_, i) => rc(`aws_subnet.s${String(i).padStart(2, "0")}`, ["create"]));
    const md = renderMarkdown(
      summarizePlans([
        { stack: "orders", plan: plan(many) },
        { stack: "orders-ec2", plan: plan([]) },
      ]),
      { title: "Plan for #42" },
    );
    expect(
      md.startsWith(
        "## Plan for #42\n\n| stack | add | change | replace | destroy |\n|---|---|---|---|---|\n| `orders` | 11 | 0 | 0 | 0 |\n| `orders-ec2` | 0 | 0 | 0 | 0 |\n",
      ),
    ).toBe(true);
    expect(md).toContain("No security or reliability changes (IAM, security groups and rules, secrets, KMS, listeners, alarms, autoscaling).");
    expect(md).toContain("<details><summary>All 11 resource changes</summary>");
    expect(md.indexOf("### `orders-ec2`")).toBeGreaterThan(md.indexOf("`aws_subnet.s10`"));
  });

  it("escapes table-breaking characters in addresses", () => {
    const md = renderMarkdown([summarizePlan("s", plan([{ ...rc("aws_iam_role.r", ["create"]), address: 'aws_iam_role.r["a|b`c"]' }]))]);
    expect(md).toContain('| `aws_iam_role.r["a\\|b\'c"]` | IAM | create | — |');
  });

  it("refuses the same stack twice", () => {
    expect(() =>
      summarizePlans([
        { stack: "a", plan: plan([]) },
        { stack: "a", plan: plan([]) },
      ]),
    ).toThrow('stack "a" given twice; name each plan with --stack');
  });
});

describe("parsePlanJson", () => {
  it.each([
    ["not JSON", "{", /^p\.json is not valid JSON \(.+\); pass the output of `terraform show -json <planfile>`$/],
    ["an array", "[]", /^p\.json is not a JSON object$/],
    ["no format_version", "{}", /^p\.json has no format_version: it is not the output of `terraform show -json <planfile>`$/],
    ["format 2", '{"format_version":"2.0"}', /^p\.json has format_version "2\.0"; only 1\.x is understood$/],
    ["a state", '{"format_version":"1.0","values":{}}', /^p\.json is a state \(`terraform show -json` without a plan file\), not a plan$/],
    [
      "a malformed change",
      '{"format_version":"1.2","resource_changes":[{"address":"x"}]}',
      /^p\.json has a malformed resource_changes\[0\] \(needs address, type and change\.actions\)$/,
    ],
  ])("refuses %s", (_label, text, message) => {
    expect(() => parsePlanJson(text, "p.json")).toThrow(message);
  });
});

describe("stackNameFromPath", () => {
  it.each([
    ["cdktf.out/stacks/orders-ec2/plan.json", "orders-ec2"],
    ["/tmp/orders.plan.json", "orders"],
    ["orders.tfplan.json", "orders"],
    ["out/orders-ec2.json", "orders-ec2"],
  ])("%s → %s", (file, stack) => expect(stackNameFromPath(file)).toBe(stack));
});

describe("ghcr-ecs plan-summary", () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-plan-summary-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const file = (name: string, content: PlanJson) => {
    const p = path.join(scratch, name);
    writeFileSync(p, JSON.stringify(content));
    return p;
  };

  async function cli(args: string[], stdinText?: string) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    let out = "";
    let err = "";
    stdout.on("data", (c) => (out += c));
    stderr.on("data", (c) => (err += c));
    stdin.end(stdinText ?? "");
    const code = await runCli(["plan-summary", ...args], { stdout, stderr, stdin });
    return { code, out, err };
  }

  it("prints Markdown for several files, naming stacks by file or --stack", async () => {
    const a = file("orders.plan.json", plan([rc("aws_vpc.a", ["create"])]));
    const b = file("second.json", plan([rc("aws_vpc.b", ["delete"])]));
    const byName = await cli([a, b]);
    expect(byName).toMatchObject({ code: 0, err: "" });
    expect(byName.out).toContain("| `orders` | 1 | 0 | 0 | 0 |\n| `second` | 0 | 0 | 0 | 1 |");
    const renamed = await cli(["--stack", "web", "--stack", "web-ec2", a, b]);
    expect(renamed.out).toContain("| `web` | 1 | 0 | 0 | 0 |\n| `web-ec2` | 0 | 0 | 0 | 1 |");
  });

  it("--json prints the counts document only", async () => {
    const a = file("orders.plan.json", plan([rc("aws_iam_role.r", ["delete", "create"], { replace_paths: [["name"]] })]));
    const { code, out } = await cli(["--json", a]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      stacks: [
        {
          stack: "orders",
          counts: { add: 0, change: 0, replace: 1, destroy: 0 },
          noChanges: false,
          errored: false,
          replacements: ["aws_iam_role.r"],
          deletions: [],
          securityRelevant: [{ address: "aws_iam_role.r", area: "IAM", action: "replace" }],
          rollout: [],
        },
      ],
    });
  });

  it("reads - from stdin", async () => {
    const { code, out } = await cli(["--stack", "piped", "-"], JSON.stringify(plan([])));
    expect(code).toBe(0);
    expect(out).toContain("### `piped`\n\n**No changes.**");
  });

  it("masks TF_VAR_registry_token even if a plan somehow carried it", async () => {
    const a = file("leak.json", plan([{ ...rc("aws_iam_role.r", ["create"]), address: `aws_iam_role.r["${SECRET}"]` }]));
    process.env.TF_VAR_registry_token = SECRET;
    try {
      const { code, out } = await cli([a]);
      expect(code).toBe(0);
      expect(out).toContain('`aws_iam_role.r["***"]`');
      expect(out).not.toContain(SECRET);
    } finally {
      delete process.env.TF_VAR_registry_token;
    }
  });

  it.each<[string, string[], RegExp]>([
    ["no file", [], /^error: plan-summary: no plan JSON file given\nfix: terraform show -json plan.tfplan > plan.json && ghcr-ecs plan-summary plan.json\n$/],
    ["a --stack count that does not match", ["--stack", "a", "x.json", "y.json"], /^error: plan-summary: 1 --stack for 2 plan files\n/],
    ["a missing file (a path is shown)", ["/nonexistent/orders.json"], /^error: plan-summary: cannot read \/nonexistent\/orders\.json: ENOENT\n$/],
    [
      "an argument that is not a path (not shown)",
      [SECRET],
      /^error: plan-summary: cannot read a plan file argument \(not shown: it does not look like a path\): ENOENT\n$/,
    ],
    ["an unknown flag", ["--stak", "x", "a.json"], /^error: plan-summary: Unknown option '--stak'/],
  ])("exits 2 for %s", async (_label, args, message) => {
    const { code, out, err } = await cli(args);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message);
    expect(err).not.toContain(SECRET);
  });

  it("other commands still refuse stray arguments without echoing them", async () => {
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (c) => (err += c));
    const code = await runCli(["rollout", SECRET], { stdout: new PassThrough(), stderr, stdin: new PassThrough() });
    expect(code).toBe(2);
    expect(err).toBe(
      "error: rollout: unexpected argument (not shown, in case it is a token; tokens are never accepted as arguments)\nfix: See ghcr-ecs rollout --help.\n",
    );
  });
});
