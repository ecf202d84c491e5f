import * as path from "node:path";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces, type TerraformStack } from "cdktf";
import { STACK_PLACEHOLDER, type Backend } from "./schema";

export interface BackendOptions {
  /** The bucket's region when `backend.region` is left out: the deployment's region. */
  readonly defaultRegion?: string;
  /**
   * The state file for `local` without `path` (the emulator and tests put it in a scratch folder).
   * @default - `terraform.<stack>.tfstate` in `cwd`, as cdktf does
   */
  readonly localStateFile?: string;
  /** @default process.cwd() */
  readonly cwd?: string;
}

/** The `terraform.backend.s3` block, with Terraform's snake_case keys. */
export interface S3BackendBlock {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly encrypt: boolean;
  readonly kms_key_id?: string;
  readonly dynamodb_table?: string;
  readonly use_lockfile: boolean;
}

/** The `terraform` block fragment a backend synthesizes to (what `cdk.tf.json` holds under `terraform`). */
export type BackendBlock =
  | { backend: { local: { path: string } } }
  | { backend: { s3: S3BackendBlock } }
  | { cloud: { organization: string; hostname?: string; workspaces: { name: string; project?: string } | { tags: string[]; project?: string } } };

const forStack = (value: string, stackName: string) => value.split(STACK_PLACEHOLDER).join(stackName);

/**
 * The `terraform` block fragment for one stack. Pure (apart from resolving a relative local path against `cwd`);
 * `applyBackend` produces exactly this through cdktf's backend classes, and tests merge it into synthesized JSON.
 */
export function backendBlock(backend: Backend, stackName: string, options: BackendOptions = {}): BackendBlock {
  const cwd = options.cwd ?? process.cwd();
  switch (backend.type) {
    case "local": {
      const file = backend.path
        ? path.resolve(cwd, forStack(backend.path, stackName))
        : (options.localStateFile ?? path.join(cwd, `terraform.${stackName}.tfstate`));
      return { backend: { local: { path: file } } };
    }
    case "s3": {
      const region = backend.region ?? options.defaultRegion;
      if (!region) throw new Error("backend.region is not set and no default region was given (the deployment's region)");
      return {
        backend: {
          s3: {
            bucket: backend.bucket,
            key: forStack(backend.key, stackName),
            region,
            encrypt: backend.encrypt,
            ...(backend.kmsKeyId ? { kms_key_id: backend.kmsKeyId } : {}),
            ...(backend.dynamodbTable ? { dynamodb_table: backend.dynamodbTable } : {}),
            // cdktf 0.21's S3Backend has no use_lockfile; applyBackend sets it by override.
            use_lockfile: backend.useLockfile,
          },
        },
      };
    }
    case "cloud": {
      const project = backend.project ? { project: backend.project } : {};
      const workspaces =
        backend.workspace !== undefined
          ? { name: forStack(backend.workspace, stackName), ...project }
          : { tags: [...(backend.workspaceTags ?? [])], ...project };
      return { cloud: { organization: backend.organization, ...(backend.hostname ? { hostname: backend.hostname } : {}), workspaces } };
    }
  }
}

/**
 * Configures `stack`'s state backend with cdktf's classes: `LocalBackend`, `S3Backend` (+ `use_lockfile` by
 * override) or `CloudBackend` with `NamedCloudWorkspace` / `TaggedCloudWorkspaces`. Never a token: Terraform reads
 * `TF_TOKEN_<host>` from the environment.
 */
export function applyBackend(stack: TerraformStack, backend: Backend, stackName: string, options: BackendOptions = {}): void {
  const block = backendBlock(backend, stackName, options);
  if ("cloud" in block) {
    const { organization, hostname, workspaces } = block.cloud;
    new CloudBackend(stack, {
      organization,
      ...(hostname ? { hostname } : {}),
      workspaces:
        "name" in workspaces ? new NamedCloudWorkspace(workspaces.name, workspaces.project) : new TaggedCloudWorkspaces(workspaces.tags, workspaces.project),
    });
  } else if ("local" in block.backend) {
    new LocalBackend(stack, { path: block.backend.local.path });
  } else {
    const s3 = block.backend.s3;
    new S3Backend(stack, {
      bucket: s3.bucket,
      key: s3.key,
      region: s3.region,
      encrypt: s3.encrypt,
      ...(s3.kms_key_id ? { kmsKeyId: s3.kms_key_id } : {}),
      ...(s3.dynamodb_table ? { dynamodbTable: s3.dynamodb_table } : {}),
    });
    stack.addOverride("terraform.backend.s3.use_lockfile", s3.use_lockfile);
  }
}
