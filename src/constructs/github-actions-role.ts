import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { PolicyDocument } from "../aws/iam-policies";
import { githubActionsTrustPolicy } from "../ci/github-oidc";

export interface GitHubActionsRoleProps {
  /** The role's name. */
  readonly name: string;
  readonly description: string;
  /** The account's GitHub Actions OIDC provider. */
  readonly providerArn: string;
  /** The one `sub` claim trusted (see `subjectOf`). */
  readonly subject: string;
  /**
   * Managed policies to attach.
   * @default [] - only `policy`
   */
  readonly managedPolicyArns?: readonly string[];
  /** The role's inline policy. */
  readonly policy: PolicyDocument;
}

/** A role only one GitHub Actions identity (one repository's pull requests, environment or branch) can assume. */
export class GitHubActionsRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: GitHubActionsRoleProps) {
    super(scope, id);
    const role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: JSON.stringify(githubActionsTrustPolicy(props.providerArn, props.subject)),
    });
    (props.managedPolicyArns ?? []).forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `managed-policy-${index}`, { role: role.name, policyArn });
    });
    new IamRolePolicy(this, "policy", { name: "ghcr-ecs", role: role.id, policy: JSON.stringify(props.policy) });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
