/** The registry credential and the key that encrypts it (and the logs). */
import { z } from "zod";
import { KMS_KEY_ARN_HINT, KMS_KEY_ARN_SOURCE, SECRET_ARN_HINT, SECRET_ARN_SOURCE } from "../aws/patterns";
import { REGISTRY_USERNAME } from "../registry/pull-check";
import { DEFAULTS } from "./defaults";
import { described, int, pattern, strictObject } from "./primitives";

const kmsKeyArn = pattern(KMS_KEY_ARN_SOURCE, KMS_KEY_ARN_HINT);

export const credentials = described(
  z.discriminatedUnion(
    "mode",
    [
      strictObject({
        mode: described(z.literal("managed"), "The stack creates the secret; the token comes from the ephemeral `registry_token` variable."),
        username: described(
          z
            .string({ error: "must be the registry user name (for ghcr.io, the GitHub user or bot that owns the token)" })
            .regex(REGISTRY_USERNAME, "must be 1-256 characters without spaces or ':' (the registry user name)"),
          "Registry user stored beside the token (for ghcr.io: the GitHub user or bot that owns the token).",
        ),
        version: described(
          int(1, 2147483647).default(DEFAULTS.credentials.version),
          "Default of the `registry_credentials_version` variable: bump it (with a new `TF_VAR_registry_token`) to write a new token.",
        ),
        recoveryWindowInDays: described(
          z
            .number({ error: "must be 0 (delete at once) or a whole number from 7 to 30" })
            .int()
            .refine((days) => days === 0 || (days >= 7 && days <= 30), "must be 0 (delete at once) or a whole number from 7 to 30")
            .default(DEFAULTS.credentials.recoveryWindowInDays),
          "Days a deleted secret can be restored; 0 deletes at once.",
        ),
      }),
      strictObject({
        mode: described(z.literal("existing"), "Use a secret created and filled outside this stack."),
        existingSecretArn: described(pattern(SECRET_ARN_SOURCE, SECRET_ARN_HINT), "The full ARN of a secret you fill, including AWS's 6-character suffix."),
        kmsKeyArn: described(
          kmsKeyArn.optional(),
          "The customer-managed key encrypting that secret, if any (the execution role gets kms:Decrypt via Secrets Manager).",
        ),
      }),
    ],
    { error: 'must have "mode": "managed" (with "username") or "mode": "existing" (with "existingSecretArn")' },
  ),
  '`{"mode":"managed","username":"…"}`: the stack creates the secret and writes the token from the ephemeral `registry_token` variable; `{"mode":"existing","existingSecretArn":"…"}`: your own secret.',
);

const encryptionSchema = z.discriminatedUnion(
  "mode",
  [
    strictObject({ mode: described(z.literal("aws-managed"), "AWS-managed keys (`aws/secretsmanager`, CloudWatch Logs' own encryption).") }),
    strictObject({
      mode: described(z.literal("create-cmk"), "Create a customer-managed key with yearly rotation for the secret and the log group (and EC2 volumes)."),
      deletionWindowInDays: described(
        int(7, 30).default(DEFAULTS.encryption.keyDeletionWindowInDays),
        "Days before a scheduled deletion of the key completes.",
      ),
    }),
    strictObject({
      mode: described(z.literal("existing-key"), "Use your customer-managed key; its policy must admit CloudWatch Logs (and EC2 Auto Scaling for volumes)."),
      keyArn: described(kmsKeyArn, "The customer-managed key for the secret and the log group."),
    }),
  ],
  { error: 'must have "mode": "aws-managed", "create-cmk" or "existing-key" (with "keyArn")' },
);

export const encryption = described(
  encryptionSchema.default({ mode: "aws-managed" }),
  "The key for the secret and the log group: AWS-managed keys, a created customer-managed key (rotation on), or your `existing-key`.",
);
