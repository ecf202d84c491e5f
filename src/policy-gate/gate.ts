import type { Config } from "../config";
import { POLICY_RULES, ruleIds } from "./rules";
import { StackView, type Finding, type PolicyExpectations, type PolicyRule, type Severity, type StackInput } from "./types";
import { waiverMatches, type AppliedWaiver, type PolicyWaiver } from "./waivers";

export type RuleStatus = "pass" | "fail" | "waived" | "n/a";

export interface EvaluatedFinding extends Finding {
  /** The waiver that accepts this finding; absent for a violation. */
  readonly waiver?: AppliedWaiver;
}

export interface RuleSummary {
  readonly id: string;
  readonly title: string;
  readonly checkov: readonly string[];
  readonly trivy: readonly string[];
  readonly severity: Severity;
}

export interface RuleResult {
  readonly rule: RuleSummary;
  readonly status: RuleStatus;
  readonly findings: EvaluatedFinding[];
  /** Why the rule does not apply to this stack (status "n/a"). */
  readonly notApplicable?: string;
}

export interface StackResult {
  readonly stack: string;
  readonly rules: RuleResult[];
  readonly counts: Record<RuleStatus, number>;
}

export interface PolicyGateResult {
  /** False when any finding is not waived. */
  readonly passed: boolean;
  /** Unwaived findings over all stacks. */
  readonly violations: number;
  readonly stacks: StackResult[];
  /** Declared waivers that matched no finding in any stack: probably outdated or mistyped. */
  readonly staleWaivers: PolicyWaiver[];
}

export interface PolicyGateInput {
  readonly stacks: readonly StackInput[];
  /** Declared exceptions (config `policyWaivers` or a waivers file). */
  readonly waivers?: readonly PolicyWaiver[];
  /** The config's deliberate choices; without it the gate assumes the strict ones (CMK, no public task IPs). */
  readonly expectations?: PolicyExpectations;
  /** @default POLICY_RULES */
  readonly rules?: readonly PolicyRule[];
}

export const STRICT_EXPECTATIONS: PolicyExpectations = { customerManagedKey: true, publicTaskIps: false, production: true };

/** What a config deliberately chose that a scanner would flag. */
export function expectationsFromConfig(config: Pick<Config, "encryption" | "network" | "production">): PolicyExpectations {
  return {
    customerManagedKey: config.encryption.mode !== "aws-managed",
    publicTaskIps: config.network.mode === "create" ? config.network.natGateways === "none" : config.network.assignPublicIp,
    production: config.production,
  };
}

/** The waivers a config's choices imply; they are reported like declared ones, with the config as the reason. */
export function configWaivers(expectations: PolicyExpectations): AppliedWaiver[] {
  const waivers: AppliedWaiver[] = [];
  if (!expectations.customerManagedKey) {
    const reason = 'encryption.mode is "aws-managed": AWS-managed keys encrypt it by choice (set "create-cmk" or "existing-key" for a customer-managed key)';
    waivers.push(
      { rule: "secret-uses-cmk", reason, source: "config" },
      { rule: "log-group-cmk", reason, source: "config" },
      { rule: "ecs-exec-sessions-cmk", reason, source: "config" },
    );
  }
  if (expectations.publicTaskIps) {
    waivers.push({
      rule: "service-no-public-ip",
      reason:
        'the config chose public task IPs (network.natGateways "none", or assignPublicIp on an existing network): tasks reach the registry without NAT; their security group admits only the load balancer',
      source: "config",
    });
  }
  if (!expectations.production) {
    waivers.push({
      rule: "production-service-scales-and-alarms",
      reason: 'the stack is not marked "production": true, so a service may run at a fixed count or without alarms',
      source: "config",
    });
  }
  return waivers;
}

/** Runs every rule over every stack and applies the waivers. Pure: no files, no environment. */
export function runPolicyGate(input: PolicyGateInput): PolicyGateResult {
  if (input.stacks.length === 0) throw new Error("the policy gate needs at least one synthesized stack");
  const rules = input.rules ?? POLICY_RULES;
  const declaredOf = (waivers: readonly PolicyWaiver[]) => waivers.map((w): AppliedWaiver => ({ ...w, source: "declared" }));
  const gateDeclared = declaredOf(input.waivers ?? []);
  // A waiver is stale when no stack it was declared for used it; the same waiver declared for several stacks (an
  // app's environments) counts once.
  const declaredKeys = new Set<string>();
  const usedKeys = new Set<string>();
  const staleWaivers: PolicyWaiver[] = [];
  const keyOf = (w: PolicyWaiver) => JSON.stringify([w.rule, w.resource ?? null, w.reason]);

  const stacks = input.stacks.map((stackInput): StackResult => {
    const stack = new StackView(stackInput.name, stackInput.document);
    const declared = [...gateDeclared, ...declaredOf(stackInput.waivers ?? [])];
    const implied = configWaivers(stackInput.expectations ?? input.expectations ?? STRICT_EXPECTATIONS);
    for (const waiver of declared) {
      if (!declaredKeys.has(keyOf(waiver))) {
        declaredKeys.add(keyOf(waiver));
        const { source: _source, ...plain } = waiver;
        staleWaivers.push(plain);
      }
    }
    const results = rules.map((rule): RuleResult => {
      const summary: RuleSummary = { id: rule.id, title: rule.title, checkov: rule.checkov, trivy: rule.trivy, severity: rule.severity };
      if (!stack.hasAny(rule.resourceTypes)) {
        return { rule: summary, status: "n/a", findings: [], notApplicable: `no ${rule.resourceTypes.join(" / ")} in this stack` };
      }
      const outcome = safeCheck(rule, stack);
      if (!Array.isArray(outcome)) return { rule: summary, status: "n/a", findings: [], notApplicable: outcome.notApplicable };
      const findings = outcome.map((finding): EvaluatedFinding => {
        const waiver = [...declared, ...implied].find((w) => waiverMatches(w, ruleIds(rule), stack.name, finding.address));
        if (!waiver) return finding;
        if (waiver.source === "declared") usedKeys.add(keyOf(waiver));
        return { ...finding, waiver };
      });
      const status: RuleStatus = findings.length === 0 ? "pass" : findings.every((f) => f.waiver) ? "waived" : "fail";
      return { rule: summary, status, findings };
    });
    const counts: Record<RuleStatus, number> = { pass: 0, fail: 0, waived: 0, "n/a": 0 };
    for (const result of results) counts[result.status]++;
    return { stack: stack.name, rules: results, counts };
  });

  const violations = stacks
    .flatMap((s) => s.rules)
    .flatMap((r) => r.findings)
    .filter((f) => !f.waiver).length;
  return {
    passed: violations === 0,
    violations,
    stacks,
    staleWaivers: staleWaivers.filter((w) => !usedKeys.has(keyOf(w))),
  };
}

/** A rule that throws is a failure of that rule, not of the gate: the other rules still report. */
function safeCheck(rule: PolicyRule, stack: StackView): ReturnType<PolicyRule["check"]> {
  try {
    return rule.check(stack);
  } catch (error) {
    return [
      { address: stack.name, message: `the rule could not evaluate this stack: ${(error as Error).message}`, fix: "report this as a bug in the policy gate" },
    ];
  }
}
