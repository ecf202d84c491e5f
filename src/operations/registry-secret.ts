import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EXIT, OperationError } from "./exit-codes";
import { awsFailure } from "./aws";
import { PULL_THROUGH_CACHE_SECRET_PREFIX, type SecretReader } from "../registry/ecr-mirror";
import type { RegistryCredential } from "../registry/pull-check";

export type { SecretReader };

/** The reader of a stack's secret, from its `registry_auth_mode` output. */
export function secretReaderFor(registryAuthMode: string | undefined): SecretReader {
  return registryAuthMode === "ecr-pull-through-cache" ? "pull-through-cache" : "repository-credentials";
}

/**
 * ECR reads only secrets named `ecr-pullthroughcache/…`: refuses any other for the cache, before anything is read or
 * written (an ARN's name ends in `-` and AWS's 6-character suffix).
 */
export function checkSecretName(secretId: string, reader: SecretReader): void {
  if (reader !== "pull-through-cache") return;
  const name = secretId.includes(":secret:") ? secretId.split(":secret:")[1].replace(/-[A-Za-z0-9]{6}$/, "") : secretId;
  if (!name.startsWith(PULL_THROUGH_CACHE_SECRET_PREFIX)) {
    throw new OperationError(
      EXIT.usage,
      `the secret ${name} cannot hold the pull-through cache's credential: ECR reads only secrets whose name starts with ${PULL_THROUGH_CACHE_SECRET_PREFIX}`,
      `Use the stack's ${PULL_THROUGH_CACHE_SECRET_PREFIX}<stack> secret (the credentials_secret_arn output), or create one with that prefix.`,
    );
  }
}

const TOKEN_KEY: Record<SecretReader, "password" | "accessToken"> = { "repository-credentials": "password", "pull-through-cache": "accessToken" };

const shapeFix = (reader: SecretReader) =>
  `The secret must be plaintext JSON {"username":"<user>","${TOKEN_KEY[reader]}":"<token>"}${reader === "pull-through-cache" ? " (the shape ECR's pull-through cache reads)" : ""}; write it with \`ghcr-ecs credentials set --token-stdin\`.`;

/** `null`, `array`, `object`, `number`, … — JSON's names, not `typeof`'s (which calls null and arrays "object"). */
function jsonType(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** A key by name if it looks like a field name; a long one may be a pasted token and is described by its length. */
function describeKey(key: string): string {
  return key.length <= 32 && /^[\x21-\x7e]*$/.test(key) ? `"${key}"` : `a ${key.length}-character key`;
}

/**
 * Validates the secret string ECS's agent reads for `repositoryCredentials`. Messages describe the shape and never
 * quote the content, which may be a token pasted in the wrong format.
 */
export function parseRegistrySecret(secretString: string, reader: SecretReader = "repository-credentials"): RegistryCredential {
  const tokenKey = TOKEN_KEY[reader];
  const malformed = (what: string) => new OperationError(EXIT.secretMalformed, `the credentials secret ${what}`, shapeFix(reader));
  if (secretString.trim().length === 0) throw malformed("is empty");
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw malformed(
      `is not JSON (${secretString.length} characters${/^\s*[{[]/.test(secretString) ? ", starting like JSON but malformed" : ", looks like a bare token"})`,
    );
  }
  if (jsonType(value) !== "object") throw malformed(`is JSON ${jsonType(value)}, not an object`);
  const record = value as Record<string, unknown>;
  const missing = ["username", tokenKey].filter((key) => !(key in record));
  if (missing.length > 0) {
    const keys = Object.keys(record);
    throw malformed(
      `has no ${missing.map((k) => `"${k}"`).join(" or ")} key (it has: ${keys.length > 0 ? keys.slice(0, 8).map(describeKey).join(", ") + (keys.length > 8 ? ` and ${keys.length - 8} more` : "") : "no keys"})`,
    );
  }
  for (const key of ["username", tokenKey]) {
    if (typeof record[key] !== "string") {
      const type = jsonType(record[key]);
      throw malformed(`has ${/^[aeiou]/.test(type) ? "an" : "a"} ${type} "${key}"; it must be a string`);
    }
    const value = record[key];
    if (value.length === 0) throw malformed(`has an empty "${key}"`);
    if (/\s/.test(value)) throw malformed(`has whitespace in "${key}"`);
  }
  return { username: record.username as string, password: record[tokenKey] as string };
}

/** Reads the credential as its reader would (GetSecretValue on AWSCURRENT): the execution role, or ECR's cache. */
export async function readRegistrySecret(
  client: SecretsManagerClient,
  secretId: string,
  reader: SecretReader = "repository-credentials",
): Promise<RegistryCredential> {
  checkSecretName(secretId, reader);
  let secretString: string | undefined;
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    secretString = response.SecretString;
  } catch (error) {
    const name = (error as Error).name;
    if (name === "ResourceNotFoundException") {
      throw new OperationError(
        EXIT.secretMissing,
        `the credentials secret ${secretId} does not exist or has no value yet`,
        "Deploy the stack (with TF_VAR_registry_token set) or write the value with `ghcr-ecs credentials set --token-stdin`.",
      );
    }
    if (name === "AccessDeniedException" || name === "DecryptionFailure" || name === "InvalidRequestException") {
      throw new OperationError(
        EXIT.secretUnreadable,
        `cannot read the credentials secret ${secretId} (${name}: ${(error as Error).message})`,
        name === "InvalidRequestException"
          ? "The secret is scheduled for deletion; restore it with `aws secretsmanager restore-secret`."
          : "Your AWS identity needs secretsmanager:GetSecretValue on the secret and kms:Decrypt on its key.",
      );
    }
    throw awsFailure(error, "Secrets Manager");
  }
  if (secretString === undefined)
    throw new OperationError(EXIT.secretMalformed, `the credentials secret ${secretId} holds binary data, not a string`, shapeFix(reader));
  return parseRegistrySecret(secretString, reader);
}

/** Writes a new AWSCURRENT version in the shape its reader wants; returns its version id. */
export async function writeRegistrySecret(
  client: SecretsManagerClient,
  secretId: string,
  credential: RegistryCredential,
  reader: SecretReader = "repository-credentials",
): Promise<string> {
  checkSecretName(secretId, reader);
  try {
    const response = await client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ username: credential.username, [TOKEN_KEY[reader]]: credential.password }),
      }),
    );
    return response.VersionId ?? "";
  } catch (error) {
    const name = (error as Error).name;
    if (name === "ResourceNotFoundException") {
      throw new OperationError(
        EXIT.secretMissing,
        `the credentials secret ${secretId} does not exist`,
        "Deploy the stack first (npm run deploy), or pass --secret-arn of an existing secret.",
      );
    }
    if (name === "AccessDeniedException") {
      throw new OperationError(
        EXIT.secretUnreadable,
        `not allowed to write the credentials secret ${secretId} (${(error as Error).message})`,
        "Your AWS identity needs secretsmanager:PutSecretValue on the secret (and kms:GenerateDataKey on its key).",
      );
    }
    throw awsFailure(error, "Secrets Manager");
  }
}
