import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { applyBackend } from "../backend/apply";
import { CI_ROLES, GITHUB_OIDC_HOST, GITHUB_OIDC_URL, STS_AUDIENCE, subjectOf, type CiRole } from "../ci/github-oidc";
import { deployRolePolicy, planRolePolicy, watchRolePolicy, type AccountContext } from "../ci/role-policies";
import { DEFAULTS } from "../config/defaults";
import type { CiModel } from "../config/model";
import { GitHubActionsRole } from "../constructs/github-actions-role";
import { REQUIRED_TERRAFORM_VERSION } from "./environment-base";

export interface CiStackProps {
  readonly ci: CiModel;
  /**
   * Local state file (until a remote backend is configured).
   * @default - cdktf's default: `terraform.<stack>.tfstate` in the directory synth ran from
   */
  readonly localStateFile?: string;
}

/** The variable each workflow reads the role's ARN from, and what the role is for. */
const ROLE_PURPOSE: Record<CiRole, { readonly variable: string; readonly description: string }> = {
  plan: { variable: "AWS_PLAN_ROLE_ARN", description: "pull request plans (pr.yml): read-only" },
  deploy: { variable: "AWS_DEPLOY_ROLE_ARN", description: "deploys from the protected environment (deploy.yml)" },
  watch: {
    variable: "AWS_WATCH_ROLE_ARN",
    description: "the daily credentials watch (credentials-watch.yml): read the credential secrets, describe the services",
  },
};

/**
 * `<name>-ci`: the GitHub Actions OIDC provider (created, or the account's own reused) and the plan, deploy and
 * watch roles, each trusted for exactly one `sub` of one repository. Deployed once by an administrator; the deploy
 * workflow never deploys it (its role is denied every IAM action on these roles and the provider).
 */
export class CiStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: CiStackProps) {
    super(scope, id);
    const { ci } = props;
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
    applyBackend(this, ci.backend, id, { defaultRegion: ci.region, localStateFile: props.localStateFile });
    new AwsProvider(this, "aws", { region: ci.region, defaultTags: [{ tags: { ...ci.tags, "ghcr-ecs:deployment": id, ManagedBy: "ghcr-ecs" } }] });
    const account: AccountContext = {
      accountId: new DataAwsCallerIdentity(this, "account").accountId,
      partition: new DataAwsPartition(this, "partition").partition,
    };
    const providerArn =
      ci.settings.oidcProviderArn ?? new IamOpenidConnectProvider(this, "github-oidc-provider", { url: GITHUB_OIDC_URL, clientIdList: [STS_AUDIENCE] }).arn;

    const roleName = (role: CiRole) => `${id}-${role}`;
    const protectedArns = [
      ...CI_ROLES.map((role) => `arn:${account.partition}:iam::${account.accountId}:role/${roleName(role)}`),
      `arn:${account.partition}:iam::${account.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
    ];
    const permissions: Record<CiRole, { managedPolicyArns: readonly string[]; policy: ReturnType<typeof planRolePolicy> }> = {
      plan: { managedPolicyArns: [`arn:${account.partition}:iam::aws:policy/ReadOnlyAccess`], policy: planRolePolicy(ci.environments, account) },
      deploy: {
        managedPolicyArns: ci.settings.deployManagedPolicyArns ?? [`arn:${account.partition}:iam::aws:policy/${DEFAULTS.ci.deployManagedPolicy}`],
        policy: deployRolePolicy(ci.environments, account, { protectedArns }),
      },
      watch: { managedPolicyArns: [], policy: watchRolePolicy(ci.environments, account) },
    };
    for (const role of CI_ROLES) {
      const created = new GitHubActionsRole(this, `${role}-role`, {
        name: roleName(role),
        description: `GitHub Actions of ${ci.settings.repository}: ${ROLE_PURPOSE[role].description}`,
        providerArn,
        subject: subjectOf(role, ci.settings),
        ...permissions[role],
      });
      new TerraformOutput(this, `${role}_role_arn`, { value: created.roleArn, description: `vars.${ROLE_PURPOSE[role].variable}` });
    }
    new TerraformOutput(this, "oidc_provider_arn", { value: providerArn });
  }
}
