#!/usr/bin/env node
/** `ghcr-ecs`: finds the command, parses its flags strictly, runs it and maps failures to exit codes. */
import { parseArgs } from "node:util";
import { EXIT, OperationError } from "../operations/exit-codes";
import type { Command, OptionValues } from "./command";
import { credentialsCheck } from "./commands/credentials-check";
import { credentialsSet } from "./commands/credentials-set";
import { planSummaryCommand } from "./commands/plan-summary";
import { rolloutCommand } from "./commands/rollout";
import { rotateCommand } from "./commands/rotate";
import { statusCommand } from "./commands/status";
import { logsCommand } from "./commands/logs";
import { Reporter } from "./reporter";

const COMMANDS: readonly Command[] = [credentialsSet, credentialsCheck, rolloutCommand, rotateCommand, statusCommand, logsCommand, planSummaryCommand];

const USAGE = `ghcr-ecs — operate a ghcr-ecs deployment

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(20)}${c.summary}`).join("\n")}

Run \`ghcr-ecs <command> --help\` for its options. AWS access comes from the usual AWS SDK settings
(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).`;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
}

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const name = argv[0] === "credentials" ? `credentials ${argv[1] ?? ""}`.trim() : (argv[0] ?? "");
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const out = new Reporter(io.stdout, io.stderr, false);
    if (name === "" || name === "--help" || name === "-h" || name === "help") {
      out.line(USAGE);
      return name === "" ? EXIT.usage : EXIT.ok;
    }
    // Quote only what looks like a command word: a token pasted here must not be printed back.
    const shown = argv.slice(0, 2).every((word) => /^[a-z][a-z-]{0,20}$/.test(word))
      ? ` "${argv.slice(0, 2).join(" ")}"`
      : " (not shown, in case it is a token)";
    out.error(new OperationError(EXIT.usage, `unknown command${shown}`, `Commands: ${COMMANDS.map((c) => c.name).join(", ")}. See ghcr-ecs --help.`));
    return EXIT.usage;
  }
  let values: OptionValues<Command["options"]> & { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(name.split(" ").length),
      options: command.options,
      strict: true,
      allowPositionals: command.positionals === true,
    }));
  } catch (error) {
    const out = new Reporter(io.stdout, io.stderr, false);
    // Never echo a stray argument: it may be a token pasted where it does not belong.
    const message = /Unexpected argument/i.test((error as Error).message)
      ? "unexpected argument (not shown, in case it is a token; tokens are never accepted as arguments)"
      : (error as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    out.error(new OperationError(EXIT.usage, `${name}: ${message}`, `See ghcr-ecs ${name} --help.`));
    return EXIT.usage;
  }
  const json = values.json === true;
  const out = new Reporter(io.stdout, io.stderr, json);
  if (values.help) {
    out.line(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(values, { out, stdin: io.stdin, positionals });
  } catch (error) {
    out.error(error);
    const exitCode = error instanceof OperationError ? error.exitCode : EXIT.failure;
    if (json) out.result({ ok: false, exitCode, error: out.redact((error as Error).message) });
    return exitCode;
  }
}

/** The process entry point: runs `process.argv` and exits with its code once the output is flushed. */
export function main(): void {
  runCli(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
    process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
    exitWhenFlushed(EXIT.failure);
  });
}

/**
 * Exits as soon as stdout and stderr are written out. A connection the runtime still holds must not delay the answer:
 * a TLS handshake a hung registry never answers keeps fetch's socket open for its own 10 s connect timeout after the
 * check has given up.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const flushed = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write("", flushed);
  process.stderr.write("", flushed);
}

if (require.main === module) main();
