import { z } from "zod";
import { described } from "../config/primitives";
import { POLICY_RULES, ruleIds } from "./rules";

const KNOWN_RULE_IDS = [...new Set(POLICY_RULES.flatMap(ruleIds))];

/** One declared exception: a rule (ours or a checkov/trivy ID) on some resources, with the reason it is accepted. */
const policyWaiverSchema = z.strictObject(
  {
    rule: described(
      z
        .string({ error: 'must be a rule ID (ours, checkov\'s or trivy\'s), e.g. "alb-not-public" or "CKV_AWS_150"' })
        .refine((id) => KNOWN_RULE_IDS.some((known) => known.toLowerCase() === id.toLowerCase()), {
          error: (issue) => `unknown rule ${JSON.stringify(issue.input)}; the gate knows: ${KNOWN_RULE_IDS.join(", ")}`,
        }),
      "The rule to waive: our ID (`alb-not-public`), a checkov ID (`CKV_AWS_150`) or a trivy ID (`AVD-AWS-0053`), in any case.",
    ),
    resource: described(
      z
        .string({ error: 'must be a resource address or glob, e.g. "aws_lb.*" or "orders/aws_lb_listener.load-balancer_http_*"' })
        .min(1, "must not be empty (leave it out to waive the rule for every resource)")
        .optional(),
      "A glob (`*`, `?`) matched against the Terraform address, optionally prefixed with the stack (`orders-ec2/aws_launch_template.*`). Default: every resource.",
    ),
    reason: described(
      z
        .string({ error: "must say why the exception is accepted (at least 10 characters)" })
        .refine((text) => text.trim().length >= 10, "must say why the exception is accepted (at least 10 characters)"),
      "Why the exception is accepted, at least 10 characters; printed in every report.",
    ),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}; allowed keys: rule, resource, reason` : undefined,
  },
);

/** The `policyWaivers` list for the config schema. */
export const policyWaiversSchema = z.array(policyWaiverSchema).default([]);

export type PolicyWaiver = z.output<typeof policyWaiverSchema>;

/** Where a waiver came from: declared by the user, or implied by a deliberate config choice. */
export interface AppliedWaiver extends PolicyWaiver {
  readonly source: "declared" | "config";
}

/** Whether `waiver` covers a finding of `ruleIdsOfFinding` on `address` in `stack`. */
export function waiverMatches(waiver: PolicyWaiver, ruleIdsOfFinding: readonly string[], stack: string, address: string): boolean {
  if (!ruleIdsOfFinding.some((id) => id.toLowerCase() === waiver.rule.toLowerCase())) return false;
  if (waiver.resource === undefined) return true;
  const pattern = globToRegExp(waiver.resource);
  return pattern.test(address) || pattern.test(`${stack}/${address}`);
}

/** `*` matches any run of characters (dots included), `?` one character; everything else is literal. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

export class PolicyWaiverError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid policy waivers in ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PolicyWaiverError";
  }
}

/** Validates a waivers list (from a JSON file or the config), naming each invalid entry's field. */
export function parsePolicyWaivers(data: unknown, source: string): PolicyWaiver[] {
  const result = z.array(policyWaiverSchema, { error: "must be a list of {rule, resource?, reason}" }).safeParse(data);
  if (result.success) return result.data;
  throw new PolicyWaiverError(
    source,
    result.error.issues.map((issue) => {
      const path = issue.path.map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${String(segment)}`)).join("");
      return `${path ? path.replace(/^\./, "") : "(top level)"}: ${issue.message}`;
    }),
  );
}
