import { z } from "zod";
import { REGION } from "../aws/patterns";
import { described, strictObject as strictConfigObject } from "../config/primitives";

/** Keys that would put a credential into the config file (and from there into `cdk.tf.json`). */
const CREDENTIAL_KEY = /token|secret|password|passwd|credential|access_?key|session/i;

const CREDENTIAL_KEY_PROBLEM =
  "credentials are never read from the config (it is committed, and cdktf would copy them into cdk.tf.json); Terraform Cloud: set TF_TOKEN_<host> (TF_TOKEN_app_terraform_io) in the environment; S3: AWS credentials come from the environment (AWS_PROFILE, OIDC in CI)";

const strictObject = <T extends z.core.$ZodLooseShape>(shape: T) =>
  strictConfigObject(shape, { keyProblem: (key) => (CREDENTIAL_KEY.test(key) ? CREDENTIAL_KEY_PROBLEM : undefined) });

/** The only placeholder a state key, path or workspace name may hold: one value per stack. */
export const STACK_PLACEHOLDER = "{stack}";

function placeholderProblem(value: string): string | undefined {
  const others = (value.match(/\{[^}]*\}/g) ?? []).filter((p) => p !== STACK_PLACEHOLDER);
  return others.length > 0 ? `has the placeholder ${others[0]}; the only placeholder is ${STACK_PLACEHOLDER} (the stack name)` : undefined;
}

/** Amazon S3 general purpose bucket naming rules. Returns the first rule broken, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3-63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) return "may hold only lowercase letters, digits, dots and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must start and end with a lowercase letter or digit";
  if (name.includes("..")) return "must not contain two adjacent dots";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be formatted as an IP address";
  const prefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix "${prefix}"`;
  const suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+(:\d{1,5})?$/;

const withPlaceholders = (hint: string, pattern: RegExp, patternHint: string) =>
  z.string({ error: `must be a string: ${hint}` }).superRefine((value, ctx) => {
    const problem = placeholderProblem(value) ?? (pattern.test(value.split(STACK_PLACEHOLDER).join("stack")) ? undefined : `must be ${patternHint}`);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  });

const localBackend = strictObject({
  type: described(z.literal("local"), "State in a local file (the default)."),
  path: described(
    withPlaceholders(
      "the state file path, e.g. state/{stack}.tfstate",
      /^[^\0]{1,1024}$/,
      "a file path (relative paths are resolved against the folder synth runs in)",
    ).optional(),
    "The state file, e.g. `state/{stack}.tfstate`; relative paths resolve against the folder synth runs in. Must hold `{stack}` when the config has two stacks. Default: `terraform.<stack>.tfstate` in that folder.",
  ),
});

const s3Backend = strictObject({
  type: described(
    z.literal("s3"),
    "State in an S3 bucket, locked by S3 native locking (Terraform ≥ 1.11); AWS credentials come from the usual AWS credential chain.",
  ),
  bucket: described(
    z.string({ error: "must be the S3 bucket name holding the state" }).superRefine((name, ctx) => {
      const problem = bucketNameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: `${problem} (S3 bucket naming rules)`, input: name });
    }),
    "The bucket holding the state (S3 bucket naming rules).",
  ),
  key: described(
    withPlaceholders(
      'the object key, e.g. "ghcr-ecs/{stack}.tfstate"',
      /^(?!\/)[^\0]{1,1024}$/,
      "an S3 object key of 1-1024 characters not starting with /",
    ).default(`${STACK_PLACEHOLDER}.tfstate`),
    "The state object's key, not starting with `/`; `{stack}` becomes the stack name and must be there when the config has two stacks.",
  ),
  region: described(
    z
      .string({ error: "must be the bucket's AWS region, e.g. us-east-1" })
      .regex(REGION, "must be an AWS region such as us-east-1 (the bucket's region)")
      .optional(),
    "The bucket's region. Default: the deployment's `region`.",
  ),
  encrypt: described(z.boolean({ error: "must be true or false" }).default(true), "Server-side encryption of the state object."),
  kmsKeyId: described(
    z
      .string({ error: "must be a KMS key ARN, key ID or alias/NAME" })
      .regex(
        /^(arn:aws(-us-gov)?:kms:[a-z0-9-]+:\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)|[a-f0-9-]{36}|mrk-[a-f0-9]{32}|alias\/[A-Za-z0-9/_-]+)$/,
        "must be a KMS key ARN, key ID, or alias/NAME",
      )
      .optional(),
    "The KMS key (ARN, key ID or `alias/NAME`) that encrypts the state; needs `encrypt` true.",
  ),
  useLockfile: described(
    z.boolean({ error: "must be true or false" }).default(true),
    "S3 native locking with a lock file beside the state (Terraform ≥ 1.11). `false` is refused without a `dynamodbTable`: nothing would lock the state.",
  ),
  dynamodbTable: described(
    z
      .string({ error: "must be a DynamoDB table name" })
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name (3-255 letters, digits, _ . -)")
      .optional(),
    "A DynamoDB lock table, deprecated since Terraform 1.11: with `useLockfile` both locks are taken while you migrate, and synth warns until you remove it.",
  ),
}).superRefine((s3, ctx) => {
  if (!s3.useLockfile && s3.dynamodbTable === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["useLockfile"],
      input: false,
      message:
        "is false with no dynamodbTable, so nothing would lock the state and two concurrent runs could corrupt it; keep useLockfile true (S3 native locking, Terraform ≥ 1.11)",
    });
  }
  if (s3.kmsKeyId !== undefined && !s3.encrypt) {
    ctx.addIssue({
      code: "custom",
      path: ["encrypt"],
      input: false,
      message: "is false but kmsKeyId is set; the key encrypts the state only with encrypt true",
    });
  }
});

const cloudName = (what: string) =>
  z.string({ error: `must be the ${what} name` }).regex(/^[A-Za-z0-9_-]{1,90}$/, `must be a ${what} name: 1-90 letters, digits, - and _`);

const cloudBackend = strictObject({
  type: described(
    z.literal("cloud"),
    "HCP Terraform (Terraform Cloud) or Terraform Enterprise. The token comes from `TF_TOKEN_<host>` in the environment or `terraform login`, never from the config.",
  ),
  organization: described(cloudName("Terraform Cloud organization"), "The HCP Terraform / Terraform Enterprise organization."),
  workspace: described(
    withPlaceholders(
      'the workspace name, e.g. "orders-prod" or "{stack}-prod"',
      /^[A-Za-z0-9_-]{1,90}$/,
      "a workspace name: 1-90 letters, digits, - and _ (plus {stack})",
    ).optional(),
    "One named workspace per stack, e.g. `{stack}-prod` (`{stack}` must be there when the config has two stacks). Exactly one of `workspace` and `workspaceTags`.",
  ),
  workspaceTags: described(
    z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,254}$/, "must be a workspace tag (letters, digits, _ : -, starting with a letter or digit)"), {
        error: 'must be a list of workspace tags, e.g. ["ghcr-ecs", "prod"]',
      })
      .min(1, "must list at least one tag")
      .optional(),
    "Workspaces selected by tag (pick one with `TF_WORKSPACE`). Exactly one of `workspace` and `workspaceTags`.",
  ),
  hostname: described(
    z
      .string({ error: "must be a hostname such as tfe.example.com" })
      .regex(HOSTNAME, "must be a hostname such as tfe.example.com (no https://, no path); leave it out for HCP Terraform (app.terraform.io)")
      .optional(),
    "Terraform Enterprise's hostname, without `https://` or a path. Default: HCP Terraform, `app.terraform.io`.",
  ),
  project: described(
    z
      .string({ error: "must be a project name" })
      .regex(/^[A-Za-z0-9 _-]{1,40}$/, "must be a project name: 1-40 letters, digits, spaces, - and _")
      .optional(),
    "The HCP Terraform project of the workspaces.",
  ),
}).superRefine((cloud, ctx) => {
  if (cloud.workspace !== undefined && cloud.workspaceTags !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["workspaceTags"],
      input: cloud.workspaceTags,
      message: "is set together with workspace; choose one: workspace (one named workspace per stack) or workspaceTags (select with TF_WORKSPACE)",
    });
  }
  if (cloud.workspace === undefined && cloud.workspaceTags === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["workspace"],
      input: undefined,
      message: 'is required unless workspaceTags is set, e.g. "workspace": "{stack}-prod"',
    });
  }
});

/**
 * Where Terraform keeps each stack's state (the config's `backend` key). `local` is the default. No variant accepts
 * a credential: Terraform Cloud reads `TF_TOKEN_<host>` and the S3 backend the AWS credential chain from the
 * environment.
 */
