import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Reporter } from "./reporter";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** The typed values `parseArgs` returns for an options table. */
export type OptionValues<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>["values"];

export interface CommandContext {
  readonly out: Reporter;
  readonly stdin: NodeJS.ReadableStream;
  /** Only for commands that take positionals (plan-summary's files); the others refuse them. */
  readonly positionals: readonly string[];
}

/** One `ghcr-ecs` command: its help, its flags (typed for `run`) and what it does; `run` returns the exit code. */
export interface Command<O extends OptionsConfig = OptionsConfig> {
  /** `rollout`, or two words such as `credentials check`. */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: O;
  readonly positionals?: boolean;
  run(values: OptionValues<O>, ctx: CommandContext): Promise<number>;
}

/** Keeps a command's option table and its `run` typed against each other. */
export function defineCommand<const O extends OptionsConfig>(command: Command<O>): Command<O> {
  return command;
}
