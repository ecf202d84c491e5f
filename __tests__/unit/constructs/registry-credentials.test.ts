import { TerraformOutput } from "cdktf";
import {
  CREDENTIALS_VERSION_VARIABLE,
  REGISTRY_TOKEN_VARIABLE,
  RegistryCredentials,
  type RegistryCredentialsProps,
} from "../../../src/constructs/registry-credentials";
import { allKeys, onlyResource, ref, refPattern, synthConstruct } from "../../helpers/synth";
import type { TerraformDocument } from "../../../src/terraform/document";
import { match } from "../../helpers/matchers";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const EXISTING_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-XyZ789";

const managed = (overrides: Partial<Extract<RegistryCredentialsProps, { mode: "managed" }>> = {}): RegistryCredentialsProps => ({
  mode: "managed",
  name: "orders",
  username: "acme-ci-bot",
  ...overrides,
});

/** Synthesizes the construct and exposes what it hands to other constructs as outputs, so they resolve. */
function synth(props: RegistryCredentialsProps): { tf: TerraformDocument; credentials: RegistryCredentials } {
  let credentials: RegistryCredentials | undefined;
  const tf = synthConstruct((scope) => {
    credentials = new RegistryCredentials(scope, "registry-credentials", props);
    new TerraformOutput(scope, "secret_arn", { value: credentials.secretArn });
  });
  return { tf, credentials: credentials! };
}

