import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../src/app";
import { backendBlock } from "../../src/backend/apply";
import { backendSchema, type BackendInput } from "../../src/backend/schema";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { startMoto, type MotoServer } from "../../src/emulator/moto-server";
import { terraformEnv } from "../../src/terraform/cli-config";
import { run, runOrThrow } from "../../src/terraform/run";
import { TerraformWorkdir } from "../../src/terraform/workdir";
import { configWith } from "../helpers/configs";

jest.setTimeout(300_000);

/**
 * Every backend variant merged into the real `orders` stack as synthesized, then `terraform init -backend=false` +
 * `validate`: Terraform accepts the block (argument names and types, cloud vs backend), without reaching S3 or
 * Terraform Cloud.
 */
const VARIANTS: Record<string, NonNullable<BackendInput>> = {
  "local with a {stack} path": { type: "local", path: "state/{stack}.tfstate" },
  "s3 with native locking and a KMS key": { type: "s3", bucket: "acme-tfstate", key: "ghcr-ecs/{stack}.tfstate", kmsKeyId: "alias/tfstate" },
  "s3 migrating from DynamoDB locking": { type: "s3", bucket: "acme-tfstate", region: "eu-west-1", dynamodbTable: "tf-locks" },
  "cloud, named workspace in a project": { type: "cloud", organization: "acme", workspace: "{stack}-prod", project: "payments" },
  "cloud, tagged workspaces on Terraform Enterprise": { type: "cloud", organization: "acme", workspaceTags: ["ghcr-ecs", "prod"], hostname: "tfe.example.com" },
};

const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-backends-"));
let stackJson: { terraform: Record<string, unknown> } & Record<string, unknown>;

