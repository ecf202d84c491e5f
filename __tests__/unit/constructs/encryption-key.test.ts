import { TerraformOutput } from "cdktf";
import { EncryptionKey, type EncryptionKeyProps } from "../../../src/constructs/encryption-key";
import { onlyResource, policyStatements, ref, resourceCounts, statement, synthConstruct } from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";
import { match } from "../../helpers/matchers";

const base: EncryptionKeyProps = {
  name: "orders",
  accountId: "123456789012",
  partition: "aws",
  region: "eu-west-1",
  logGroupName: "/ecs/orders",
};

function synth(overrides: Partial<EncryptionKeyProps> = {}): TerraformDocument {
  return synthConstruct((scope) => {
    const key = new EncryptionKey(scope, "encryption", { ...base, ...overrides });
    new TerraformOutput(scope, "key_arn", { value: key.keyArn });
  });
}

const key = (tf: TerraformDocument) => onlyResource(tf, "aws_kms_key");

describe("EncryptionKey", () => {
  it("rotates yearly and waits 30 days before deletion by default", () => {
    expect(key(synth()).block).toEqual({
      description: "orders: registry credentials secret and logs",
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      policy: match.any(String),
    });
  });

  it("passes the deletion window through", () => {
    expect(key(synth({ deletionWindowInDays: 7 })).block.deletion_window_in_days).toBe(7);
  });

  it("is aliased alias/<name>", () => {
    const tf = synth();
    expect(onlyResource(tf, "aws_kms_alias").block).toEqual({
      name: "alias/orders",
      target_key_id: ref("aws_kms_key", key(tf).name, "key_id"),
    });
  });

  it("exposes the key's ARN", () => {
    const tf = synth();
    expect(tf.output?.key_arn.value).toBe(ref("aws_kms_key", key(tf).name, "arn"));
  });

  it("lets the account administer the key through IAM", () => {
    expect(statement(policyStatements(key(synth()).block.policy), "AccountAdministersThroughIam")).toEqual({
      Sid: "AccountAdministersThroughIam",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "kms:*",
      Resource: "*",
    });
  });

  it("lets CloudWatch Logs use the key only for the deployment's log group", () => {
    const statements = policyStatements(key(synth()).block.policy);
    expect(statements).toHaveLength(2);
    expect(statement(statements, "CloudWatchLogsForThisLogGroupOnly")).toEqual({
      Sid: "CloudWatchLogsForThisLogGroupOnly",
      Effect: "Allow",
      Principal: { Service: "logs.eu-west-1.amazonaws.com" },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/orders" } },
    });
  });

  it("admits EC2 Auto Scaling for instance volumes only when asked", () => {
    const sids = (tf: TerraformDocument) => policyStatements(key(tf).block.policy).map((s) => s.Sid);
    expect(sids(synth({ ebsForAutoScaling: true }))).toEqual(expect.arrayContaining(["AutoScalingUsesKeyForEbs", "AutoScalingGrantsForEbsOnly"]));
    expect(sids(synth())).not.toContain("AutoScalingUsesKeyForEbs");
    expect(key(synth({ ebsForAutoScaling: true })).block.description).toBe("orders: registry credentials secret, logs and instance volumes");
  });

  it("creates only the key and its alias", () => {
    expect(resourceCounts(synth())).toEqual({ aws_kms_key: 1, aws_kms_alias: 1 });
  });

  it.each([6, 31, 7.5, 0])("rejects deletionWindowInDays %p", (deletionWindowInDays) => {
    expect(() => synth({ deletionWindowInDays })).toThrow(
      `EncryptionKey deletionWindowInDays ${deletionWindowInDays} is invalid: use a whole number from 7 to 30`,
    );
  });
});