describe("RegistryCredentials (managed)", () => {
  it("declares registry_token as an ephemeral, sensitive, nullable string defaulting to null", () => {
    const { tf } = synth(managed());
    expect(REGISTRY_TOKEN_VARIABLE).toBe("registry_token");
    expect(tf.variable?.registry_token).toEqual({
      type: "string",
      ephemeral: true,
      sensitive: true,
      nullable: true,
      default: null,
      description: match.stringContaining("TF_VAR_registry_token"),
    });
  });

  it("defaults registry_credentials_version to 1", () => {
    const { tf } = synth(managed());
    expect(CREDENTIALS_VERSION_VARIABLE).toBe("registry_credentials_version");
    expect(tf.variable?.registry_credentials_version).toEqual({
      type: "number",
      default: 1,
      description: match.any(String),
    });
  });

  it("takes the registry_credentials_version default from the version prop", () => {
    const { tf } = synth(managed({ version: 4 }));
    expect(tf.variable?.registry_credentials_version).toMatchObject({ type: "number", default: 4 });
  });

  it("declares exactly the two variables and nothing sensitive besides the token", () => {
    const { tf } = synth(managed());
    expect(Object.keys(tf.variable ?? {}).sort()).toEqual(["registry_credentials_version", "registry_token"]);
    expect(tf.variable?.registry_credentials_version.sensitive).toBeUndefined();
  });

  it("writes the value only through secret_string_wo, built from the token and the username", () => {
    const { tf } = synth(managed());
    const secret = onlyResource(tf, "aws_secretsmanager_secret");
    const version = onlyResource(tf, "aws_secretsmanager_secret_version").block;
    expect(version).toEqual({
      secret_id: ref("aws_secretsmanager_secret", secret.name, "id"),
      secret_string_wo: '${var.registry_token == null ? "" : jsonencode({ username = "acme-ci-bot", password = var.registry_token })}',
      secret_string_wo_version: "${var.registry_credentials_version}",
    });
  });

  it("has no secret_string key anywhere in the synthesized stack", () => {
    const { tf } = synth(managed({ kmsKeyArn: KEY_ARN, version: 2 }));
    expect(allKeys(tf)).toContain("secret_string_wo");
    expect(allKeys(tf)).not.toContain("secret_string");
    expect(allKeys(tf)).not.toContain("secret_binary");
  });

  it("adds the registry_token_supplied check that warns without failing the plan", () => {
    const { tf } = synth(managed());
    expect(tf.check).toEqual({
      registry_token_supplied: {
        assert: [
          {
            condition: "${var.registry_token != null}",
            error_message: match.stringContaining("No registry token supplied (TF_VAR_registry_token)"),
          },
        ],
      },
    });
  });

  it("names the secret after the deployment and keeps the default 7-day recovery window", () => {
    const { tf } = synth(managed());
    expect(onlyResource(tf, "aws_secretsmanager_secret").block).toEqual({
      name: "orders/registry-credentials",
      description: match.stringContaining("orders"),
      recovery_window_in_days: 7,
      lifecycle: { ignore_changes: ['tags["ghcr-ecs:token-expires"]'] },
    });
  });

  it("leaves the token-expiry tag the CLI records to the CLI: an apply does not remove it", () => {
    const { tf } = synth(managed());
    expect(onlyResource(tf, "aws_secretsmanager_secret").block.lifecycle).toEqual({ ignore_changes: ['tags["ghcr-ecs:token-expires"]'] });
  });

  it("passes the recovery window through, including 0 for immediate deletion", () => {
    expect(onlyResource(synth(managed({ recoveryWindowInDays: 30 })).tf, "aws_secretsmanager_secret").block.recovery_window_in_days).toBe(30);
    expect(onlyResource(synth(managed({ recoveryWindowInDays: 0 })).tf, "aws_secretsmanager_secret").block.recovery_window_in_days).toBe(0);
  });

  it("encrypts the secret with the given customer-managed key", () => {
    const { tf, credentials } = synth(managed({ kmsKeyArn: KEY_ARN }));
    expect(onlyResource(tf, "aws_secretsmanager_secret").block.kms_key_id).toBe(KEY_ARN);
    expect(credentials.kmsKeyArn).toBe(KEY_ARN);
  });

  it("omits kms_key_id without a key (the AWS-managed aws/secretsmanager key)", () => {
    const { tf, credentials } = synth(managed());
    expect(onlyResource(tf, "aws_secretsmanager_secret").block).not.toHaveProperty("kms_key_id");
    expect(credentials.kmsKeyArn).toBeUndefined();
  });

  it("exposes the created secret's ARN and the version resource services must wait for", () => {
    const { tf, credentials } = synth(managed());
    const secret = onlyResource(tf, "aws_secretsmanager_secret");
    expect(tf.output?.secret_arn.value).toMatch(refPattern("aws_secretsmanager_secret", "arn"));
    expect(tf.output?.secret_arn.value).toBe(ref("aws_secretsmanager_secret", secret.name, "arn"));
    expect(credentials.secretVersion).toBeDefined();
  });

  it("creates only the secret and its version", () => {
    const { tf } = synth(managed());
    expect(Object.keys(tf.resource ?? {}).sort()).toEqual(["aws_secretsmanager_secret", "aws_secretsmanager_secret_version"]);
  });

  describe("validation", () => {
    it.each([
      [{ version: 0 }, /version 0 is invalid/],
      [{ version: 1.5 }, /version 1\.5 is invalid/],
      [{ recoveryWindowInDays: 3 }, /recoveryWindowInDays 3 is invalid: use 0 or 7 to 30/],
      [{ recoveryWindowInDays: 31 }, /recoveryWindowInDays 31 is invalid/],
      [{ username: "acme ci bot" }, /username "acme ci bot" is invalid/],
      [{ username: "acme:bot" }, /username "acme:bot" is invalid/],
      [{ username: "" }, /username "" is invalid/],
    ])("rejects %p naming the bad value", (overrides, message) => {
      expect(() => synth(managed(overrides))).toThrow(message);
    });

    it("keeps template sequences in a username literal, so a Harbor robot name cannot inject HCL", () => {
      const { tf } = synth(managed({ username: 'robot$ci+${var.registry_token}%{if}"q' }));
      const version = Object.values(tf.resource?.aws_secretsmanager_secret_version ?? {})[0] as { secret_string_wo: string };
      expect(version.secret_string_wo).toBe(
        '${var.registry_token == null ? "" : jsonencode({ username = "robot$ci+$${var.registry_token}%%{if}\\"q", password = var.registry_token })}',
      );
    });

    it("accepts the boundary recovery windows 7 and 30", () => {
      expect(() => synth(managed({ recoveryWindowInDays: 7 }))).not.toThrow();
      expect(() => synth(managed({ recoveryWindowInDays: 30 }))).not.toThrow();
    });
  });
});

describe("RegistryCredentials (existing)", () => {
  it("creates no secret, no version, no variables and no check", () => {
    const { tf } = synth({ mode: "existing", secretArn: EXISTING_SECRET_ARN });
    expect(tf.resource).toBeUndefined();
    expect(tf.variable).toBeUndefined();
    expect(tf.check).toBeUndefined();
  });

  it("passes the secret ARN and key through unchanged", () => {
    const { tf, credentials } = synth({ mode: "existing", secretArn: EXISTING_SECRET_ARN, kmsKeyArn: KEY_ARN });
    expect(credentials.secretArn).toBe(EXISTING_SECRET_ARN);
    expect(tf.output?.secret_arn.value).toBe(EXISTING_SECRET_ARN);
    expect(credentials.kmsKeyArn).toBe(KEY_ARN);
    expect(credentials.secretVersion).toBeUndefined();
  });

  it("needs no key for a secret under the AWS-managed key", () => {
    const { credentials } = synth({ mode: "existing", secretArn: EXISTING_SECRET_ARN });
    expect(credentials.kmsKeyArn).toBeUndefined();
  });
});
