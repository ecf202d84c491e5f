/**
 * The opt-in CI bootstrap stack (`<name>-ci`): the GitHub OIDC provider and the three roles the workflows assume.
 * The same block in both config forms; it is never overridden per environment (one repository deploys them all).
 */
import { z } from "zod";
import { DEFAULTS } from "./defaults";
import { described, pattern, strictObject } from "./primitives";

/** GitHub's `owner/name` as the OIDC token's `repository` claim spells it. */
export const GITHUB_REPOSITORY_SOURCE = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}";
/** A GitHub environment name as it appears in the `sub` claim: no `:` (it separates the claim's parts), no wildcard. */
const ENVIRONMENT_SOURCE = "[A-Za-z0-9_.-][A-Za-z0-9 _.-]{0,254}";
/** A branch name without the characters git refuses and without wildcards (the trust condition must be exact). */
const BRANCH_SOURCE = "(?!/)(?!.*//)(?!.*\\.\\.)[A-Za-z0-9._/-]{1,255}(?<![/.])";
const OIDC_PROVIDER_ARN_SOURCE = "arn:aws(?:-us-gov)?:iam::\\d{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com";

export const ciSchema = strictObject({
  repository: described(
    pattern(GITHUB_REPOSITORY_SOURCE, "a GitHub repository as owner/name, e.g. acme/shop-infra (spelled as GitHub spells it: the trust is case-sensitive)"),
    "The GitHub repository whose workflows may assume the roles, `owner/name`, spelled exactly as GitHub shows it (the OIDC `sub` claim is compared case-sensitively).",
  ),
  deployEnvironment: described(
    pattern(ENVIRONMENT_SOURCE, 'a GitHub environment name (letters, digits, space, _ . -; no ":" and no wildcard), e.g. production').default(
      DEFAULTS.ci.deployEnvironment,
    ),
    "The GitHub environment the deploy job runs in (deploy.yml's `environment:`); only its tokens may assume the deploy role. Protect it with a deployment-branch rule for the default branch: the environment's `sub` claim carries no branch.",
  ),
  defaultBranch: described(
    pattern(BRANCH_SOURCE, "a branch name such as main (no wildcard, no leading or trailing /)").default(DEFAULTS.ci.defaultBranch),
    "The branch the scheduled credentials watch runs on; only its tokens may assume the watch role.",
  ),
  oidcProviderArn: described(
    pattern(
      OIDC_PROVIDER_ARN_SOURCE,
      "the ARN of the account's GitHub OIDC provider, e.g. arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    ).optional(),
    "Reuse the account's GitHub Actions OIDC provider (an account has at most one per URL). Default: the stack creates it.",
  ),
  deployManagedPolicyArns: described(
    z
      .array(pattern("arn:aws(?:-us-gov)?:iam::(?:aws|\\d{12}):policy/[A-Za-z0-9+=,.@_/-]{1,512}", "an IAM policy ARN"), {
        error: "must be a list of IAM policy ARNs",
      })
      .min(1, "must name at least one policy: the deploy role must be able to manage the stacks' resources")
      .max(10, "can attach at most 10 managed policies (IAM's quota per role)")
      .optional(),
    `Managed policies for the deploy role's non-IAM work (the stack scopes IAM itself to the stacks' role names). Default: AWS's \`${DEFAULTS.ci.deployManagedPolicy}\`.`,
  ),
});

export type CiSettings = z.output<typeof ciSchema>;
