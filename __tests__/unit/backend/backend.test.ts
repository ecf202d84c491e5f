import * as path from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { applyBackend, backendBlock } from "../../../src/backend/apply";
import {
  backendSchema,
  backendStackProblems,
  backendWarnings,
  bucketNameProblem,
  tokenEnvVar,
  type Backend,
  type BackendInput,
} from "../../../src/backend/schema";

const parse = (input: unknown): Backend => backendSchema.parse(input);

/** Each issue as `path: message`, the way the config loader reports them. */
function problems(input: unknown): string[] {
  const result = backendSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
}

function synthTerraformBlock(input: BackendInput, stackName = "orders", options = {}): Record<string, unknown> {
  const app = Testing.app();
  const stack = new TerraformStack(app, stackName);
  applyBackend(stack, parse(input), stackName, options);
  return (JSON.parse(Testing.synth(stack)) as { terraform: Record<string, unknown> }).terraform;
}

describe("backendSchema defaults", () => {
  it("is local when left out", () => {
    expect(backendSchema.parse(undefined)).toEqual({ type: "local" });
  });

  it("fills the S3 defaults: key per stack, encryption and native locking on", () => {
    expect(parse({ type: "s3", bucket: "acme-tfstate", region: "eu-west-1" })).toEqual({
      type: "s3",
      bucket: "acme-tfstate",
      key: "{stack}.tfstate",
      region: "eu-west-1",
      encrypt: true,
      useLockfile: true,
    });
  });
});

