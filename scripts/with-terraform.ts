/** Runs a command (cdktf deploy, terraform ...) with this project's Terraform CLI configuration. */
import { spawn } from "node:child_process";
import { terraformEnv } from "../src/terraform/cli-config";
import { debugLogProblem } from "../src/terraform/debug-log-guard";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write("usage: with-terraform <command> [args...]\n");
  process.exit(2);
}
const logProblem = debugLogProblem(process.env);
if (logProblem) {
  process.stderr.write(`refusing to run ${command}: ${logProblem}\n`);
  process.exit(2);
}
const child = spawn(command, args, { stdio: "inherit", env: terraformEnv() });
child.on("error", (error) => {
  process.stderr.write(`${command}: ${error.message}\n`);
  process.exit(127);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
