import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../../src/config/load";
import type { Config, ConfigInput } from "../../src/config";

export const REFERENCE_CONFIG_FILE = path.join(__dirname, "..", "..", "config", "reference-app.json");

export function referenceInput(): ConfigInput {
  return JSON.parse(readFileSync(REFERENCE_CONFIG_FILE, "utf8")) as ConfigInput;
}

/** The reference app's config with top-level keys replaced. */
export function configWith(overrides: Partial<ConfigInput>): Config {
  return parseConfig({ ...referenceInput(), ...overrides });
}

/** Config variants that together reach every branch of the stack (network, TLS, secret and key modes). */
export const STACK_VARIANTS: Record<string, Partial<ConfigInput>> = {
  "reference app (created CMK, single NAT, HTTP)": {},
  "HTTPS, internal ALB, per-AZ NAT, 3 AZs, container secrets": {
    name: "orders-internal",
    network: { mode: "create", azCount: 3, natGateways: "per-az" },
    loadBalancer: {
      scheme: "internal",
      ingressCidrs: ["10.0.0.0/8", "192.168.0.0/16"],
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
    secrets: {
      DB_PASSWORD: "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbC123:password::",
      API_KEY: "arn:aws:ssm:us-east-1:123456789012:parameter/orders/api-key",
    },
  },
  "existing VPC, existing secret and key, AWS-managed encryption": {
    name: "orders-existing",
    credentials: {
      mode: "existing",
      existingSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-XyZ789",
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
    encryption: { mode: "aws-managed" },
    network: {
      mode: "existing",
      vpcId: "vpc-0123456789abcdef0",
      loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      serviceSubnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
    },
  },
  "no NAT (public tasks), existing KMS key, ARM64": {
    name: "orders-cheap",
    network: { mode: "create", natGateways: "none" },
    encryption: { mode: "existing-key", keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    cpuArchitecture: "ARM64",
    cpu: 256,
    memory: 512,
    containerMemory: undefined,
  },
  "ECR pull-through cache, VPC endpoints instead of NAT": {
    name: "orders-mirror",
    registry: { mode: "ecr-pull-through-cache" },
    network: { mode: "create", egress: "vpc-endpoints" },
    launchType: "fargate",
    ec2: undefined,
  },
};