describe("backendSchema errors name the field, and what is allowed", () => {
  it.each<[string, unknown, string]>([
    [
      "unknown type",
      { type: "gcs" },
      'type: must have "type": "local" (default), "s3" (with bucket) or "cloud" (with organization and workspace or workspaceTags)',
    ],
    ["missing bucket", { type: "s3", region: "us-east-1" }, "bucket: must be the S3 bucket name holding the state"],
    ["upper-case bucket", { type: "s3", bucket: "Acme-State" }, "bucket: may hold only lowercase letters, digits, dots and hyphens (S3 bucket naming rules)"],
    ["short bucket", { type: "s3", bucket: "ab" }, "bucket: must be 3-63 characters long (S3 bucket naming rules)"],
    ["IP bucket", { type: "s3", bucket: "192.168.1.10" }, "bucket: must not be formatted as an IP address (S3 bucket naming rules)"],
    ["reserved suffix", { type: "s3", bucket: "state-s3alias" }, 'bucket: must not end with the reserved suffix "-s3alias" (S3 bucket naming rules)'],
    [
      "key with a leading slash",
      { type: "s3", bucket: "acme-tfstate", key: "/orders.tfstate" },
      "key: must be an S3 object key of 1-1024 characters not starting with /",
    ],
    [
      "unknown placeholder",
      { type: "s3", bucket: "acme-tfstate", key: "{env}/{stack}.tfstate" },
      "key: has the placeholder {env}; the only placeholder is {stack} (the stack name)",
    ],
    ["bad region", { type: "s3", bucket: "acme-tfstate", region: "europe" }, "region: must be an AWS region such as us-east-1 (the bucket's region)"],
    [
      "no locking at all",
      { type: "s3", bucket: "acme-tfstate", useLockfile: false },
      "useLockfile: is false with no dynamodbTable, so nothing would lock the state and two concurrent runs could corrupt it; keep useLockfile true (S3 native locking, Terraform ≥ 1.11)",
    ],
    [
      "KMS without encryption",
      { type: "s3", bucket: "acme-tfstate", encrypt: false, kmsKeyId: "alias/tfstate" },
      "encrypt: is false but kmsKeyId is set; the key encrypts the state only with encrypt true",
    ],
    [
      "typo",
      { type: "s3", bucket: "acme-tfstate", regoin: "us-east-1" },
      '(top level): unknown key "regoin" (did you mean "region"?); allowed keys: type, bucket, key, region, encrypt, kmsKeyId, useLockfile, dynamodbTable',
    ],
    [
      "workspace and tags",
      { type: "cloud", organization: "acme", workspace: "orders", workspaceTags: ["prod"] },
      "workspaceTags: is set together with workspace; choose one: workspace (one named workspace per stack) or workspaceTags (select with TF_WORKSPACE)",
    ],
    [
      "neither workspace nor tags",
      { type: "cloud", organization: "acme" },
      'workspace: is required unless workspaceTags is set, e.g. "workspace": "{stack}-prod"',
    ],
    ["empty tags", { type: "cloud", organization: "acme", workspaceTags: [] }, "workspaceTags: must list at least one tag"],
    [
      "hostname with scheme",
      { type: "cloud", organization: "acme", workspace: "orders", hostname: "https://tfe.example.com" },
      "hostname: must be a hostname such as tfe.example.com (no https://, no path); leave it out for HCP Terraform (app.terraform.io)",
    ],
    [
      "workspace with a space",
      { type: "cloud", organization: "acme", workspace: "orders prod" },
      "workspace: must be a workspace name: 1-90 letters, digits, - and _ (plus {stack})",
    ],
    [
      "bad organization",
      { type: "cloud", organization: "acme corp", workspace: "orders" },
      "organization: must be a Terraform Cloud organization name: 1-90 letters, digits, - and _",
    ],
  ])("%s", (_label, input, expected) => {
    expect(problems(input)).toEqual([expected]);
  });

  it.each([
    ["token", { type: "cloud", organization: "acme", workspace: "orders", token: "atlasv1.canary-9f8e7d" }],
    ["accessKey", { type: "s3", bucket: "acme-tfstate", accessKey: "AKIACANARY0000000000" }],
    ["secret_key", { type: "s3", bucket: "acme-tfstate", secret_key: "canary-secret-value" }],
  ])("refuses a credential key (%s) and never repeats its value", (key, input) => {
    const [problem, ...rest] = problems(input);
    expect(rest).toEqual([]);
    expect(problem).toBe(
      `(top level): unknown key "${key}": credentials are never read from the config (it is committed, and cdktf would copy them into cdk.tf.json); Terraform Cloud: set TF_TOKEN_<host> (TF_TOKEN_app_terraform_io) in the environment; S3: AWS credentials come from the environment (AWS_PROFILE, OIDC in CI)`,
    );
    expect(JSON.stringify(backendSchema.safeParse(input).error?.issues.map((i) => i.message))).not.toContain((input as Record<string, string>)[key]);
  });
});

describe("bucketNameProblem", () => {
  it.each(["acme-tfstate", "a.b-c", "123", "my.state.bucket"])("accepts %s", (name) => expect(bucketNameProblem(name)).toBeUndefined());
  it.each([
    ["-acme", "must start and end with a lowercase letter or digit"],
    ["acme..state", "must not contain two adjacent dots"],
    ["xn--acme", 'must not start with the reserved prefix "xn--"'],
    ["a".repeat(64), "must be 3-63 characters long"],
    ["acme_state", "may hold only lowercase letters, digits, dots and hyphens"],
  ])("refuses %s", (name, problem) => expect(bucketNameProblem(name)).toBe(problem));

  it.each(["a".repeat(63), "abc", "1.2.3", "10.0.0.1x"])("accepts the edge %s", (name) => expect(bucketNameProblem(name)).toBeUndefined());

  it.each([
    ["acme-", "must start and end with a lowercase letter or digit"],
    ["10.0.0.1", "must not be formatted as an IP address"],
    ["sthree-acme", 'must not start with the reserved prefix "sthree-"'],
    ["amzn-s3-demo-acme", 'must not start with the reserved prefix "amzn-s3-demo-"'],
    ["acme--ol-s3", 'must not end with the reserved suffix "--ol-s3"'],
    ["acme.mrap", 'must not end with the reserved suffix ".mrap"'],
    ["acme--x-s3", 'must not end with the reserved suffix "--x-s3"'],
    ["acme--table-s3", 'must not end with the reserved suffix "--table-s3"'],
  ])("refuses the edge %s", (name, problem) => expect(bucketNameProblem(name)).toBe(problem));
});

