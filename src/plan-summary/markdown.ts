import type { StackSummary, SummarizedChange, SummaryAction } from "./summarize";

/** The hidden marker the pull-request workflow uses to find and update its one plan comment. */
export const PLAN_COMMENT_MARKER = "<!-- ghcr-ecs-plan -->";

const ACTION_LABEL: Record<SummaryAction, string> = {
  add: "create",
  change: "update in place",
  replace: "replace",
  destroy: "destroy",
  forget: "forget (removed from state, not destroyed)",
};

/** A table cell: pipes and line breaks would end the cell or the row; backticks would end the code span. */
function cell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ");
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

function attributeList(change: SummarizedChange): string {
  if (change.attributes.length === 0) return "";
  return change.attributes.map((name) => (change.sensitiveAttributes.includes(name) ? `${code(name)} (sensitive)` : code(name))).join(", ");
}

function actionText(change: SummarizedChange): string {
  if (change.action !== "replace") return ACTION_LABEL[change.action];
  return change.replaceOrder === "create-then-delete" ? "replace (create new, then destroy old)" : "replace (destroy, then create)";
}

/** `38 to add, 1 to change, 2 to replace, 0 to destroy` */
function countsLine(summary: StackSummary): string {
  const { add, change, replace, destroy } = summary.counts;
  return `${add} to add, ${change} to change, ${replace} to replace, ${destroy} to destroy`;
}

function hasChanges(summary: StackSummary): boolean {
  return summary.changes.length > 0;
}

function stackSection(summary: StackSummary, heading: string): string[] {
  const lines: string[] = [`${heading} \`${cell(summary.stack)}\``, ""];
  if (summary.errored) {
    lines.push("> [!CAUTION]", "> Planning failed part-way: this plan is incomplete. Read the job log for the error.", "");
  }
  if (!hasChanges(summary)) {
    lines.push("**No changes.** The infrastructure matches the configuration.", "");
  } else {
    lines.push(`**Plan:** ${countsLine(summary)}.`, "");
  }
  for (const rollout of summary.rollout) lines.push(`⏱️ ${rollout}`, "");

  const dangerous = summary.changes.filter((c) => c.action === "replace" || c.action === "destroy" || c.action === "forget");
  if (dangerous.length > 0) {
    lines.push(`${heading}# ⚠️ Replacements and deletions`, "", "| resource | action | why |", "|---|---|---|");
    for (const c of dangerous) {
      const why = [c.attributes.length > 0 ? `forced by ${attributeList(c)}` : "", c.reason ? code(c.reason) : ""].filter(Boolean).join("; ");
      lines.push(`| ${code(c.address)} | ${actionText(c)} | ${why || "—"} |`);
    }
    lines.push("");
  }

  const security = summary.changes.filter((c) => c.security);
  if (security.length > 0) {
    lines.push(`${heading}# 🔐 Security and reliability changes`, "", "| resource | area | action | attributes |", "|---|---|---|---|");
    for (const c of security) lines.push(`| ${code(c.address)} | ${c.security} | ${actionText(c)} | ${attributeList(c) || "—"} |`);
    lines.push("");
  } else if (hasChanges(summary)) {
    lines.push("No security or reliability changes (IAM, security groups and rules, secrets, KMS, listeners, alarms, autoscaling).", "");
  }

  if (hasChanges(summary)) {
    const all = summary.changes;
    const table = [
      "| resource | action | changed attributes |",
      "|---|---|---|",
      ...all.map((c) => `| ${code(c.address)} | ${actionText(c)} | ${attributeList(c) || "—"} |`),
    ];
    if (all.length > 10) lines.push(`<details><summary>All ${all.length} resource changes</summary>`, "", ...table, "", "</details>", "");
    else lines.push(`${heading}# All resource changes`, "", ...table, "");
  }
  return lines;
}

/**
 * The Markdown summary of one or more stacks' plans: a totals table when there are several stacks, then per stack
 * the counts, the expected rollout time, replacements and deletions, security-relevant changes and every change.
 * Attribute values never appear, only attribute names (sensitive ones marked), so nothing secret can leak.
 */
export function renderMarkdown(summaries: readonly StackSummary[], options: { title?: string } = {}): string {
  const lines: string[] = [`## ${options.title ?? "Terraform plan"}`, ""];
  if (summaries.length > 1) {
    lines.push("| stack | add | change | replace | destroy |", "|---|---|---|---|---|");
    for (const s of summaries) {
      const { add, change, replace, destroy } = s.counts;
      lines.push(`| ${code(s.stack)}${s.errored ? " (plan failed)" : ""} | ${add} | ${change} | ${replace} | ${destroy} |`);
    }
    lines.push("");
  }
  for (const summary of summaries) lines.push(...stackSection(summary, "###"));
  lines.push("<sub>Replacements are counted once, not as an add plus a destroy. Attribute values are never shown.</sub>", "");
  return lines.join("\n");
}

/** The `--json` document: counts and addresses per stack. */
export function renderJson(summaries: readonly StackSummary[]): object {
  return {
    stacks: summaries.map((s) => ({
      stack: s.stack,
      counts: s.counts,
      noChanges: s.changes.length === 0,
      errored: s.errored,
      replacements: s.changes.filter((c) => c.action === "replace").map((c) => c.address),
      deletions: s.changes.filter((c) => c.action === "destroy").map((c) => c.address),
      securityRelevant: s.changes.filter((c) => c.security).map((c) => ({ address: c.address, area: c.security, action: c.action })),
      rollout: s.rollout,
    })),
  };
}
