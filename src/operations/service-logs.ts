/**
 * A service's log lines without the console (`ghcr-ecs logs`): CloudWatch Logs' FilterLogEvents on its log group,
 * interleaved by time across its tasks' streams, once or followed until interrupted.
 */
import { DescribeLogStreamsCommand, FilterLogEventsCommand, type CloudWatchLogsClient, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { awsFailure } from "./aws";
import { EXIT, OperationError } from "./exit-codes";

export interface LogLine {
  readonly at: string;
  /** `<prefix>/<container>/<task id>`, as the awslogs driver names it. */
  readonly stream: string;
  /** The task the line came from: the stream name's last part. */
  readonly task: string;
  readonly message: string;
}

export interface LogQuery {
  readonly logGroupName: string;
  readonly sinceMs: number;
  readonly limit: number;
  /** A CloudWatch Logs filter pattern. */
  readonly filterPattern?: string;
  /** Only this task's lines (its ID, or its ARN). */
  readonly task?: string;
  readonly now?: number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` → milliseconds; undefined when it is none of those. */
export function parseSince(text: string): number | undefined {
  const match = /^(\d{1,5})([smhd])$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

/** A task ID (32 hex digits, or an older UUID), or the ID at the end of a task ARN; undefined for anything else. */
export function taskIdOf(text: string): string | undefined {
  const id = text.startsWith("arn:") ? (/^arn:[^:]+:ecs:[^:]+:\d{12}:task\/(?:[^/]+\/)?([^/]+)$/.exec(text)?.[1] ?? "") : text;
  return /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.test(id) ? id : undefined;
}

function toLine(event: FilteredLogEvent): LogLine {
  const stream = event.logStreamName ?? "?";
  return {
    at: new Date(event.timestamp ?? 0).toISOString(),
    stream,
    task: stream.split("/").pop() ?? stream,
    message: (event.message ?? "").replace(/\n$/, ""),
  };
}

function logsFailure(error: unknown, logGroupName: string): Error {
  if ((error as Error).name === "ResourceNotFoundException") {
    return new OperationError(EXIT.usage, `log group ${logGroupName} does not exist`, "Check --log-group or the outputs file; was the stack destroyed?");
  }
  return awsFailure(error, "CloudWatch Logs");
}

/**
 * The one stream of a task. The awslogs driver names every stream of a service's group `<prefix>/<container>/<task
 * id>`, so one stream of the group gives the rest of the name.
 */
async function taskStream(logs: CloudWatchLogsClient, logGroupName: string, task: string): Promise<string> {
  const taskId = taskIdOf(task);
  if (!taskId)
    throw new OperationError(EXIT.usage, `--task "${task}" is not a task ID or ARN`, "Use the 32-character ID from `ghcr-ecs status` or the task's ARN.");
  let sample: string | undefined;
  try {
    sample = (await logs.send(new DescribeLogStreamsCommand({ logGroupName, limit: 1 }))).logStreams?.[0]?.logStreamName;
  } catch (error) {
    throw logsFailure(error, logGroupName);
  }
  const stream = sample === undefined ? undefined : `${sample.slice(0, sample.lastIndexOf("/") + 1)}${taskId}`;
  const found = stream === undefined ? [] : ((await logs.send(new DescribeLogStreamsCommand({ logGroupName, logStreamNamePrefix: stream }))).logStreams ?? []);
  if (!found.some((s) => s.logStreamName === stream)) {
    throw new OperationError(
      EXIT.usage,
      `task ${taskId} has no log stream in ${logGroupName}`,
      "Was it one of this service's tasks? Tasks that never started their container write no stream.",
    );
  }
  return stream!;
}

/** Pages of FilterLogEvents from `startTime`, at most `limit` events. */
async function filterEvents(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  startTime: number,
  streams: string[] | undefined,
  limit: number,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: query.logGroupName,
          logStreamNames: streams,
          startTime,
          filterPattern: query.filterPattern,
          limit: Math.min(10000, limit - events.length),
          nextToken,
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken && events.length < limit);
  } catch (error) {
    throw logsFailure(error, query.logGroupName);
  }
  return events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0)).slice(0, limit);
}

/** The log lines since `sinceMs` ago, oldest first, at most `limit`, of one task when `task` is given. */
export async function serviceLogs(logs: CloudWatchLogsClient, query: LogQuery): Promise<LogLine[]> {
  const streams = query.task ? [await taskStream(logs, query.logGroupName, query.task)] : undefined;
  const events = await filterEvents(logs, query, (query.now ?? Date.now()) - query.sinceMs, streams, query.limit);
  return events.map(toLine);
}

export interface FollowOptions {
  /** @default 2000 */
  readonly pollMs?: number;
  /** Ends the follow (Ctrl-C). */
  readonly signal: AbortSignal;
}

/** How many events one poll reads at most: a burst beyond it is picked up by the next poll. */
const EVENTS_PER_POLL = 1000;

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });

/**
 * Prints the lines of the last `sinceMs`, then every new line as CloudWatch receives it, until `signal` aborts. Each
 * poll asks from the newest timestamp seen (lines can share a millisecond) and skips the events it already printed.
 */
export async function followLogs(logs: CloudWatchLogsClient, query: LogQuery, onLine: (line: LogLine) => void, options: FollowOptions): Promise<void> {
  const streams = query.task ? [await taskStream(logs, query.logGroupName, query.task)] : undefined;
  let startTime = (query.now ?? Date.now()) - query.sinceMs;
  let printedAtStart = new Set<string>();
  let limit = query.limit;
  while (!options.signal.aborted) {
    const events = (await filterEvents(logs, query, startTime, streams, limit)).filter((event) => !printedAtStart.has(event.eventId ?? ""));
    if (options.signal.aborted) return;
    for (const event of events) onLine(toLine(event));
    const newest = events.at(-1)?.timestamp;
    if (newest !== undefined) {
      const atNewest = events.filter((event) => event.timestamp === newest).map((event) => event.eventId ?? "");
      printedAtStart = newest === startTime ? new Set([...printedAtStart, ...atNewest]) : new Set(atNewest);
      startTime = newest;
    }
    limit = EVENTS_PER_POLL;
    await pause(options.pollMs ?? 2000, options.signal);
  }
}
