import { renderJson, renderMarkdown } from "../../../src/plan-summary/markdown";
import type { StackSummary, SummarizedChange } from "../../../src/plan-summary/summarize";

const change = (address: string, extra: Partial<SummarizedChange> = {}): SummarizedChange => ({
  address,
  type: address.split(".")[0],
  action: "change",
  attributes: [],
  sensitiveAttributes: [],
  ...extra,
});
const summary = (stack: string, changes: SummarizedChange[], extra: Partial<StackSummary> = {}): StackSummary => ({
  stack,
  counts: { add: 0, change: changes.length, replace: 0, destroy: 0 },
  changes,
  rollout: [],
  errored: false,
  ...extra,
});

describe("renderMarkdown's tables", () => {
  it("says why each replacement and deletion happens, and what it cannot say", () => {
    const markdown = renderMarkdown([
      summary("orders", [
        change("aws_lb.alb", { action: "replace", replaceOrder: "delete-then-create", attributes: ["name"], reason: "replace_because_cannot_update" }),
        change("aws_ecs_task_definition.td", { action: "replace", replaceOrder: "create-then-delete", reason: "replace_because_tainted" }),
        change("aws_s3_bucket.old", { action: "destroy" }),
        change("aws_sns_topic.kept", { action: "forget", reason: "delete_because_no_resource_config" }),
      ]),
    ]);
    expect(markdown).toContain(
      [
        "#### ⚠️ Replacements and deletions",
        "",
        "| resource | action | why |",
        "|---|---|---|",
        "| `aws_lb.alb` | replace (destroy, then create) | forced by `name`; `replace_because_cannot_update` |",
        "| `aws_ecs_task_definition.td` | replace (create new, then destroy old) | `replace_because_tainted` |",
        "| `aws_s3_bucket.old` | destroy | — |",
        "| `aws_sns_topic.kept` | forget (removed from state, not destroyed) | `delete_because_no_resource_config` |",
        "",
      ].join("\n"),
    );
  });

  it("marks sensitive attributes, keeps table cells whole, and never breaks a code span", () => {
    const markdown = renderMarkdown([
      summary("orders", [
        change("aws_iam_role.r", { attributes: ["assume_role_policy", "secret_string_wo"], sensitiveAttributes: ["secret_string_wo"], security: "IAM" }),
        change("module.a|b.aws_x.y`z\\w\nv"),
      ]),
    ]);
    expect(markdown).toContain("| `aws_iam_role.r` | IAM | update in place | `assume_role_policy`, `secret_string_wo` (sensitive) |");
    expect(markdown).toContain("| `module.a\\|b.aws_x.y'z\\\\w v` | update in place | — |");
  });

  it("lists ten changes in the open and folds eleven", () => {
    const ten = Array.from({ length: 10 }, (_, i) => change(`aws_x.r${i}`));
    expect(renderMarkdown([summary("s", ten)])).toContain("#### All resource changes\n\n| resource | action | changed attributes |");
    const eleven = [...ten, change("aws_x.r10")];
    const folded = renderMarkdown([summary("s", eleven)]);
    expect(folded).toContain("<details><summary>All 11 resource changes</summary>\n\n| resource | action | changed attributes |");
    expect(folded).toContain("| `aws_x.r10` | update in place | — |\n\n</details>\n");
    expect(folded).not.toContain("#### All resource changes");
  });

  it("warns above an incomplete plan, and totals several stacks with the one that failed marked", () => {
    const failed = summary("orders-ec2", [change("aws_x.a")], { errored: true, counts: { add: 1, change: 0, replace: 2, destroy: 3 } });
    const markdown = renderMarkdown([summary("orders", []), failed], { title: "Plan of main" });
    expect(markdown.startsWith("## Plan of main\n\n| stack | add | change | replace | destroy |\n|---|---|---|---|---|\n")).toBe(true);
    expect(markdown).toContain("| `orders` | 0 | 0 | 0 | 0 |\n| `orders-ec2` (plan failed) | 1 | 0 | 2 | 3 |\n");
    expect(markdown).toContain(
      "### `orders-ec2`\n\n> [!CAUTION]\n> Planning failed part-way: this plan is incomplete. Read the job log for the error.\n\n**Plan:** 1 to add, 0 to change, 2 to replace, 3 to destroy.\n",
    );
    expect(markdown).toContain("### `orders`\n\n**No changes.** The infrastructure matches the configuration.\n");
    expect(markdown.endsWith("<sub>Replacements are counted once, not as an add plus a destroy. Attribute values are never shown.</sub>\n")).toBe(true);
    expect(renderMarkdown([summary("one", [])]).startsWith("## Terraform plan\n\n### `one`")).toBe(true);
  });

  it("shows each rollout line with its clock", () => {
    expect(renderMarkdown([summary("s", [change("aws_x.a")], { rollout: ["orders: rolling deploy ≈ 1m 35s"] })])).toContain(
      "⏱️ orders: rolling deploy ≈ 1m 35s\n",
    );
  });
});

describe("renderJson", () => {
  it("lists per stack the counts, the replacements, the deletions and the security-relevant changes", () => {
    const changes = [
      change("aws_lb.alb", { action: "replace" }),
      change("aws_s3_bucket.old", { action: "destroy" }),
      change("aws_iam_role.r", { security: "IAM" }),
      change("aws_x.y", { action: "add" }),
    ];
    expect(renderJson([summary("orders", changes, { rollout: ["r"] }), summary("idle", [])])).toEqual({
      stacks: [
        {
          stack: "orders",
          counts: { add: 0, change: 4, replace: 0, destroy: 0 },
          noChanges: false,
          errored: false,
          replacements: ["aws_lb.alb"],
          deletions: ["aws_s3_bucket.old"],
          securityRelevant: [{ address: "aws_iam_role.r", area: "IAM", action: "change" }],
          rollout: ["r"],
        },
        {
          stack: "idle",
          counts: { add: 0, change: 0, replace: 0, destroy: 0 },
          noChanges: true,
          errored: false,
          replacements: [],
          deletions: [],
          securityRelevant: [],
          rollout: [],
        },
      ],
    });
  });
});
