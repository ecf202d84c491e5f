import { Construct } from "constructs";
import { TerraformStack, TerraformVariable } from "cdktf";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { registrySecretName, type SecretReader } from "../registry/ecr-mirror";
import { TOKEN_EXPIRES_TAG } from "../registry/github-token";

/** Terraform variable that carries the registry token; never stored in state, plan or `cdktf.out`. */
export const REGISTRY_TOKEN_VARIABLE = "registry_token";
/** Terraform variable whose change makes Terraform write the supplied token again (rotation). */
export const CREDENTIALS_VERSION_VARIABLE = "registry_credentials_version";

export type RegistryCredentialsProps =
  | {
      /** Create the secret; its value is written from the ephemeral `registry_token` variable. */
      readonly mode: "managed";
      /** Deployment name; the secret is named `<name>/registry-credentials`. */
      readonly name: string;
      /**
       * Names this credential's Terraform variables, `registry_token_<variableSuffix>` and
       * `registry_credentials_version_<variableSuffix>`, for an app whose services pull with several credentials.
       * @default - `registry_token` and `registry_credentials_version`
       */
      readonly variableSuffix?: string;
      /** Registry user name stored beside the token (for ghcr.io: the GitHub user owning the token). */
      readonly username: string;
      /**
       * Default of `registry_credentials_version`; bump it (or the variable) to write a new token.
       * @default 1
       */
      readonly version?: number;
      /**
       * Customer-managed KMS key for the secret.
       * @default - the AWS-managed `aws/secretsmanager` key
       */
      readonly kmsKeyArn?: string;
      /**
       * Days a deleted secret can be restored; 0 deletes at once.
       * @default 7
       */
      readonly recoveryWindowInDays?: number;
      /**
       * Who reads the secret: ECS (`repositoryCredentials`: `<name>/registry-credentials` holding
       * `{"username","password"}`), or ECR's pull-through cache (`ecr-pullthroughcache/<name>` holding
       * `{"username","accessToken"}`, the only names and shape ECR accepts).
       * @default "repository-credentials"
       */
      readonly reader?: SecretReader;
    }
  | {
      /** Use a secret created and filled outside this stack. */
      readonly mode: "existing";
      /** Full ARN of the secret, including AWS's 6-character suffix. */
      readonly secretArn: string;
      /**
       * Customer-managed KMS key that encrypts the existing secret.
       * @default - the secret uses the AWS-managed key; no kms:Decrypt grant is needed
       */
      readonly kmsKeyArn?: string;
    };

/**
 * The Secrets Manager secret holding `{"username": ..., "password": ...}` for ECS `repositoryCredentials`.
 *
 * The token reaches AWS only through the provider's write-only `secret_string_wo`, fed by an ephemeral, sensitive
 * variable: it is in neither state nor plan. Without the variable, plans still succeed (a check warns), and an
 * apply leaves the stored value alone unless `registry_credentials_version` changed.
 */
export class RegistryCredentials extends Construct {
  readonly secretArn: string;
  /** Key whose kms:Decrypt the execution role needs; undefined for the AWS-managed key. */
  readonly kmsKeyArn?: string;
  /** The resource that writes the value: tasks must not start before it. Undefined for an existing secret. */
  readonly secretVersion?: SecretsmanagerSecretVersion;

