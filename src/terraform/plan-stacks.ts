/** `npm run plan`: init and plan every synthesized stack, several at once (bounded). */
import * as path from "node:path";
import { oneAtATime, settleEach } from "../util/concurrency";
import { ConcurrentProgress } from "./concurrent-progress";
import { ProgressReporter, type ProgressStream } from "./progress-reporter";
import { TerraformWorkdir } from "./workdir";

/** Stacks planned at once unless `GHCR_ECS_PLAN_CONCURRENCY` says otherwise: an app's usual environment count. */
export const DEFAULT_PLAN_CONCURRENCY = 3;
const MAX_PLAN_CONCURRENCY = 16;

/** How many stacks to plan at once: `GHCR_ECS_PLAN_CONCURRENCY` (1–16) or the default, never more than there are. */
export function planConcurrency(env: NodeJS.ProcessEnv, stackCount: number): number {
  const raw = env.GHCR_ECS_PLAN_CONCURRENCY;
  let limit = DEFAULT_PLAN_CONCURRENCY;
  if (raw !== undefined && raw !== "") {
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PLAN_CONCURRENCY) {
      throw new Error(
        `GHCR_ECS_PLAN_CONCURRENCY=${JSON.stringify(raw)} is not allowed: use a whole number from 1 to ${MAX_PLAN_CONCURRENCY} (1 plans one stack at a time)`,
      );
    }
    limit = Number(raw);
  }
  return Math.max(1, Math.min(limit, stackCount));
}

export interface StackToPlan {
  readonly name: string;
  readonly dir: string;
}

export interface StackPlan {
  readonly stack: string;
  /** The saved plan, when the plan succeeded. */
  readonly planFile?: string;
  readonly error?: Error;
}

export interface PlanStacksOptions {
  /** Where progress goes. */
  readonly stream: ProgressStream;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Stacks planned at once. @default planConcurrency(env, stacks.length) */
  readonly concurrency?: number;
  /** Terraform's human output instead of progress; plans one stack at a time so the outputs do not interleave. @default false */
  readonly verbose?: boolean;
}

/**
 * `terraform init` and `plan -out=<stack dir>/plan.tfplan` of each stack; every stack is planned even when another
 * fails. Inits run one at a time when `TF_PLUGIN_CACHE_DIR` is set: Terraform's plugin cache is not safe for
 * concurrent installs.
 */
export async function planStacks(stacks: readonly StackToPlan[], options: PlanStacksOptions): Promise<StackPlan[]> {
  const env = options.env ?? process.env;
  const concurrency = options.verbose ? 1 : (options.concurrency ?? planConcurrency(env, stacks.length));
  const initGate = env.TF_PLUGIN_CACHE_DIR ? oneAtATime() : <R>(task: () => Promise<R>) => task();
  const stream = options.stream;
  const board = concurrency > 1 ? new ConcurrentProgress(stream, { operation: "plan", total: stacks.length }) : undefined;

  const planOne = async (stack: StackToPlan): Promise<string> => {
    const planFile = path.join(stack.dir, "plan.tfplan");
    let workdir = new TerraformWorkdir(stack.dir, env, options.verbose === true);
    if (board) {
      workdir = workdir.withProgress(board.begin(stack.name));
    } else {
      stream.write(`\n==> ${stack.name}: terraform init + plan\n`);
      if (!options.verbose) workdir = workdir.withProgress(new ProgressReporter(stream, { label: stack.name }));
    }
    try {
      await initGate(() => workdir.init());
      await workdir.plan(planFile);
      const saved = `${stack.name}: plan saved to ${path.relative(process.cwd(), planFile)}`;
      if (board) board.line(saved);
      else stream.write(`${saved}\n`);
      board?.end(stack.name, true);
      return planFile;
    } catch (error) {
      board?.end(stack.name, false);
      throw error;
    }
  };

  const settled = await settleEach(stacks, concurrency, planOne);
  board?.close();
  return settled.map((result, i) =>
    result.status === "fulfilled"
      ? { stack: stacks[i].name, planFile: result.value }
      : { stack: stacks[i].name, error: result.reason instanceof Error ? result.reason : new Error(String(result.reason)) },
  );
}
