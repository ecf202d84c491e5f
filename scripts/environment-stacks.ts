/**
 * Prints the config's environment stacks (GHCR_ECS_CONFIG or config/reference-app.json), one per line: what the
 * deploy and watch workflows work on. Never the CI bootstrap stack `<name>-ci`: an administrator deploys it once,
 * and the deploy role may not change it.
 *
 * Exit codes: 0 printed, 2 invalid config.
 */
import { ConfigError, configPathFromEnv, loadConfigFile } from "../src/config/load";
import { environmentStackNames } from "../src/config/model";

try {
  for (const stack of environmentStackNames(loadConfigFile(configPathFromEnv()))) process.stdout.write(`${stack}\n`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