describe("backendSchema's messages for wrong types and values, field by field", () => {
  const messageOf = (input: unknown) => backendSchema.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  it.each<[unknown, string]>([
    [{ type: "local", path: 3 }, "path: must be a string: the state file path, e.g. state/{stack}.tfstate"],
    [{ type: "local", path: "state/{env}.tfstate" }, "path: has the placeholder {env}; the only placeholder is {stack} (the stack name)"],
    [{ type: "s3", bucket: 3 }, "bucket: must be the S3 bucket name holding the state"],
    [{ type: "s3", bucket: "acme", key: 3 }, 'key: must be a string: the object key, e.g. "ghcr-ecs/{stack}.tfstate"'],
    [{ type: "s3", bucket: "acme", region: "mars" }, "region: must be an AWS region such as us-east-1 (the bucket's region)"],
    [{ type: "s3", bucket: "acme", region: 3 }, "region: must be the bucket's AWS region, e.g. us-east-1"],
    [{ type: "s3", bucket: "acme", encrypt: "yes" }, "encrypt: must be true or false"],
    [{ type: "s3", bucket: "acme", kmsKeyId: "my-key" }, "kmsKeyId: must be a KMS key ARN, key ID, or alias/NAME"],
    [{ type: "s3", bucket: "acme", kmsKeyId: 3 }, "kmsKeyId: must be a KMS key ARN, key ID or alias/NAME"],
    [{ type: "s3", bucket: "acme", useLockfile: "yes" }, "useLockfile: must be true or false"],
    [{ type: "s3", bucket: "acme", dynamodbTable: "x" }, "dynamodbTable: must be a DynamoDB table name (3-255 letters, digits, _ . -)"],
    [{ type: "s3", bucket: "acme", dynamodbTable: 3 }, "dynamodbTable: must be a DynamoDB table name"],
    [
      { type: "s3", bucket: "acme", encrypt: false, kmsKeyId: "alias/state" },
      "encrypt: is false but kmsKeyId is set; the key encrypts the state only with encrypt true",
    ],
    [{ type: "cloud", organization: 3, workspace: "w" }, "organization: must be the Terraform Cloud organization name"],
    [{ type: "cloud", organization: "acme inc", workspace: "w" }, "organization: must be a Terraform Cloud organization name: 1-90 letters, digits, - and _"],
    [{ type: "cloud", organization: "acme", workspaceTags: "prod" }, 'workspaceTags: must be a list of workspace tags, e.g. ["ghcr-ecs", "prod"]'],
    [
      { type: "cloud", organization: "acme", workspaceTags: ["-x"] },
      "workspaceTags.0: must be a workspace tag (letters, digits, _ : -, starting with a letter or digit)",
    ],
    [{ type: "cloud", organization: "acme", workspace: "w", hostname: 3 }, "hostname: must be a hostname such as tfe.example.com"],
    [
      { type: "cloud", organization: "acme", workspace: "w", hostname: "https://tfe.example.com" },
      "hostname: must be a hostname such as tfe.example.com (no https://, no path); leave it out for HCP Terraform (app.terraform.io)",
    ],
    [{ type: "cloud", organization: "acme", workspace: "w", project: 3 }, "project: must be a project name"],
    [{ type: "cloud", organization: "acme", workspace: "w", project: "p!" }, "project: must be a project name: 1-40 letters, digits, spaces, - and _"],
    [{ type: "cloud", organization: "acme" }, 'workspace: is required unless workspaceTags is set, e.g. "workspace": "{stack}-prod"'],
    [
      { type: "cloud", organization: "acme", workspace: "w", workspaceTags: ["prod"] },
      "workspaceTags: is set together with workspace; choose one: workspace (one named workspace per stack) or workspaceTags (select with TF_WORKSPACE)",
    ],
  ])("%j", (input, message) => expect(messageOf(input)).toContain(message));
});