export const backendSchema = z
  .discriminatedUnion("type", [localBackend, s3Backend, cloudBackend], {
    error: 'must have "type": "local" (default), "s3" (with bucket) or "cloud" (with organization and workspace or workspaceTags)',
  })
  .default({ type: "local" });

export type BackendInput = z.input<typeof backendSchema>;
export type Backend = z.output<typeof backendSchema>;
export type LocalBackendSettings = Extract<Backend, { type: "local" }>;
export type S3BackendSettings = Extract<Backend, { type: "s3" }>;
export type CloudBackendSettings = Extract<Backend, { type: "cloud" }>;

/**
 * Problems that depend on how many stacks share the backend (a config with `launchType: "both"` has two): without
 * `{stack}`, two stacks would write one state and destroy each other's resources. Call from the config's
 * superRefine with the config's stack names; each problem names the field under `backend`.
 */
export function backendStackProblems(backend: Backend, stackNames: readonly string[]): { field: string; input: unknown; message: string }[] {
  if (stackNames.length < 2) return [];
  const shared = (field: string, value: string | undefined, what: string) =>
    value !== undefined && !value.includes(STACK_PLACEHOLDER)
      ? [
          {
            field,
            input: value,
            message: `has no ${STACK_PLACEHOLDER} but the config has ${stackNames.length} stacks (${stackNames.join(", ")}) that would share one ${what}; add ${STACK_PLACEHOLDER}`,
          },
        ]
      : [];
  switch (backend.type) {
    case "local":
      return shared("path", backend.path, "state file");
    case "s3":
      return shared("key", backend.key, "state object");
    case "cloud":
      return shared("workspace", backend.workspace, "workspace");
  }
}

/** Non-fatal advice about a valid backend (printed by synth). */
export function backendWarnings(backend: Backend): string[] {
  if (backend.type === "s3" && backend.dynamodbTable !== undefined) {
    return [
      backend.useLockfile
        ? `backend.dynamodbTable: DynamoDB locking is deprecated since Terraform 1.11; both locks are taken now — remove dynamodbTable once every runner uses Terraform ≥ 1.11`
        : `backend.dynamodbTable: DynamoDB locking is deprecated since Terraform 1.11; set useLockfile true (S3 native locking) and then remove dynamodbTable`,
    ];
  }
  return [];
}

/** The environment variable Terraform reads a Terraform Cloud / Enterprise token from: `TF_TOKEN_app_terraform_io`. */
export function tokenEnvVar(hostname = "app.terraform.io"): string {
  return `TF_TOKEN_${hostname.replace(/:\d+$/, "").replace(/-/g, "__").replace(/\./g, "_")}`;
}
