import { AUDIENCE_CLAIM, GITHUB_OIDC_HOST, STS_AUDIENCE, SUBJECT_CLAIM } from "../../ci/github-oidc";
import type { Finding, PolicyRule, StackView } from "../types";
import { inspectPolicies, trustPolicies, type Statement } from "./iam";

/** Whether a statement's principal is GitHub's OIDC provider: by its ARN, or by a reference to this stack's provider resource. */
function trustsGitHub(statement: Statement, stack: StackView): boolean {
  const githubProviders = stack
    .resources("aws_iam_openid_connect_provider")
    .filter((provider) => String(provider.block.url ?? "").includes(GITHUB_OIDC_HOST))
    .map((provider) => `\${${provider.address}.arn}`);
  return statement.principals.some((principal) => {
    if (!principal.startsWith("Federated:")) return false;
    const id = principal.slice("Federated:".length);
    return id.includes(GITHUB_OIDC_HOST) || githubProviders.includes(id);
  });
}

/** A `sub` of GitHub's default claim template, with no IAM wildcard: `repo:OWNER/NAME:<context>`. */
const EXACT_SUBJECT = /^repo:[A-Za-z0-9-]+\/[A-Za-z0-9._-]+:[^*?]+$/;

function trustProblems(statement: Statement): string[] {
  const problems: string[] = [];
  const audiences = statement.conditions.StringEquals?.[AUDIENCE_CLAIM];
  if (audiences?.length !== 1 || audiences[0] !== STS_AUDIENCE) {
    problems.push(`requires ${AUDIENCE_CLAIM} ${audiences ? JSON.stringify(audiences) : "nowhere"} instead of StringEquals ${JSON.stringify(STS_AUDIENCE)}`);
  }
  for (const [operator, keys] of Object.entries(statement.conditions)) {
    if (operator !== "StringEquals" && keys[SUBJECT_CLAIM]) {
      problems.push(`matches ${SUBJECT_CLAIM} with ${operator} ${JSON.stringify(keys[SUBJECT_CLAIM])}: only StringEquals is exact`);
    }
  }
  const subjects = statement.conditions.StringEquals?.[SUBJECT_CLAIM];
  if (!subjects || subjects.length === 0) problems.push(`has no StringEquals on ${SUBJECT_CLAIM}: every repository's workflows could assume the role`);
  for (const subject of (subjects ?? []).filter((s) => !EXACT_SUBJECT.test(s))) {
    problems.push(`trusts the subject ${JSON.stringify(subject)}, which is not one exact repo:OWNER/NAME:<context> (no * or ?)`);
  }
  return problems;
}

const githubOidcTrustExact: PolicyRule = {
  id: "github-oidc-trust-exact",
  title: "Roles GitHub Actions assume trust our audience and exact subjects of one repository (never a wildcard)",
  checkov: ["CKV_AWS_358"],
  trivy: [],
  severity: "critical",
  resourceTypes: ["aws_iam_role"],
  check(stack) {
    let trusting = 0;
    const findings = inspectPolicies(stack, trustPolicies(stack), (statement, source): Finding[] => {
      if (statement.effect !== "Allow" || !trustsGitHub(statement, stack)) return [];
      trusting++;
      return trustProblems(statement).map((problem) => ({
        address: source.owner.address,
        message: `assume_role_policy ${statement.label} ${problem}`,
        fix: `StringEquals {"${AUDIENCE_CLAIM}": "${STS_AUDIENCE}", "${SUBJECT_CLAIM}": "repo:OWNER/NAME:pull_request" (or :environment:NAME, :ref:refs/heads/BRANCH)}`,
      }));
    });
    return trusting === 0 && findings.length === 0 ? { notApplicable: "no role trusts GitHub Actions" } : findings;
  },
};

export const GITHUB_OIDC_RULES: readonly PolicyRule[] = [githubOidcTrustExact];
