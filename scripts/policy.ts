/**
 * `npm run policy`: synthesizes the app from the config (GHCR_ECS_CONFIG or config/reference-app.json) into a
 * scratch folder, runs the policy gate over every stack and prints the report.
 *
 * Usage: node dist/scripts/policy.js [--waivers <file.json>] [--json]
 * Exit codes: 0 no unwaived finding, 1 violations, 2 invalid config, waivers or arguments.
 */
import { readFileSync } from "node:fs";
import { synthesizeStacks } from "../src/app";
import { environmentsOf } from "../src/config/model";
import { ConfigError, configPathFromEnv, loadConfigFile } from "../src/config/load";
import { expectationsFromConfig, runPolicyGate } from "../src/policy-gate/gate";
import { formatPolicyReport, policyReportJson } from "../src/policy-gate/report";
import { parsePolicyWaivers, PolicyWaiverError, type PolicyWaiver } from "../src/policy-gate/waivers";

class UsageError extends Error {}

interface Options {
  readonly waiversFile?: string;
  readonly json: boolean;
}

function parseArgs(args: string[]): Options {
  let waiversFile: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--json") json = true;
    else if (args[i] === "--waivers") {
      waiversFile = args[++i];
      if (!waiversFile) throw new UsageError("--waivers needs a file: --waivers waivers.json");
    } else throw new UsageError(`unknown argument ${JSON.stringify(args[i])}; usage: policy [--waivers <file.json>] [--json]`);
  }
  return { waiversFile, json };
}

function readWaiversFile(file: string): PolicyWaiver[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PolicyWaiverError(file, [
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : `not readable JSON: ${(error as Error).message}`,
    ]);
  }
  return parsePolicyWaivers(data, file);
}

function main(): number {
  const options = parseArgs(process.argv.slice(2));
  const configFile = configPathFromEnv();
  const config = loadConfigFile(configFile);
  const environments = new Map(environmentsOf(config).map((env) => [env.stackName, env]));
  const stacks = synthesizeStacks(config).map((stack) => {
    const environment = environments.get(stack.name);
    // The CI stack holds only IAM: the environments' waivers and choices are about theirs.
    return environment ? { ...stack, waivers: environment.policyWaivers, expectations: expectationsFromConfig(environment) } : stack;
  });
  const result = runPolicyGate({ stacks, waivers: options.waiversFile ? readWaiversFile(options.waiversFile) : [] });
  process.stdout.write(options.json ? policyReportJson(result) : formatPolicyReport(result));
  return result.passed ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (error) {
  if (error instanceof ConfigError || error instanceof PolicyWaiverError || error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