describe("backendStackProblems (two stacks sharing a backend)", () => {
  const both = ["orders", "orders-ec2"];
  it("refuses a shared S3 key, workspace or local path when the config has two stacks", () => {
    expect(backendStackProblems(parse({ type: "s3", bucket: "acme-tfstate", key: "orders.tfstate" }), both)).toEqual([
      {
        field: "key",
        input: "orders.tfstate",
        message: "has no {stack} but the config has 2 stacks (orders, orders-ec2) that would share one state object; add {stack}",
      },
    ]);
    expect(backendStackProblems(parse({ type: "cloud", organization: "acme", workspace: "orders-prod" }), both)).toEqual([
      {
        field: "workspace",
        input: "orders-prod",
        message: "has no {stack} but the config has 2 stacks (orders, orders-ec2) that would share one workspace; add {stack}",
      },
    ]);
    expect(backendStackProblems(parse({ type: "local", path: "state.tfstate" }), both)).toHaveLength(1);
  });
  it("accepts {stack}, the defaults, and any name for a single stack", () => {
    expect(backendStackProblems(parse({ type: "s3", bucket: "acme-tfstate" }), both)).toEqual([]);
    expect(backendStackProblems(parse({ type: "cloud", organization: "acme", workspace: "{stack}-prod" }), both)).toEqual([]);
    expect(backendStackProblems(parse({ type: "local" }), both)).toEqual([]);
    expect(backendStackProblems(parse({ type: "cloud", organization: "acme", workspace: "orders-prod" }), ["orders"])).toEqual([]);
  });
});

describe("backendWarnings", () => {
  it("warns that DynamoDB locking is deprecated, with the next step for each locking mode", () => {
    expect(backendWarnings(parse({ type: "s3", bucket: "acme-tfstate", dynamodbTable: "tf-locks" }))).toEqual([
      "backend.dynamodbTable: DynamoDB locking is deprecated since Terraform 1.11; both locks are taken now — remove dynamodbTable once every runner uses Terraform ≥ 1.11",
    ]);
    expect(backendWarnings(parse({ type: "s3", bucket: "acme-tfstate", dynamodbTable: "tf-locks", useLockfile: false }))).toEqual([
      "backend.dynamodbTable: DynamoDB locking is deprecated since Terraform 1.11; set useLockfile true (S3 native locking) and then remove dynamodbTable",
    ]);
    expect(backendWarnings(parse({ type: "s3", bucket: "acme-tfstate" }))).toEqual([]);
  });
});

describe("tokenEnvVar", () => {
  it("follows Terraform's TF_TOKEN_<host> encoding (dots → _, hyphens → __)", () => {
    expect(tokenEnvVar()).toBe("TF_TOKEN_app_terraform_io");
    expect(tokenEnvVar("tfe.my-corp.example.com")).toBe("TF_TOKEN_tfe_my__corp_example_com");
  });
});

