import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../util/project-root";

/** Where machine images and users commonly keep a provider filesystem mirror. */
const MIRROR_CANDIDATES = [
  "/opt/tf-plugins",
  "/usr/share/terraform/plugins",
  "/usr/local/share/terraform/plugins",
  path.join(os.homedir(), ".terraform.d", "plugins"),
  path.join(os.homedir(), ".local", "share", "terraform", "plugins"),
];

const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";

/**
 * The mirror to use: `GHCR_ECS_PROVIDER_MIRROR` (a folder, or `none` for direct download), else the first
 * candidate that holds the AWS provider in Terraform's unpacked or packed layout.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env, candidates = MIRROR_CANDIDATES): string | undefined {
  const override = env.GHCR_ECS_PROVIDER_MIRROR;
  if (override === "none") return undefined;
  if (override) {
    if (!existsSync(path.join(override, AWS_PROVIDER))) {
      throw new Error(`GHCR_ECS_PROVIDER_MIRROR=${override} has no ${AWS_PROVIDER} folder; point it at a filesystem mirror or set it to none`);
    }
    return override;
  }
  return candidates.find((dir) => existsSync(path.join(dir, AWS_PROVIDER)));
}

/** Terraform CLI configuration text: the mirror for the AWS provider when there is one, the registry otherwise. */
export function renderCliConfig(mirror: string | undefined): string {
  if (!mirror) return "# No provider mirror found: providers are downloaded from their registries.\n";
  return [
    `# Written by ghcr-ecs: the AWS provider comes from the filesystem mirror at ${mirror}.`,
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = [${JSON.stringify(AWS_PROVIDER)}]`,
    "  }",
    "  direct {",
    `    exclude = [${JSON.stringify(AWS_PROVIDER)}]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Writes `.terraform-cli/terraform.rc` (only when its content changes) and returns the environment every
 * terraform/cdktf call of this project runs with.
 */
export function terraformEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dir = path.join(projectRoot(), ".terraform-cli");
  const file = path.join(dir, "terraform.rc");
  const text = renderCliConfig(findProviderMirror(env));
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
    mkdirSync(dir, { recursive: true });
    // Written beside and renamed into place: a terraform started by a concurrent test never reads half a file.
    const staged = `${file}.${process.pid}.tmp`;
    writeFileSync(staged, text);
    renameSync(staged, file);
  }
  return { ...env, TF_CLI_CONFIG_FILE: file, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
}
