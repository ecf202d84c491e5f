import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { buildApp } from "./src/app";
import { ConfigError, configPathFromEnv, loadConfigFile } from "./src/config/load";
import { describeStackRollout } from "./src/ecs/rollout-model";
import { configWarnings } from "./src/config/model";
import type { TerraformDocument } from "./src/terraform/document";

function loadOrExit() {
  try {
    return loadConfigFile(configPathFromEnv());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Report before any App exists: App creates cdktf.out, and a bad config must leave nothing behind.
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

const config = loadOrExit();
const app = buildApp(config);
app.synth();
for (const warning of configWarnings(config)) process.stderr.write(`warning: ${warning}\n`);

// Expected rollout times go to stderr: stdout stays clean for tools that read it.
for (const stack of app.node.children.filter((child): child is TerraformStack => child instanceof TerraformStack)) {
  const file = path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json");
  if (!existsSync(file)) continue; // `cdktf synth --hcl` writes cdk.tf instead
  const document = JSON.parse(readFileSync(file, "utf8")) as TerraformDocument;
  for (const line of describeStackRollout(stack.node.id, document)) process.stderr.write(`${line}\n`);
}
