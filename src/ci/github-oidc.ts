/**
 * GitHub Actions' OIDC tokens as AWS sees them: the issuer, the audience `configure-aws-credentials` asks for, the
 * `sub` claim each workflow's job carries (GitHub's default claim template), and the trust policy that admits
 * exactly one of them.
 */
import type { PolicyDocument } from "../aws/iam-policies";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
/** The audience `aws-actions/configure-aws-credentials` requests. */
export const STS_AUDIENCE = "sts.amazonaws.com";
export const AUDIENCE_CLAIM = `${GITHUB_OIDC_HOST}:aud`;
export const SUBJECT_CLAIM = `${GITHUB_OIDC_HOST}:sub`;

/** The three identities the workflows use: pr.yml plans, deploy.yml deploys, credentials-watch.yml watches. */
export type CiRole = "plan" | "deploy" | "watch";
export const CI_ROLES: readonly CiRole[] = ["plan", "deploy", "watch"];

export interface GitHubTrustSettings {
  readonly repository: string;
  readonly deployEnvironment: string;
  readonly defaultBranch: string;
}

/**
 * The `sub` claim of the job that assumes each role: a pull request's (`pull_request` events, any branch of the
 * repository — never a fork, which gets no token), the deploy environment's (any job that names it: its
 * deployment-branch rule is what keeps it to the default branch), and the default branch's (schedules and dispatches).
 */
export function subjectOf(role: CiRole, settings: GitHubTrustSettings): string {
  switch (role) {
    case "plan":
      return `repo:${settings.repository}:pull_request`;
    case "deploy":
      return `repo:${settings.repository}:environment:${settings.deployEnvironment}`;
    case "watch":
      return `repo:${settings.repository}:ref:refs/heads/${settings.defaultBranch}`;
  }
}

/** Trust for one GitHub Actions identity: this provider, our audience, one exact subject (StringEquals, no wildcard). */
export function githubActionsTrustPolicy(providerArn: string, subject: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsOfOneRepositoryOnly",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [AUDIENCE_CLAIM]: STS_AUDIENCE, [SUBJECT_CLAIM]: subject } },
      },
    ],
  };
}
