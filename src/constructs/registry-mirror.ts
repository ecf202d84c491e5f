import { Construct } from "constructs";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepositoryCreationTemplate } from "@cdktf/provider-aws/lib/ecr-repository-creation-template";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { ecrCreationTemplatePolicy, ecrCreationTemplateTrustPolicy } from "../aws/iam-policies";
import { cacheRepositoriesArn, mirrorLifecyclePolicy } from "../registry/ecr-mirror";

export interface RegistryMirrorProps {
  /** Deployment name: the template's role is `<name>-ecr-cache`. */
  readonly name: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** The ECR namespace of the cache, e.g. `ghcr`. */
  readonly ecrRepositoryPrefix: string;
  /** The registry ECR caches, e.g. `ghcr.io`. */
  readonly upstreamRegistryUrl: string;
  /**
   * The `ecr-pullthroughcache/…` secret holding `{"username","accessToken"}` for the upstream.
   * @default - none: the upstream is public (quay.io, registry.k8s.io, public.ecr.aws)
   */
  readonly credentialArn?: string;
  /**
   * Customer-managed key of the cached repositories.
   * @default - AES-256 with ECR's own key
   */
  readonly kmsKeyArn?: string;
  /** Images each cached repository keeps. */
  readonly keepImages: number;
  /** Tags of each repository the cache creates. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * An ECR pull-through cache in front of a private registry: the rule (upstream, prefix, credential) and the
 * creation template every repository it creates follows — immutable tags, the lifecycle policy, the stack's key.
 */
export class RegistryMirror extends Construct {
  /** `arn:…:repository/<prefix>/*`: what the execution roles pull from. */
  readonly repositoriesArn: string;
  /** The rule: a task must not start pulling before it exists. */
  readonly rule: EcrPullThroughCacheRule;

  constructor(scope: Construct, id: string, props: RegistryMirrorProps) {
    super(scope, id);
    if (!Number.isInteger(props.keepImages) || props.keepImages < 1 || props.keepImages > 1000) {
      throw new Error(`RegistryMirror keepImages ${props.keepImages} is invalid: use a whole number from 1 to 1000`);
    }
    this.repositoriesArn = cacheRepositoriesArn({ ...props, prefix: props.ecrRepositoryPrefix });
    // ECR applies a template with a customer-managed key or tags only through a role it may assume.
    const templateRole = new IamRole(this, "template-role", {
      name: `${props.name}-ecr-cache`,
      description: `ECR applies the ${props.ecrRepositoryPrefix}/ creation template (key, tags) with this role`,
      assumeRolePolicy: JSON.stringify(ecrCreationTemplateTrustPolicy(props.accountId)),
    });
    const templatePolicy = new IamRolePolicy(this, "template-policy", {
      name: "create-cached-repositories",
      role: templateRole.id,
      policy: JSON.stringify(ecrCreationTemplatePolicy({ repositoriesArn: this.repositoriesArn, kmsKeyArn: props.kmsKeyArn })),
    });
    const template = new EcrRepositoryCreationTemplate(this, "template", {
      prefix: props.ecrRepositoryPrefix,
      description: `Repositories the ${props.upstreamRegistryUrl} pull-through cache creates`,
      appliedFor: ["PULL_THROUGH_CACHE"],
      imageTagMutability: "IMMUTABLE",
      encryptionConfiguration: [props.kmsKeyArn ? { encryptionType: "KMS", kmsKey: props.kmsKeyArn } : { encryptionType: "AES256" }],
      lifecyclePolicy: JSON.stringify(mirrorLifecyclePolicy(props.keepImages)),
      resourceTags: { ...props.tags },
      customRoleArn: templateRole.arn,
      dependsOn: [templatePolicy],
    });
    // The template first: the first pull creates the repository from it.
    this.rule = new EcrPullThroughCacheRule(this, "rule", {
      ecrRepositoryPrefix: props.ecrRepositoryPrefix,
      upstreamRegistryUrl: props.upstreamRegistryUrl,
      credentialArn: props.credentialArn,
      dependsOn: [template],
    });
  }
}
