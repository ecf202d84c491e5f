import type { CloudWatchLogsClient, FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { followLogs, parseSince, taskIdOf, type LogLine } from "../../../src/operations/service-logs";

describe("parseSince", () => {
  it.each<[string, number]>([
    ["30s", 30_000],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
  ])("reads %s", (text, ms) => expect(parseSince(text)).toBe(ms));

  it.each(["10", "10min", "-5m", "1.5h", "yesterday", ""])("refuses %j", (text) => expect(parseSince(text)).toBeUndefined());
});

describe("taskIdOf", () => {
  const id = "0123456789abcdef0123456789abcdef";
  it("takes a task ID, an old-style UUID, and the ID at the end of a task ARN (with or without the cluster)", () => {
    expect(taskIdOf(id)).toBe(id);
    expect(taskIdOf("0123abcd-4567-89ab-cdef-0123456789ab")).toBe("0123abcd-4567-89ab-cdef-0123456789ab");
    expect(taskIdOf(`arn:aws:ecs:us-east-1:123456789012:task/orders/${id}`)).toBe(id);
    expect(taskIdOf(`arn:aws:ecs:us-east-1:123456789012:task/${id}`)).toBe(id);
  });

  it.each(["orders-1", `${id}0`, id.toUpperCase(), `arn:aws:ecs:us-east-1:123456789012:service/orders/${id}`, ""])("refuses %j", (text) =>
    expect(taskIdOf(text)).toBeUndefined(),
  );
});

/** A CloudWatch Logs stand-in: FilterLogEvents answers from `events` (from startTime on), one page per call. */
function standIn(events: FilteredLogEvent[], onCall: (startTime: number, call: number) => void = () => undefined) {
  const calls: number[] = [];
  const client = {
    send: (command: { input: { startTime: number; limit: number } }) => {
      calls.push(command.input.startTime);
      onCall(command.input.startTime, calls.length);
      const from = events.filter((e) => (e.timestamp ?? 0) >= command.input.startTime).slice(0, command.input.limit);
      return Promise.resolve({ events: from });
    },
  } as unknown as CloudWatchLogsClient;
  return { client, calls };
}

const event = (eventId: string, timestamp: number, message: string): FilteredLogEvent => ({
  eventId,
  timestamp,
  message,
  logStreamName: `api/api/${"a".repeat(32)}`,
});

describe("followLogs", () => {
  it("prints every line once, also lines sharing the newest millisecond, polling from the newest timestamp seen", async () => {
    const events = [event("1", 1000, "first"), event("2", 2000, "second")];
    const printed: LogLine[] = [];
    const stop = new AbortController();
    const { client, calls } = standIn(events, (_startTime, call) => {
      if (call === 2) events.push(event("3", 2000, "same millisecond as second"), event("4", 3000, "later"));
      if (call === 4) stop.abort();
    });
    await followLogs(client, { logGroupName: "/ecs/x", sinceMs: 5000, limit: 200, now: 5500 }, (line) => printed.push(line), {
      pollMs: 1,
      signal: stop.signal,
    });
    expect(printed.map((l) => [l.task, l.message])).toEqual([
      ["a".repeat(32), "first"],
      ["a".repeat(32), "second"],
      ["a".repeat(32), "same millisecond as second"],
      ["a".repeat(32), "later"],
    ]);
    expect(calls).toEqual([500, 2000, 3000, 3000]);
  });

  it("stops without printing what arrives once interrupted", async () => {
    const stop = new AbortController();
    const printed: string[] = [];
    const { client } = standIn([event("1", 1000, "before")], () => stop.abort());
    await followLogs(client, { logGroupName: "/ecs/x", sinceMs: 5000, limit: 200, now: 5500 }, (line) => printed.push(line.message), {
      pollMs: 60_000,
      signal: stop.signal,
    });
    expect(printed).toEqual([]);
  });
});
