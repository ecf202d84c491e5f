/**
 * What Fargate tasks without a route to the internet need to reach AWS: which VPC endpoints, and what each may be
 * used for. Plain data; the VpcEndpoints construct creates them.
 */
import type { PolicyDocument } from "./iam-policies";

export interface EndpointNeeds {
  /** A container reads an SSM parameter (`secrets` from Parameter Store). */
  readonly containerParameters: boolean;
  /** A service has ECS Exec on (its agent opens SSM messages channels). */
  readonly exec: boolean;
}

/**
 * The interface endpoints, by service suffix: ECR's API (authorization token) and registry (manifests), CloudWatch
 * Logs (awslogs), Secrets Manager (container secrets); SSM and SSM messages only when used.
 */
export function interfaceEndpoints(needs: EndpointNeeds): string[] {
  return ["ecr.api", "ecr.dkr", "logs", "secretsmanager", ...(needs.containerParameters ? ["ssm"] : []), ...(needs.exec ? ["ssmmessages"] : [])];
}

/** An interface endpoint's policy: any action, by principals of this account only. */
export function accountOnlyEndpointPolicy(accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PrincipalsOfThisAccountOnly",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "*",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
      },
    ],
  };
}

/**
 * The S3 gateway endpoint's policy: only ECR's image layers, which ECR serves from its regional `starport` bucket
 * through pre-signed URLs (signed by ECR, so the principal is not this account's).
 */
export function ecrLayersEndpointPolicy(partition: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EcrImageLayersOnly",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:GetObject",
        Resource: `arn:${partition}:s3:::prod-${region}-starport-layer-bucket/*`,
      },
    ],
  };
}
