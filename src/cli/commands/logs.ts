import { requireField } from "../../operations/deployment";
import { EXIT, OperationError } from "../../operations/exit-codes";
import { followLogs, parseSince, serviceLogs, type LogLine } from "../../operations/service-logs";
import { defineCommand } from "../command";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const logsCommand = defineCommand({
  name: "logs",
  summary: "a service's log lines, oldest first, or followed as they come (CloudWatch Logs)",
  usage: `ghcr-ecs logs [options]

Prints the service's log lines of the last --since, oldest first and interleaved across its tasks: time, task id,
message.
  --since DURATION      30s, 10m, 2h or 1d (default 10m)
  --limit N             at most N lines (default 200, at most 10000)
  --filter PATTERN      a CloudWatch Logs filter pattern, e.g. ERROR or "?ERROR ?WARN"
  --task ID             only this task's lines (its ID or ARN, as \`ghcr-ecs status\` shows it)
  --follow              then keep printing new lines (polling every 2 s) until Ctrl-C, which exits 0
  --log-group NAME      default: the service's log_group_name output
${TARGET_HELP}`,
  options: {
    ...TARGET_OPTIONS,
    since: { type: "string" },
    limit: { type: "string" },
    filter: { type: "string" },
    task: { type: "string" },
    follow: { type: "boolean" },
    "log-group": { type: "string" },
  },
  async run(flags, { out }) {
    const since = flags.since ?? "10m";
    const sinceMs = parseSince(since);
    if (sinceMs === undefined)
      throw new OperationError(EXIT.usage, `--since "${since}" is not a duration`, "Use a number with s, m, h or d, e.g. --since 30m.");
    const limitText = flags.limit ?? "200";
    if (!/^\d{1,5}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 10000) {
      throw new OperationError(EXIT.usage, `--limit "${limitText}" is not a whole number from 1 to 10000`, "e.g. --limit 500");
    }
    if (flags.follow && flags.json) {
      throw new OperationError(EXIT.usage, "--follow and --json cannot be combined", "--json prints one document when done; --follow never is. Drop one.");
    }
    const target = await resolveTarget(flags);
    const logGroupName = flags["log-group"] ?? requireField(target, "logGroupName", "--log-group");
    const query = {
      logGroupName,
      sinceMs,
      limit: Number(limitText),
      ...(flags.filter ? { filterPattern: flags.filter } : {}),
      ...(flags.task ? { task: flags.task } : {}),
    };
    const print = (line: LogLine) => out.line(`${line.at} ${line.task} ${line.message}`);
    if (flags.follow) {
      const interrupted = new AbortController();
      const stop = () => interrupted.abort();
      process.once("SIGINT", stop);
      try {
        await withClients(target.region, (c) => followLogs(c.logs, query, print, { signal: interrupted.signal }));
      } finally {
        process.removeListener("SIGINT", stop);
      }
      return EXIT.ok;
    }
    const lines = await withClients(target.region, (c) => serviceLogs(c.logs, query));
    for (const line of lines) print(line);
    if (lines.length === 0) out.warn(`no log lines in ${logGroupName} in the last ${since}${flags.filter ? ` matching ${JSON.stringify(flags.filter)}` : ""}`);
    out.result({ logGroupName, since, lines });
    return EXIT.ok;
  },
});