beforeAll(() => {
  const config = configWith({});
  buildApp(config, { outdir: path.join(scratch, "synth"), stateDir: scratch }).synth();
  stackJson = JSON.parse(readFileSync(path.join(scratch, "synth", "stacks", config.name, "cdk.tf.json"), "utf8")) as typeof stackJson;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("starts from a stack whose only backend is the local one cdktf wrote", () => {
  expect(Object.keys(stackJson.terraform.backend as object)).toEqual(["local"]);
  expect(stackJson.terraform.cloud).toBeUndefined();
});

describe("terraform init -backend=false + validate on the orders stack", () => {
  it.each(Object.entries(VARIANTS))("%s", async (label, input) => {
    const block = backendBlock(backendSchema.parse(input), "orders", { defaultRegion: "us-east-1", cwd: scratch });
    const { backend: _replaced, ...terraform } = stackJson.terraform;
    const merged = { ...stackJson, terraform: { ...terraform, ...block } };
    const dir = path.join(scratch, label.replace(/[^a-z0-9]+/gi, "-"));
    mkdirSync(dir);
    writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(merged, null, 2));

    const wd = new TerraformWorkdir(dir);
    await wd.init({ backend: false });
    const result = JSON.parse((await wd.validate()).stdout) as { valid: boolean; error_count: number; warning_count: number };
    expect(result).toMatchObject({ valid: true, error_count: 0 });
    const written = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as { terraform: Record<string, unknown> };
    expect(Object.keys(written.terraform).filter((k) => k === "backend" || k === "cloud")).toEqual([input.type === "cloud" ? "cloud" : "backend"]);
    expect(JSON.stringify(written)).not.toMatch(/"token"/);
  });
});

/**
 * `init -backend=false` skips the backend and cloud blocks entirely (validate accepts a bogus argument there), so the
 * blocks are also checked the way Terraform really reads them: a full `terraform init`.
 */
describe("terraform init with the cloud block (no network here)", () => {
  async function initCloud(label: string, cloud: unknown) {
    const { backend: _replaced, ...terraform } = stackJson.terraform;
    const dir = path.join(scratch, `init-${label}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ ...stackJson, terraform: { ...terraform, cloud } }));
    const result = await run("terraform", ["init", "-input=false", "-no-color"], {
      cwd: dir,
      env: terraformEnv({ ...process.env, TF_TOKEN_app_terraform_io: "" }),
      timeoutMs: 120_000,
    });
    return result.stdout + result.stderr;
  }

  it.each(Object.entries(VARIANTS).filter(([, v]) => v.type === "cloud"))(
    "%s: the block is accepted; init stops only at service discovery",
    async (label, input) => {
      const block = backendBlock(backendSchema.parse(input), "orders") as { cloud: { hostname?: string } };
      const output = await initCloud(label.replace(/[^a-z0-9]+/gi, "-"), block.cloud);
      expect(output).toContain("Initializing HCP Terraform...");
      expect(output).toContain(`Failed to request discovery document: Get "https://${block.cloud.hostname ?? "app.terraform.io"}/.well-known/terraform.json"`);
      expect(output).not.toContain("Invalid workspaces configuration");
    },
  );

  it("a block Terraform refuses fails before that, so the check above can fail", async () => {
    const output = await initCloud("broken", { organization: "acme", workspaces: { name: "a", tags: ["b"] } });
    expect(output).toContain("Error: Invalid workspaces configuration");
    expect(output).not.toContain("discovery document");
  });
});

describe("the s3 backend against moto's S3: init, plan, and native locking", () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const bucket = "acme-tfstate";

  beforeAll(async () => {
    moto = await startMoto();
    env = terraformEnv({ ...process.env, ...moto.awsEnv("us-east-1") });
    const created = await fetch(`${moto.endpoint}/${bucket}`, { method: "PUT" });
    expect(created.status).toBe(200);
    const kms = new KMSClient({ region: "us-east-1", endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    const key = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: "alias/tfstate", TargetKeyId: key.KeyMetadata!.KeyId }));
    kms.destroy();

    const block = backendBlock(backendSchema.parse(VARIANTS["s3 with native locking and a KMS key"]), "orders", { defaultRegion: "us-east-1" });
    const { backend: _replaced, ...terraform } = stackJson.terraform;
    dir = path.join(scratch, "s3-on-moto");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ ...stackJson, terraform: { ...terraform, ...block } }));
    // Only how to reach moto; the backend settings themselves are the synthesized ones.
    writeFileSync(
      path.join(dir, "moto.s3.tfbackend"),
      [
        `endpoints = { s3 = "${moto.endpoint}" }`,
        "use_path_style = true",
        "skip_credentials_validation = true",
        "skip_requesting_account_id = true",
        "skip_metadata_api_check = true",
      ].join("\n"),
    );
    await runOrThrow("terraform", ["init", "-input=false", "-no-color", "-backend-config=moto.s3.tfbackend"], { cwd: dir, env, timeoutMs: 120_000 });
  });
  afterAll(() => moto?.stop());

  it("plans with the lock taken and released (no registry token: the check block warns)", async () => {
    const result = await run("terraform", ["plan", "-input=false", "-no-color", "-lock-timeout=0s"], { cwd: dir, env, timeoutMs: 300_000 });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    const listing = await (await fetch(`${moto.endpoint}/${bucket}?list-type=2`)).text();
    expect(listing).not.toContain("orders.tfstate.tflock");
  });

  it("use_lockfile is in force: a held lock file blocks the next run", async () => {
    const held = await fetch(`${moto.endpoint}/${bucket}/ghcr-ecs/orders.tfstate.tflock`, {
      method: "PUT",
      body: JSON.stringify({
        ID: "5f1d0c1e-0000-4000-8000-000000000001",
        Operation: "OperationTypeApply",
        Who: "someone@ci",
        Version: "1.11.4",
        Created: new Date().toISOString(),
        Path: `${bucket}/ghcr-ecs/orders.tfstate`,
      }),
    });
    expect(held.status).toBe(200);
    const result = await run("terraform", ["plan", "-input=false", "-no-color", "-lock-timeout=0s"], { cwd: dir, env, timeoutMs: 300_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error acquiring the state lock");
    expect(result.stderr).toContain("someone@ci");
  });
});
