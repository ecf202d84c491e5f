/**
 * AWS identifier formats, each defined once. Sources are regular-expression source strings (for composing ARNs and
 * for zod's `regex`); the anchored `RegExp`s test a whole value.
 */

/** `arn:aws`, `arn:aws-cn`, `arn:aws-us-gov`. */
const PARTITION_SOURCE = "arn:aws(?:-cn|-us-gov)?";
/** `us-east-1`, `us-gov-west-1`, `eu-central-2`. */
export const REGION_SOURCE = "[a-z]{2}(?:-gov)?-[a-z]+-\\d";
const ACCOUNT = "\\d{12}";

export const REGION = anchored(REGION_SOURCE);

/** A full Secrets Manager secret ARN, with the 6-character suffix AWS appends to the name. */
export const SECRET_ARN_SOURCE = `${PARTITION_SOURCE}:secretsmanager:${REGION_SOURCE}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}`;
export const SECRET_ARN_HINT =
  "the full secret ARN including the 6-character suffix AWS appends, e.g. arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123 (aws secretsmanager describe-secret --secret-id NAME --query ARN)";

/** A KMS key ARN (single- or multi-Region key; not an alias). */
export const KMS_KEY_ARN_SOURCE = `${PARTITION_SOURCE}:kms:${REGION_SOURCE}:${ACCOUNT}:key/(?:[a-f0-9-]{36}|mrk-[a-f0-9]{32})`;
export const KMS_KEY_ARN_HINT = "a KMS key ARN, e.g. arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)";

export const ACM_CERTIFICATE_ARN_SOURCE = `${PARTITION_SOURCE}:acm:${REGION_SOURCE}:${ACCOUNT}:certificate/[a-f0-9-]{36}`;

/** A container secret's source: a secret ARN, optionally `:json-key:version-stage:version-id`, or an SSM parameter ARN. */
export const CONTAINER_SECRET_SOURCE = `${SECRET_ARN_SOURCE}(?::[^:]*:[^:]*:[^:]*)?|${PARTITION_SOURCE}:ssm:${REGION_SOURCE}:${ACCOUNT}:parameter/[A-Za-z0-9/_.-]+`;

export const VPC_ID_SOURCE = "vpc-[0-9a-f]{8,17}";
export const SUBNET_ID_SOURCE = "subnet-[0-9a-f]{8,17}";
export const AMI_ID_SOURCE = "ami-[0-9a-f]{8,17}";
/** `t3.medium`, `m7g.large`, `c6gn.16xlarge`. */
export const INSTANCE_TYPE_SOURCE = "[a-z][a-z0-9-]*\\.[a-z0-9-]+";

function anchored(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}
