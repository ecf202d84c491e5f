/** A service's recent log lines without the console (`ghcr-ecs logs`): CloudWatch Logs' FilterLogEvents on its log group. */
import { FilterLogEventsCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { awsFailure } from "./aws";
import { EXIT, OperationError } from "./exit-codes";

export interface LogLine {
  readonly at: string;
  readonly stream: string;
  readonly message: string;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` → milliseconds; undefined when it is none of those. */
export function parseSince(text: string): number | undefined {
  const match = /^(\d{1,5})([smhd])$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

/** The log lines since `sinceMs` ago, oldest first, at most `limit`, matching CloudWatch's `filterPattern` when given. */
export async function serviceLogs(
  logs: CloudWatchLogsClient,
  options: { readonly logGroupName: string; readonly sinceMs: number; readonly limit: number; readonly filterPattern?: string; readonly now?: number },
): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let nextToken: string | undefined;
  const startTime = (options.now ?? Date.now()) - options.sinceMs;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: options.logGroupName,
          startTime,
          filterPattern: options.filterPattern,
          limit: Math.min(10000, options.limit - lines.length),
          nextToken,
        }),
      );
      for (const event of page.events ?? []) {
        lines.push({ at: new Date(event.timestamp ?? 0).toISOString(), stream: event.logStreamName ?? "?", message: (event.message ?? "").replace(/\n$/, "") });
      }
      nextToken = page.nextToken;
    } while (nextToken && lines.length < options.limit);
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") {
      throw new OperationError(
        EXIT.usage,
        `log group ${options.logGroupName} does not exist`,
        "Check --log-group or the outputs file; was the stack destroyed?",
      );
    }
    throw awsFailure(error, "CloudWatch Logs");
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at)).slice(0, options.limit);
}
