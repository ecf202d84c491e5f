/**
 * The daily credentials watch (.github/workflows/credentials-watch.yml) keeps one GitHub issue per failing stack:
 * opened when a stack's `credentials check --all --fail-days` fails, updated (never duplicated) while it keeps
 * failing, closed once it passes. Pure: the workflow's github-script step feeds it the check results and the open
 * issues, and carries out what it returns.
 */

/** Where a watch issue names its stack; the issue is found by it, whatever its title became. */
export function watchMarker(stack: string): string {
  return `<!-- ghcr-ecs:credentials-watch stack=${stack} -->`;
}

/** A stack's `credentials check --all --json` document, or why there is none. */
export interface WatchResult {
  readonly stack: string;
  /** The check's JSON output; undefined when the check printed none (it could not start: see `error`). */
  readonly check?: {
    readonly ok: boolean;
    readonly exitCode: number;
    readonly checks?: readonly {
      readonly service: string;
      readonly ok: boolean;
      readonly exitCode?: number;
      readonly error?: string;
      readonly token?: { readonly expires?: string; readonly daysLeft?: number; readonly owner?: string };
    }[];
  };
  /** The last lines of the check's (or terraform init's) error output. */
  readonly error?: string;
}

export interface OpenIssue {
  readonly number: number;
  readonly body: string;
}

export type IssueAction =
  | { readonly kind: "create"; readonly stack: string; readonly title: string; readonly body: string }
  | { readonly kind: "update"; readonly stack: string; readonly number: number; readonly body: string }
  | { readonly kind: "close"; readonly stack: string; readonly number: number; readonly comment: string };

export function watchIssueTitle(stack: string): string {
  return `Registry credentials of ${stack} need attention`;
}

const failed = (result: WatchResult) => !result.check || !result.check.ok;

/** The issue text for a failing stack: what failed per service, with the token's expiry where GitHub told it. */
export function watchIssueBody(result: WatchResult, runUrl: string): string {
  const lines = [watchMarker(result.stack), "", `The daily credentials watch failed for **${result.stack}** ([run](${runUrl})).`, ""];
  if (!result.check) {
    lines.push("The check could not run:", "", "```", result.error ?? "(no output)", "```");
  } else {
    for (const check of result.check.checks ?? []) {
      const token = check.token?.expires
        ? ` — token of ${check.token.owner ?? "?"} expires ${check.token.expires}${check.token.daysLeft !== undefined ? ` (${check.token.daysLeft} days)` : ""}`
        : "";
      lines.push(
        `- ${check.ok ? "✅" : "❌"} ${check.service}${check.ok ? "" : `: exit ${check.exitCode ?? "?"}${check.error ? `, ${check.error}` : ""}`}${token}`,
      );
    }
  }
  lines.push(
    "",
    "Fix: create a new classic token with `read:packages` and run `printf '%s' \"$NEW_TOKEN\" | npx ghcr-ecs rotate --token-stdin --stack " +
      result.stack +
      "`. This issue is updated by each run while the check fails and closed when it passes.",
  );
  return lines.join("\n");
}

/** What to do with the issues: one per failing stack, found by its marker; closed for a stack that passes again. */
export function planWatchIssues(results: readonly WatchResult[], openIssues: readonly OpenIssue[], runUrl: string): IssueAction[] {
  const issueOf = (stack: string) => openIssues.find((issue) => issue.body.includes(watchMarker(stack)));
  return results.flatMap((result): IssueAction[] => {
    const issue = issueOf(result.stack);
    if (failed(result)) {
      const body = watchIssueBody(result, runUrl);
      return issue
        ? issue.body === body
          ? []
          : [{ kind: "update", stack: result.stack, number: issue.number, body }]
        : [{ kind: "create", stack: result.stack, title: watchIssueTitle(result.stack), body }];
    }
    return issue
      ? [{ kind: "close", stack: result.stack, number: issue.number, comment: `The credentials watch passes again for ${result.stack} ([run](${runUrl})).` }]
      : [];
  });
}
