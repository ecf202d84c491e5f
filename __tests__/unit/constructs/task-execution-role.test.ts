import { TaskExecutionRole, type TaskExecutionRoleProps } from "../../../src/constructs/task-execution-role";
import {
  asArray,
  onlyResource,
  policyStatements,
  ref,
  resources,
  statement,
  statementsAllowing,
  synthConstruct,
  type PolicyStatement,
} from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/registry-credentials-AbC123";
const DB_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-XyZ789";
const DB_SECRET_KEY = `${DB_SECRET}:password::`;
const PARAMETER = "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/api-key";
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef";
const LOG_GROUP_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/orders";

const base: TaskExecutionRoleProps = {
  name: "orders",
  accountId: "123456789012",
  partition: "aws",
  region: "eu-west-1",
  registrySecretArn: SECRET_ARN,
  logGroupArn: LOG_GROUP_ARN,
};

function synth(overrides: Partial<TaskExecutionRoleProps> = {}): TerraformDocument {
  return synthConstruct((scope) => new TaskExecutionRole(scope, "execution-role", { ...base, ...overrides }));
}

function inlinePolicy(tf: TerraformDocument): PolicyStatement[] {
  return policyStatements(onlyResource(tf, "aws_iam_role_policy").block.policy);
}

describe("TaskExecutionRole", () => {
  describe("trust policy", () => {
    it("lets only ecs-tasks.amazonaws.com assume the role, guarded by aws:SourceAccount", () => {
      const role = onlyResource(synth(), "aws_iam_role").block;
      expect(policyStatements(role.assume_role_policy)).toEqual([
        {
          Sid: "EcsTasksOfThisAccountOnly",
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" },
          },
        },
      ]);
    });

    it("names the role after the deployment", () => {
      const role = onlyResource(synth(), "aws_iam_role").block;
      expect(role.name).toBe("orders-execution");
      expect(role).not.toHaveProperty("managed_policy_arns");
      expect(role).not.toHaveProperty("inline_policy");
    });
  });

  describe("inline policy", () => {
    it("is attached to the role it creates", () => {
      const tf = synth();
      const role = onlyResource(tf, "aws_iam_role");
      expect(onlyResource(tf, "aws_iam_role_policy").block).toMatchObject({
        name: "pull-image-read-secrets-write-logs",
        role: ref("aws_iam_role", role.name, "id"),
      });
    });

    it("scopes GetSecretValue to the credentials secret only", () => {
      const statements = inlinePolicy(synth());
      expect(statementsAllowing(statements, "secretsmanager:GetSecretValue")).toEqual([
        { Sid: "ReadRegistryAndContainerSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [SECRET_ARN] },
      ]);
    });

    it("adds container secrets by their secret ARN (json-key suffix stripped) and SSM parameters via ssm:GetParameters", () => {
      const statements = inlinePolicy(synth({ containerSecretSources: [DB_SECRET_KEY, PARAMETER, DB_SECRET] }));
      expect(statement(statements, "ReadRegistryAndContainerSecrets").Resource).toEqual([SECRET_ARN, DB_SECRET]);
      expect(statement(statements, "ReadContainerParameters")).toEqual({
        Sid: "ReadContainerParameters",
        Effect: "Allow",
        Action: "ssm:GetParameters",
        Resource: [PARAMETER],
      });
    });

    it("has no ssm statement without parameters", () => {
      const statements = inlinePolicy(synth({ containerSecretSources: [DB_SECRET] }));
      expect(statements.map((s) => s.Sid)).toEqual(["ReadRegistryAndContainerSecrets", "WriteOwnLogGroup"]);
    });

    it("grants kms:Decrypt only through Secrets Manager, only on the given keys", () => {
      const statements = inlinePolicy(synth({ kmsKeyArns: [KEY_ARN, OTHER_KEY_ARN, KEY_ARN] }));
      expect(statementsAllowing(statements, "kms:Decrypt")).toEqual([
        {
          Sid: "DecryptSecretsThroughSecretsManagerOnly",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: [KEY_ARN, OTHER_KEY_ARN],
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
        },
      ]);
    });

    it("grants no kms permission without customer-managed keys", () => {
      const statements = inlinePolicy(synth());
      expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith("kms:"))).toEqual([]);
      expect(inlinePolicy(synth({ kmsKeyArns: [] })).map((s) => s.Sid)).toEqual(["ReadRegistryAndContainerSecrets", "WriteOwnLogGroup"]);
    });

    it("writes only to the streams of its own log group", () => {
      expect(statement(inlinePolicy(synth()), "WriteOwnLogGroup")).toEqual({
        Sid: "WriteOwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${LOG_GROUP_ARN}:log-stream:*`,
      });
    });

    it("has no wildcard actions or resources and no ECR permissions", () => {
      const statements = inlinePolicy(synth({ containerSecretSources: [DB_SECRET_KEY, PARAMETER], kmsKeyArns: [KEY_ARN] }));
      for (const s of statements) {
        expect(s.Effect).toBe("Allow");
        for (const action of asArray(s.Action)) expect(action).not.toContain("*");
        for (const resource of asArray(s.Resource)) {
          expect(resource).not.toBe("*");
          expect(resource).toMatch(/^arn:aws:/);
        }
        expect(s).not.toHaveProperty("NotAction");
        expect(s).not.toHaveProperty("NotResource");
      }
      expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith("ecr:"))).toEqual([]);
    });
  });

  it("attaches no managed policies", () => {
    const tf = synth({ containerSecretSources: [DB_SECRET, PARAMETER], kmsKeyArns: [KEY_ARN] });
    expect(resources(tf, "aws_iam_role_policy_attachment")).toEqual([]);
    expect(resources(tf, "aws_iam_policy")).toEqual([]);
    expect(Object.keys(tf.resource ?? {}).sort()).toEqual(["aws_iam_role", "aws_iam_role_policy"]);
  });
});
