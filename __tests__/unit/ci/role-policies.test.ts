import { readFileSync } from "node:fs";
import * as path from "node:path";
import { deployRolePolicy, planRolePolicy, watchRolePolicy } from "../../../src/ci/role-policies";
import { parseDeploymentConfig } from "../../../src/config/load";
import { environmentsOf } from "../../../src/config/model";

const account = { accountId: "123456789012", partition: "aws" };
const EXAMPLE_APP = path.join(__dirname, "..", "..", "..", "config", "example-app.json");
const app = () => JSON.parse(readFileSync(EXAMPLE_APP, "utf8")) as Record<string, unknown> & { services: Record<string, Record<string, unknown>> };

function environments(change: (input: ReturnType<typeof app>) => void = () => undefined) {
  const input = app();
  change(input);
  return environmentsOf(parseDeploymentConfig(input));
}

const statement = <S extends { Sid?: string }>(document: { Statement: S[] }, sid: string) => document.Statement.find((s) => s.Sid === sid);
const S3_STATE = { type: "s3", bucket: "acme-tfstate", key: "shop/{stack}.tfstate", region: "eu-west-1" };

describe("the watch role's policy", () => {
  it("reads exactly the environments' credential secrets and describes exactly their services", () => {
    const policy = watchRolePolicy(environments(), account);
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      "ReadRegistryCredentialSecrets",
      "DecryptCredentialSecretsInShopStaging",
      "DecryptCredentialSecretsInShopProd",
      "DescribeServices",
    ]);
    expect(statement(policy, "ReadRegistryCredentialSecrets")).toEqual({
      Sid: "ReadRegistryCredentialSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-staging/registry-credentials-??????",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod/registry-credentials-??????",
      ],
    });
    expect(statement(policy, "DecryptCredentialSecretsInShopProd")).toEqual({
      Sid: "DecryptCredentialSecretsInShopProd",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: "arn:aws:kms:us-east-1:123456789012:key/*",
      Condition: {
        StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:SecretARN": ["arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod/registry-credentials-??????"] },
      },
    });
    expect(statement(policy, "DescribeServices")).toEqual({
      Sid: "DescribeServices",
      Effect: "Allow",
      Action: "ecs:DescribeServices",
      Resource: ["staging", "prod"].flatMap((env) => ["web", "api", "worker"].map((s) => `arn:aws:ecs:us-east-1:123456789012:service/shop-${env}/${s}`)),
    });
  });

  it("names a service's own existing secret by its ARN, and needs no kms grant for AWS-managed keys", () => {
    const existing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:partner/registry-AbC123";
    const policy = watchRolePolicy(
      environments((input) => {
        input.encryption = { mode: "aws-managed" };
        input.services.worker.credentials = { mode: "existing", existingSecretArn: existing };
      }),
      account,
    );
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["ReadRegistryCredentialSecrets", "DescribeServices"]);
    expect(statement(policy, "ReadRegistryCredentialSecrets")).toMatchObject({
      Resource: [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-staging/registry-credentials-??????",
        existing,
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod/registry-credentials-??????",
        existing,
      ],
    });
  });

  it("reads the S3 state of each environment, decrypting with the state key only", () => {
    const policy = watchRolePolicy(
      environments((input) => (input.backend = { ...S3_STATE, kmsKeyId: "alias/tfstate" })),
      account,
    );
    expect(policy.Statement.slice(0, 3)).toEqual([
      { Sid: "ListStateBuckets", Effect: "Allow", Action: "s3:ListBucket", Resource: ["arn:aws:s3:::acme-tfstate"] },
      {
        Sid: "ReadState",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: ["arn:aws:s3:::acme-tfstate/shop/shop-staging.tfstate", "arn:aws:s3:::acme-tfstate/shop/shop-prod.tfstate"],
      },
      {
        Sid: "StateKey0",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:eu-west-1:123456789012:key/*",
        Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/tfstate" } },
      },
    ]);
  });
});

describe("the CI roles of an environment behind the ECR pull-through cache", () => {
  const mirrored = () =>
    environments((input) => {
      input.registry = { mode: "ecr-pull-through-cache" };
    });

  it("let the watch read the cache's secret (AWS-managed key: no kms grant) and ask ECR what it holds under the prefix", () => {
    const policy = watchRolePolicy(mirrored(), account);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["ReadRegistryCredentialSecrets", "DescribeServices", "DescribeCachedImages"]);
    expect(statement(policy, "ReadRegistryCredentialSecrets")).toMatchObject({
      Resource: [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/shop-staging-??????",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/shop-prod-??????",
      ],
    });
    expect(statement(policy, "DescribeCachedImages")).toEqual({
      Sid: "DescribeCachedImages",
      Effect: "Allow",
      Action: "ecr:DescribeImages",
      Resource: ["arn:aws:ecr:us-east-1:123456789012:repository/ghcr/*"],
    });
  });

  it("let the deploy pass the cache's template role to ECR and create the cache's service-linked role", () => {
    const policy = deployRolePolicy(mirrored(), account, { protectedArns: [] });
    expect(statement(policy, "PassTheStacksRolesToTasksInstancesAndEcr")).toMatchObject({
      Condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "ecr.amazonaws.com"] } },
    });
    expect(statement(policy, "CreateServiceLinkedRoles")).toMatchObject({
      Condition: { StringEquals: { "iam:AWSServiceName": expect.arrayContaining(["pullthroughcache.ecr.amazonaws.com"]) as unknown } },
    });
  });
});

describe("the plan role's policy", () => {
  it("reads the state and the credential secrets (a refresh of the secret version calls GetSecretValue) and writes nothing", () => {
    const policy = planRolePolicy(
      environments((input) => (input.backend = { ...S3_STATE, kmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" })),
      account,
    );
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      "ListStateBuckets",
      "ReadState",
      "StateKey0",
      "ReadRegistryCredentialSecrets",
      "DecryptCredentialSecretsInShopStaging",
      "DecryptCredentialSecretsInShopProd",
    ]);
    expect(statement(policy, "StateKey0")).toEqual({
      Sid: "StateKey0",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    const actions = policy.Statement.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => !/^(s3:(GetObject|ListBucket)|kms:Decrypt|secretsmanager:(GetSecretValue|DescribeSecret))$/.test(a))).toEqual([]);
  });

  it("needs no state statement with local or cloud state", () => {
    expect(planRolePolicy(environments(), account).Statement.map((s) => s.Sid)).not.toContain("ReadState");
  });
});

describe("the deploy role's policy", () => {
  const protectedArns = ["arn:aws:iam::123456789012:role/shop-ci-deploy", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"];

  it("manages only the roles and instance profiles named for the environments, passing them to tasks and instances only", () => {
    const policy = deployRolePolicy(environments(), account, { protectedArns });
    expect(statement(policy, "ManageTheStacksRoles")).toMatchObject({
      Resource: ["arn:aws:iam::123456789012:role/shop-staging-*", "arn:aws:iam::123456789012:role/shop-prod-*"],
    });
    expect(statement(policy, "ManageTheStacksInstanceProfiles")).toMatchObject({
      Resource: ["arn:aws:iam::123456789012:instance-profile/shop-staging-*", "arn:aws:iam::123456789012:instance-profile/shop-prod-*"],
    });
    expect(statement(policy, "PassTheStacksRolesToTasksInstancesAndEcr")).toEqual({
      Sid: "PassTheStacksRolesToTasksInstancesAndEcr",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: ["arn:aws:iam::123456789012:role/shop-staging-*", "arn:aws:iam::123456789012:role/shop-prod-*"],
      Condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "ecr.amazonaws.com"] } },
    });
  });

  it("is denied every IAM action on the CI identities, whatever its managed policies allow", () => {
    expect(statement(deployRolePolicy(environments(), account, { protectedArns }), "NeverChangeTheCiIdentities")).toEqual({
      Sid: "NeverChangeTheCiIdentities",
      Effect: "Deny",
      Action: "iam:*",
      Resource: protectedArns,
    });
  });

  it("writes the state and takes its lock file and DynamoDB lock", () => {
    const policy = deployRolePolicy(
      environments((input) => (input.backend = { ...S3_STATE, dynamodbTable: "tf-locks" })),
      account,
      { protectedArns },
    );
    expect(policy.Statement.slice(0, 4)).toEqual([
      { Sid: "ListStateBuckets", Effect: "Allow", Action: "s3:ListBucket", Resource: ["arn:aws:s3:::acme-tfstate"] },
      {
        Sid: "ReadWriteState",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: ["arn:aws:s3:::acme-tfstate/shop/shop-staging.tfstate", "arn:aws:s3:::acme-tfstate/shop/shop-prod.tfstate"],
      },
      {
        Sid: "TakeStateLocks",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: ["arn:aws:s3:::acme-tfstate/shop/shop-staging.tfstate.tflock", "arn:aws:s3:::acme-tfstate/shop/shop-prod.tfstate.tflock"],
      },
      {
        Sid: "TakeDynamoDbStateLocks",
        Effect: "Allow",
        Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        Resource: ["arn:aws:dynamodb:eu-west-1:123456789012:table/tf-locks"],
      },
    ]);
  });
});

describe("the deploy role's whole policy", () => {
  it("is exactly the stacks' IAM, the service-linked roles and the deny, with local state", () => {
    const protectedArns = ["arn:aws:iam::123456789012:role/shop-ci-deploy"];
    expect(deployRolePolicy(environments(), account, { protectedArns })).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ManageTheStacksRoles",
          Effect: "Allow",
          Action: [
            "iam:AttachRolePolicy",
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRolePolicies",
            "iam:ListRoleTags",
            "iam:PutRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
          ],
          Resource: ["arn:aws:iam::123456789012:role/shop-staging-*", "arn:aws:iam::123456789012:role/shop-prod-*"],
        },
        {
          Sid: "ManageTheStacksInstanceProfiles",
          Effect: "Allow",
          Action: [
            "iam:AddRoleToInstanceProfile",
            "iam:CreateInstanceProfile",
            "iam:DeleteInstanceProfile",
            "iam:GetInstanceProfile",
            "iam:ListInstanceProfileTags",
            "iam:RemoveRoleFromInstanceProfile",
            "iam:TagInstanceProfile",
            "iam:UntagInstanceProfile",
          ],
          Resource: ["arn:aws:iam::123456789012:instance-profile/shop-staging-*", "arn:aws:iam::123456789012:instance-profile/shop-prod-*"],
        },
        {
          Sid: "PassTheStacksRolesToTasksInstancesAndEcr",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: ["arn:aws:iam::123456789012:role/shop-staging-*", "arn:aws:iam::123456789012:role/shop-prod-*"],
          Condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "ecr.amazonaws.com"] } },
        },
        {
          Sid: "CreateServiceLinkedRoles",
          Effect: "Allow",
          Action: "iam:CreateServiceLinkedRole",
          Resource: "arn:aws:iam::123456789012:role/aws-service-role/*",
          Condition: {
            StringEquals: {
              "iam:AWSServiceName": [
                "ecs.amazonaws.com",
                "elasticloadbalancing.amazonaws.com",
                "autoscaling.amazonaws.com",
                "ecs.application-autoscaling.amazonaws.com",
                "pullthroughcache.ecr.amazonaws.com",
              ],
            },
          },
        },
        { Sid: "NeverChangeTheCiIdentities", Effect: "Deny", Action: "iam:*", Resource: protectedArns },
      ],
    });
  });

  it("takes no lock without S3 native locking, and one DynamoDB table once however many stacks share it", () => {
    const states = deployRolePolicy(
      environments(
        (input) =>
          (input.backend = {
            ...S3_STATE,
            useLockfile: false,
            dynamodbTable: "tf-locks",
            kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          }),
      ),
      account,
      { protectedArns: [] },
    ).Statement;
    expect(states.map((s) => s.Sid)).toEqual([
      "ListStateBuckets",
      "ReadWriteState",
      "TakeDynamoDbStateLocks",
      "StateKey0",
      "ManageTheStacksRoles",
      "ManageTheStacksInstanceProfiles",
      "PassTheStacksRolesToTasksInstancesAndEcr",
      "CreateServiceLinkedRoles",
      "NeverChangeTheCiIdentities",
    ]);
    expect(states.find((s) => s.Sid === "TakeDynamoDbStateLocks")?.Resource).toEqual(["arn:aws:dynamodb:eu-west-1:123456789012:table/tf-locks"]);
    expect(states.find((s) => s.Sid === "StateKey0")).toEqual({
      Sid: "StateKey0",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
  });

  it("reads a state key given as an alias ARN by the alias, in the alias's region", () => {
    const policy = planRolePolicy(
      environments((input) => (input.backend = { ...S3_STATE, kmsKeyId: "arn:aws:kms:us-west-2:123456789012:alias/tfstate" })),
      account,
    );
    expect(statement(policy, "StateKey0")).toEqual({
      Sid: "StateKey0",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: "arn:aws:kms:us-west-2:123456789012:key/*",
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/tfstate" } },
    });
  });

  it("decrypts an existing secret's own key through Secrets Manager, and nothing for AWS-managed keys", () => {
    const existing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:partner/registry-AbC123";
    const withKey = watchRolePolicy(
      environments((input) => {
        input.encryption = { mode: "aws-managed" };
        input.credentials = {
          mode: "existing",
          existingSecretArn: existing,
          kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        };
      }),
      account,
    );
    expect(statement(withKey, "DecryptCredentialSecretsInShopProd")).toEqual({
      Sid: "DecryptCredentialSecretsInShopProd",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: "arn:aws:kms:us-east-1:123456789012:key/*",
      Condition: {
        StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:SecretARN": [existing] },
      },
    });
    const serviceOwn = watchRolePolicy(
      environments((input) => {
        input.services.worker.credentials = { mode: "managed", username: "worker-bot" };
      }),
      account,
    );
    expect(statement(serviceOwn, "ReadRegistryCredentialSecrets")?.Resource).toContain(
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod/worker/registry-credentials-??????",
    );
  });
});
