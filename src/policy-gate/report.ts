import type { PolicyGateResult, RuleResult, RuleStatus } from "./gate";

const LABEL: Record<RuleStatus, string> = { pass: "PASS", fail: "FAIL", waived: "WAIVED", "n/a": "n/a" };

function scannerIds(rule: RuleResult["rule"]): string {
  const checkov = rule.checkov.length ? rule.checkov.join(", ") : "-";
  const trivy = rule.trivy.length ? rule.trivy.join(", ") : "-";
  return `checkov ${checkov} | trivy ${trivy}`;
}

/** The human-readable report: per stack, one line per rule, then every finding with its fix or its waiver. */
export function formatPolicyReport(result: PolicyGateResult): string {
  const lines: string[] = [];
  const ruleCount = result.stacks[0]?.rules.length ?? 0;
  lines.push(`Policy gate: ${ruleCount} rules over ${result.stacks.length} stack${result.stacks.length === 1 ? "" : "s"}`);
  const idWidth = Math.max(...result.stacks.flatMap((s) => s.rules.map((r) => r.rule.id.length)));
  for (const stack of result.stacks) {
    lines.push("", `== ${stack.stack} ==`);
    for (const rule of stack.rules) {
      lines.push(`  ${LABEL[rule.status].padEnd(6)}  ${rule.rule.id.padEnd(idWidth)}  ${scannerIds(rule.rule)}`);
      if (rule.status === "n/a") {
        lines.push(`          (${rule.notApplicable})`);
        continue;
      }
      for (const finding of rule.findings) {
        lines.push(`          ${finding.address}: ${finding.message}`);
        if (finding.waiver) {
          lines.push(
            `            waived (${finding.waiver.source === "config" ? "by the config" : `waiver ${finding.waiver.rule}${finding.waiver.resource ? ` on ${finding.waiver.resource}` : ""}`}): ${finding.waiver.reason}`,
          );
        } else {
          lines.push(`            fix: ${finding.fix}`);
        }
      }
    }
    const { pass, fail, waived } = stack.counts;
    lines.push(`  ${stack.stack}: ${pass} pass, ${fail} fail, ${waived} waived, ${stack.counts["n/a"]} n/a`);
  }
  for (const waiver of result.staleWaivers) {
    lines.push(
      "",
      `warning: stale waiver ${waiver.rule}${waiver.resource ? ` on ${waiver.resource}` : ""} matched no finding (reason was: ${waiver.reason}); remove it`,
    );
  }
  lines.push(
    "",
    result.passed
      ? "Policy gate passed."
      : `Policy gate FAILED: ${result.violations} unwaived finding${result.violations === 1 ? "" : "s"}. Fix them, or declare a waiver with a reason.`,
  );
  return `${lines.join("\n")}\n`;
}

/** The machine-readable report (stable keys; no functions). */
export function policyReportJson(result: PolicyGateResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
