import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { TerraformDocument } from "../../../src/terraform/document";
import { referenceInput } from "../../helpers/configs";
import { containerDefinitions, onlyResource, resources, synthEnvironment, synthStack, type PolicyStatement } from "../../helpers/synth";

const MIRROR_EXAMPLE = path.join(__dirname, "..", "..", "..", "config", "examples", "private-mirror.json");
const mirrorExample = () => JSON.parse(readFileSync(MIRROR_EXAMPLE, "utf8")) as Record<string, unknown>;
const DIGEST = "sha256:4b5e6f0c1a2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f";
const ECR_HOST = "${data.aws_caller_identity.account.account_id}.dkr.ecr";

const types = (doc: TerraformDocument) => Object.keys(doc.resource ?? {});
const containersOf = (doc: TerraformDocument) => resources(doc, "aws_ecs_task_definition").flatMap((t) => containerDefinitions(t.block.container_definitions));
const statementsOf = (doc: TerraformDocument, address: string) =>
  (JSON.parse(String(doc.resource!.aws_iam_role_policy[address].policy)) as { Statement: PolicyStatement[] }).Statement;

/** An app on ghcr.io, mirrored, without NAT: an api reading an SSM parameter with ECS Exec on, and a worker. */
function mirroredApp(): TerraformDocument {
  return synthEnvironment(
    {
      name: "shop",
      region: "us-east-1",
      credentials: { mode: "managed", username: "acme-ci-bot" },
      registry: { mode: "ecr-pull-through-cache", ecrRepositoryPrefix: "mirrors/ghcr" },
      encryption: { mode: "aws-managed" },
      network: { mode: "create", egress: "vpc-endpoints", azCount: 3 },
      services: {
        api: {
          image: "ghcr.io/acme/api:2.0.0",
          cpu: 512,
          memory: 1024,
          exec: true,
          readOnlyRootFilesystem: false,
          secrets: { FLAG: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/flag" },
        },
        worker: { image: "ghcr.io/acme/worker:2.0.0", cpu: 256, memory: 512, loadBalanced: false },
      },
    },
    "shop",
  );
}

describe("direct pulls through NAT (the default)", () => {
  it("synthesize no ECR, no endpoint, and the HTTPS egress and repositoryCredentials of before", () => {
    const doc = synthStack(referenceInput());
    expect(types(doc).filter((t) => /^aws_ecr_|^aws_vpc_endpoint/.test(t))).toEqual([]);
    expect(resources(doc, "aws_nat_gateway")).toHaveLength(1);
    expect(containersOf(doc)[0]).toMatchObject({
      image: "ghcr.io/acme/orders-service:1.4.2",
      repositoryCredentials: { credentialsParameter: expect.any(String) as unknown },
    });
    expect(onlyResource(doc, "aws_secretsmanager_secret").block).toMatchObject({
      name: "orders/registry-credentials",
      lifecycle: { ignore_changes: ['tags["ghcr-ecs:token-expires"]'] },
    });
    expect(onlyResource(doc, "aws_secretsmanager_secret").block.lifecycle).not.toHaveProperty("create_before_destroy");
  });
});

describe("the ECR pull-through cache", () => {
  const doc = synthStack(mirrorExample());

  it("writes {username, accessToken} into ecr-pullthroughcache/<stack>, from the ephemeral variable only", () => {
    expect(onlyResource(doc, "aws_secretsmanager_secret").block).toMatchObject({ name: "ecr-pullthroughcache/payments" });
    expect(onlyResource(doc, "aws_secretsmanager_secret").block.kms_key_id).toBeUndefined();
    // Moving a direct deployment to the cache renames the secret: the new one first, so no task start finds neither.
    expect(onlyResource(doc, "aws_secretsmanager_secret").block.lifecycle).toEqual({
      create_before_destroy: true,
      ignore_changes: ['tags["ghcr-ecs:token-expires"]'],
    });
    expect(onlyResource(doc, "aws_secretsmanager_secret_version").block.secret_string_wo).toBe(
      '${var.registry_token == null ? "" : jsonencode({ username = "acme-ci-bot", accessToken = var.registry_token })}',
    );
  });

  it("creates the template before the rule, and starts the service only once the rule and the credential exist", () => {
    const rule = onlyResource(doc, "aws_ecr_pull_through_cache_rule");
    expect(rule.block).toMatchObject({
      ecr_repository_prefix: "ghcr",
      upstream_registry_url: "ghcr.io",
      credential_arn: "${aws_secretsmanager_secret.registry-credentials_secret_6C9C96A8.arn}",
      depends_on: [`aws_ecr_repository_creation_template.${onlyResource(doc, "aws_ecr_repository_creation_template").name}`],
    });
    expect(onlyResource(doc, "aws_ecs_service").block.depends_on).toEqual(
      expect.arrayContaining([`aws_ecr_pull_through_cache_rule.${rule.name}`, "aws_secretsmanager_secret_version.registry-credentials_value_4B26D7A9"]),
    );
  });

  it("runs the image from this account's ECR by digest, without repositoryCredentials", () => {
    const [container] = containersOf(doc);
    expect(container.image).toBe(`${ECR_HOST}.eu-west-2.amazonaws.com/ghcr/acme/payments@${DIGEST}`);
    expect(container.repositoryCredentials).toBeUndefined();
  });

  it("lets ECR assume the template role only for this account, to create and encrypt the prefix's repositories", () => {
    const role = resources(doc, "aws_iam_role").find((r) => r.block.name === "payments-ecr-cache")!;
    expect(JSON.parse(String(role.block.assume_role_policy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EcrOfThisAccountOnly",
          Effect: "Allow",
          Principal: { Service: "ecr.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "${data.aws_caller_identity.account.account_id}" } },
        },
      ],
    });
    const policy = resources(doc, "aws_iam_role_policy").find((p) => p.block.name === "create-cached-repositories")!;
    expect(statementsOf(doc, policy.name).map((s) => [s.Sid, s.Action])).toEqual([
      ["CreateTheCachesRepositories", ["ecr:CreateRepository", "ecr:TagResource"]],
      ["EncryptThemWithTheKey", ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"]],
    ]);
  });

  it("has no NAT gateway, Elastic IP or default route in the private subnets", () => {
    expect(resources(doc, "aws_nat_gateway")).toEqual([]);
    expect(resources(doc, "aws_eip")).toEqual([]);
    expect(resources(doc, "aws_route").map((r) => r.name)).toEqual(["network_public-default_3421D37F"]);
    expect(resources(doc, "aws_vpc_endpoint").map((r) => [String(r.block.service_name), String(r.block.vpc_endpoint_type)])).toEqual([
      ["com.amazonaws.eu-west-2.ecr.api", "Interface"],
      ["com.amazonaws.eu-west-2.ecr.dkr", "Interface"],
      ["com.amazonaws.eu-west-2.logs", "Interface"],
      ["com.amazonaws.eu-west-2.s3", "Gateway"],
      ["com.amazonaws.eu-west-2.secretsmanager", "Interface"],
    ]);
  });
});

describe("a mirrored app without NAT", () => {
  const doc = mirroredApp();

  it("adds the SSM endpoint for a parameter a container reads and SSM messages for ECS Exec", () => {
    expect(resources(doc, "aws_vpc_endpoint").map((r) => String(r.block.service_name).replace("com.amazonaws.us-east-1.", ""))).toEqual([
      "ecr.api",
      "ecr.dkr",
      "logs",
      "s3",
      "secretsmanager",
      "ssm",
      "ssmmessages",
    ]);
    for (const endpoint of resources(doc, "aws_vpc_endpoint").filter((e) => e.block.vpc_endpoint_type === "Interface")) {
      expect(endpoint.block.subnet_ids).toHaveLength(3);
    }
  });

  it("pulls every service through the cache under the configured prefix, and admits each service's tasks to the endpoints", () => {
    const images = containersOf(doc).map((c) => c.image);
    expect(images.sort()).toEqual(["api:2.0.0", "worker:2.0.0"].map((name) => `${ECR_HOST}.us-east-1.amazonaws.com/mirrors/ghcr/acme/${name}`));
    const ingress = resources(doc, "aws_vpc_security_group_ingress_rule").filter((r) =>
      String(r.block.security_group_id).includes("aws_security_group.endpoints_sg"),
    );
    expect(ingress.map((r) => String(r.block.referenced_security_group_id)).sort()).toEqual([
      "${aws_security_group.services_api_service_sg_312EB586.id}",
      "${aws_security_group.services_worker_service_sg_71F88301.id}",
    ]);
    const executionPolicies = resources(doc, "aws_iam_role_policy").filter((p) => p.block.name === "pull-image-read-secrets-write-logs");
    for (const policy of executionPolicies) {
      const statements = statementsOf(doc, policy.name);
      expect(statements.find((s) => s.Sid === "PullThroughTheCache")?.Resource).toBe(
        "arn:${data.aws_partition.partition.partition}:ecr:us-east-1:${data.aws_caller_identity.account.account_id}:repository/mirrors/ghcr/*",
      );
      expect(statements.some((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"))).toBe(false);
    }
  });
});