  constructor(scope: Construct, id: string, props: RegistryCredentialsProps) {
    super(scope, id);
    this.kmsKeyArn = props.kmsKeyArn;
    if (props.mode === "existing") {
      this.secretArn = props.secretArn;
      return;
    }

    const version = props.version ?? 1;
    if (!Number.isInteger(version) || version < 1) {
      throw new Error(`RegistryCredentials version ${version} is invalid: use a whole number of 1 or more`);
    }
    const recoveryWindowInDays = props.recoveryWindowInDays ?? 7;
    if (!(recoveryWindowInDays === 0 || (recoveryWindowInDays >= 7 && recoveryWindowInDays <= 30))) {
      throw new Error(`RegistryCredentials recoveryWindowInDays ${recoveryWindowInDays} is invalid: use 0 or 7 to 30`);
    }
    if (props.variableSuffix !== undefined && !/^[a-z0-9_]{1,40}$/.test(props.variableSuffix)) {
      throw new Error(`RegistryCredentials variableSuffix ${JSON.stringify(props.variableSuffix)} is invalid: use 1-40 of a-z, 0-9 and _`);
    }
    if (!/^[^\s:]{1,256}$/.test(props.username)) {
      throw new Error(`RegistryCredentials username ${JSON.stringify(props.username)} is invalid: use 1-256 characters without spaces or ':'`);
    }

    const token = new TerraformVariable(this, "token", {
      type: "string",
      sensitive: true,
      nullable: true,
      description: "Registry token (for ghcr.io a PAT with read:packages). Ephemeral: never stored in state or plan. Set TF_VAR_registry_token.",
    });
    const suffix = props.variableSuffix === undefined ? "" : `_${props.variableSuffix}`;
    const tokenVariable = `${REGISTRY_TOKEN_VARIABLE}${suffix}`;
    token.overrideLogicalId(tokenVariable);
    // cdktf 0.21 has no `ephemeral` option, and drops a null default: both are set by override.
    token.addOverride("ephemeral", true);
    token.addOverride("default", null);

    const versionVariable = new TerraformVariable(this, "version", {
      type: "number",
      default: version,
      description: "Bump to write the supplied registry_token into the secret again (rotation).",
    });
    versionVariable.overrideLogicalId(`${CREDENTIALS_VERSION_VARIABLE}${suffix}`);

    const forCache = props.reader === "pull-through-cache";
    const tokenKey = forCache ? "accessToken" : "password";
    const secret = new SecretsmanagerSecret(this, "secret", {
      name: registrySecretName(props.name, props.reader ?? "repository-credentials"),
      description: forCache
        ? `Upstream registry credentials ({"username","accessToken"}) ECR's pull-through cache uses for ${props.name}'s images`
        : `Registry credentials ({"username","password"}) ECS uses to pull ${props.name}'s image`,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays,
      // `ghcr-ecs credentials set` / `rotate` record the token's expiry there; an apply must not take it away. Moving
      // to the cache renames the secret: the new one exists before the old goes, so no task start finds neither.
      lifecycle: { ignoreChanges: [`tags["${TOKEN_EXPIRES_TAG}"]`], ...(forCache ? { createBeforeDestroy: true } : {}) },
    });
    this.secretArn = secret.arn;

    const tokenRef = `var.${tokenVariable}`;
    this.secretVersion = new SecretsmanagerSecretVersion(this, "value", {
      secretId: secret.id,
      // "" (not null) when no token is supplied keeps the plan valid; the provider then sends no value.
      secretStringWo: `\${${tokenRef} == null ? "" : jsonencode({ username = ${hclStringLiteral(props.username)}, ${tokenKey} = ${tokenRef} })}`,
      secretStringWoVersion: versionVariable.numberValue,
    });

    // cdktf has no check-block construct. A check only warns, so plans without the token (PR checks) still pass.
    TerraformStack.of(this).addOverride(`check.${tokenVariable}_supplied`, {
      assert: [
        {
          condition: `\${${tokenRef} != null}`,
          error_message: `No registry token supplied (TF_VAR_${tokenVariable}). Fine for a plan, or an apply that leaves ${CREDENTIALS_VERSION_VARIABLE}${suffix} unchanged; the first apply and every rotation need it.`,
        },
      ],
    });
  }
}

/** A quoted HCL string whose `${` and `%{` stay literal (Harbor robot names contain `$`). */
export function hclStringLiteral(value: string): string {
  return JSON.stringify(value).replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`);
}
