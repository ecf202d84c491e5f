import { buildApp } from "./src/app";
import { ConfigError, configPathFromEnv, loadConfigFile } from "./src/config/load";

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

buildApp(loadOrExit()).synth();