describe("the synthesized terraform block (applyBackend through cdktf)", () => {
  it("local with a {stack} path, resolved against cwd", () => {
    const terraform = synthTerraformBlock({ type: "local", path: "state/{stack}.tfstate" }, "orders", { cwd: "/srv/deploy" });
    expect(terraform.backend).toEqual({ local: { path: "/srv/deploy/state/orders.tfstate" } });
    expect(terraform.cloud).toBeUndefined();
  });

  it("local without a path: the given state file, else terraform.<stack>.tfstate like cdktf", () => {
    expect(synthTerraformBlock({ type: "local" }, "orders", { localStateFile: "/tmp/x/terraform.orders.tfstate" }).backend).toEqual({
      local: { path: "/tmp/x/terraform.orders.tfstate" },
    });
    expect(synthTerraformBlock({ type: "local" }, "orders-ec2", { cwd: "/srv/deploy" }).backend).toEqual({
      local: { path: "/srv/deploy/terraform.orders-ec2.tfstate" },
    });
  });

  it("s3 with use_lockfile set by override, the key per stack and the deployment's region", () => {
    const terraform = synthTerraformBlock({ type: "s3", bucket: "acme-tfstate", key: "ghcr-ecs/{stack}.tfstate", kmsKeyId: "alias/tfstate" }, "orders-ec2", {
      defaultRegion: "eu-central-1",
    });
    expect(terraform.backend).toEqual({
      s3: {
        bucket: "acme-tfstate",
        key: "ghcr-ecs/orders-ec2.tfstate",
        region: "eu-central-1",
        encrypt: true,
        kms_key_id: "alias/tfstate",
        use_lockfile: true,
      },
    });
  });

  it("s3 during a DynamoDB migration keeps both locks", () => {
    const terraform = synthTerraformBlock({ type: "s3", bucket: "acme-tfstate", region: "us-east-1", dynamodbTable: "tf-locks" });
    expect(terraform.backend).toEqual({
      s3: { bucket: "acme-tfstate", key: "orders.tfstate", region: "us-east-1", encrypt: true, dynamodb_table: "tf-locks", use_lockfile: true },
    });
  });

  it("s3 without any region is an error naming the field", () => {
    expect(() => backendBlock(parse({ type: "s3", bucket: "acme-tfstate" }), "orders")).toThrow(
      "backend.region is not set and no default region was given (the deployment's region)",
    );
  });

  it("cloud with a named workspace per stack, a project, on Terraform Enterprise", () => {
    const terraform = synthTerraformBlock({ type: "cloud", organization: "acme", workspace: "{stack}-prod", project: "payments", hostname: "tfe.example.com" });
    expect(terraform.cloud).toEqual({ organization: "acme", hostname: "tfe.example.com", workspaces: { name: "orders-prod", project: "payments" } });
    expect(terraform.backend).toBeUndefined();
  });

  it("cloud with workspace tags", () => {
    const terraform = synthTerraformBlock({ type: "cloud", organization: "acme", workspaceTags: ["ghcr-ecs", "prod"] });
    expect(terraform.cloud).toEqual({ organization: "acme", workspaces: { tags: ["ghcr-ecs", "prod"] } });
  });

  it.each<[string, BackendInput]>([
    ["local", { type: "local", path: "{stack}.tfstate" }],
    ["s3", { type: "s3", bucket: "acme-tfstate", region: "us-east-1", dynamodbTable: "tf-locks" }],
    ["cloud by name", { type: "cloud", organization: "acme", workspace: "{stack}" }],
    ["cloud by tags", { type: "cloud", organization: "acme", workspaceTags: ["a"], project: "p" }],
  ])("applyBackend synthesizes exactly backendBlock: %s", (_label, input) => {
    const options = { cwd: "/srv/deploy", defaultRegion: "us-east-1" };
    const terraform = synthTerraformBlock(input, "orders", options);
    const block = backendBlock(parse(input), "orders", options) as Record<string, unknown>;
    for (const [key, value] of Object.entries(block)) expect(terraform[key]).toEqual(value);
    expect(Object.keys(terraform).filter((k) => k === "backend" || k === "cloud")).toEqual(Object.keys(block));
  });

  it("never writes a token into the synthesized stack, even when the environment has one", () => {
    const previous = process.env.TF_TOKEN_app_terraform_io;
    process.env.TF_TOKEN_app_terraform_io = "atlasv1.canary-env-token-5c1d";
    try {
      const app = new App({ outdir: path.join(Testing.app().outdir, "out") });
      const stack = new TerraformStack(app, "orders");
      applyBackend(stack, parse({ type: "cloud", organization: "acme", workspace: "orders" }), "orders");
      expect(Testing.synth(stack)).not.toContain("canary-env-token");
      expect(Testing.synth(stack)).not.toContain("token");
    } finally {
      if (previous === undefined) delete process.env.TF_TOKEN_app_terraform_io;
      else process.env.TF_TOKEN_app_terraform_io = previous;
    }
  });
});
