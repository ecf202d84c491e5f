import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformProgress, parseUiLine, type TerraformOperation, type UiMessage } from "../../../src/terraform/progress";
import { ProgressReporter } from "../../../src/terraform/progress-reporter";
import { renderStatus, renderSummary } from "../../../src/terraform/progress-text";
import { TerraformCommandError } from "../../../src/terraform/workdir";
import { match } from "../../helpers/matchers";
import { FakeStream } from "../../helpers/fake-stream";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "terraform-json");
const fixture = (name: string): string[] =>
  readFileSync(path.join(FIXTURES, `${name}.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean);
const at = (line: string): number => Date.parse((JSON.parse(line) as { "@timestamp": string })["@timestamp"]);

/**
 * Plays captured output through a reporter, the clock following the messages' own timestamps; `tickEveryMs` also
 * ticks the reporter between messages, as its timer would.
 */
function replay(
  name: string,
  operation: TerraformOperation,
  options: { tty?: boolean; label?: string; tickEveryMs?: number; until?: (line: string) => boolean; exitCode?: number; secrets?: string[] } = {},
) {
  const lines = fixture(name);
  let now = at(lines[0]);
  const stream = new FakeStream(options.tty ?? false);
  const reporter = new ProgressReporter(stream, { label: options.label, tickMs: 0, clock: () => now, secrets: options.secrets });
  const progress = reporter.start(operation);
  const clocked: { now: number; text: string }[] = [];
  const record = () => {
    const written = stream.writes.splice(0).join("");
    if (written) clocked.push({ now, text: written });
  };
  for (const line of lines) {
    const next = at(line);
    if (options.tickEveryMs) {
      for (let t = now + options.tickEveryMs; t < next; t += options.tickEveryMs) {
        now = t;
        reporter.tick();
        record();
      }
    }
    now = Math.max(now, next);
    reporter.message(line);
    record();
    if (options.until?.(line)) return { stream: restore(stream, clocked), reporter, progress, now, clocked };
  }
  const summary = reporter.finish(options.exitCode ?? 0);
  record();
  return { stream: restore(stream, clocked), reporter, progress, now, summary, clocked };
}
const restore = (stream: FakeStream, clocked: { text: string }[]) => {
  stream.writes.push(...clocked.map((c) => c.text));
  return stream;
};

/** The fields of a fixture's messages that carry values: `hook.id_value` and an `outputs` message's `outputs`. */
type MessageWithValues = UiMessage & { readonly hook?: { readonly id_value?: unknown }; readonly outputs?: Record<string, { value?: unknown }> };

/** Values Terraform's messages carry that progress must never print: resource IDs and output values. */
function valuesIn(name: string): string[] {
  const lines = fixture(name).map((l) => JSON.parse(l) as MessageWithValues);
  const addresses = lines.map((m) => m.hook?.resource?.addr ?? m.change?.resource?.addr ?? "").join("\n");
  const ids = lines.map((m) => m.hook?.id_value).filter((v): v is string => typeof v === "string");
  const outputs = lines.flatMap((m) => (m.type === "outputs" ? Object.values(m.outputs as Record<string, { value?: unknown }>).map((o) => o.value) : []));
  return [...ids, ...outputs].filter((v): v is string => typeof v === "string" && v.length > 3 && !addresses.includes(v));
}

describe("parseUiLine", () => {
  it.each(["", "   ", "Terraform crashed!", "{not json", "[1,2]", '{"no":"type"}', "null", "42"])(
    "is undefined for %j, a line that is not a UI message",
    (line) => {
      expect(parseUiLine(line)).toBeUndefined();
    },
  );

  it("parses a UI message", () => {
    expect(parseUiLine(fixture("init")[0])).toMatchObject({ type: "version", terraform: "1.11.4" });
  });
});

describe("TerraformProgress on a real apply (39 resources)", () => {
  it("takes the total from the plan's change_summary and counts every finished resource, but not data source reads", () => {
    const { progress } = replay("apply", "apply");
    expect(progress.total).toBe(39);
    expect(progress.done).toBe(39);
    expect(progress.failed).toBe(0);
    expect(progress.reads).toBe(3);
    expect(progress.applySummary).toEqual({ add: 39, change: 0, remove: 0, import: 0 });
    expect(progress.phase).toBe("done");
    expect(progress.running(Date.now())).toEqual([]);
  });

  it("tolerates non-JSON lines between the messages and ends in the same state", () => {
    const lines = fixture("apply");
    const clean = new TerraformProgress("apply", 0);
    const noisy = new TerraformProgress("apply", 0);
    for (const line of lines) {
      clean.feedLine(line, at(line));
      noisy.feedLine("panic: not JSON", at(line));
      noisy.feedLine(line, at(line));
      noisy.feedLine("", at(line));
    }
    expect(noisy.ignoredLines).toBe(lines.length);
    expect({ ...noisy, ignoredLines: 0 }).toEqual({ ...clean, ignoredLines: 0 });
  });

  it("shows the resource in flight with its elapsed seconds from apply_progress while the load balancer waits", () => {
    const albAt30 = (line: string) =>
      line.includes('"type":"apply_progress"') && line.includes("aws_lb.load-balancer_alb_15AADC07") && line.includes('"elapsed_seconds":30');
    const { progress, now } = replay("apply", "apply", { until: albAt30 });
    expect(progress.running(now)[0]).toEqual({ address: "aws_lb.load-balancer_alb_15AADC07", action: "create", elapsedSeconds: 30 });
    expect(renderStatus(progress, now)).toMatch(/^apply: \d+\/39 resources · \d+s · creating aws_lb\.load-balancer_alb_15AADC07 \(30s\)$/);
    expect(progress.done).toBeGreaterThan(0);
    expect(progress.done).toBeLessThan(39);
  });

  it("without a change_summary, counts planned changes for the total (a replacement is two)", () => {
    const p = new TerraformProgress("apply", 0);
    const planned = (addr: string, action: string) => ({ type: "planned_change", change: { resource: { addr }, action } });
    for (const [addr, action] of [
      ["a.one", "create"],
      ["a.two", "replace"],
      ["a.three", "update"],
      ["a.four", "delete"],
      ["data.x.y", "read"],
      ["a.five", "noop"],
    ])
      p.feed(planned(addr, action), 0);
    expect(p.total).toBe(5);
  });
});

describe("ProgressReporter, plain output (not a terminal)", () => {
  it("prints one line per finished resource with [done/total] and its elapsed time, then Terraform's own counts", () => {
    const { stream, summary } = replay("apply", "apply");
    const lines = stream.text.split("\n").filter(Boolean);
    const finished = lines.filter((l) => /^\[\d+\/39\] created /.test(l));
    expect(finished).toHaveLength(39);
    expect(finished[0]).toMatch(/^\[1\/39\] created [\w.-]+ \(\d+s\)$/);
    expect(finished[38]).toMatch(/^\[39\/39\] created /);
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d+\/39\] created aws_lb\.load-balancer_alb_15AADC07 \(1m \d\ds\)$/));
    expect(lines.slice(0, 2)).toEqual(["refreshed 0 resources, read 3 data sources", "plan: 39 to add, 0 to change, 0 to destroy"]);
    expect(summary).toMatch(/^apply complete: 39 added, 0 changed, 0 destroyed in 1m \d\ds$/);
    expect(lines[lines.length - 1]).toBe(summary);
    // eslint-disable-next-line no-control-regex -- asserts that no carriage return and no ESC byte reached a non-terminal stream
    expect(stream.text).not.toMatch(/[\r\x1b]/);
  });

  it("says a resource is still in flight at most once per 15 s, also when ticked every second", () => {
    const { clocked } = replay("apply", "apply", { tickEveryMs: 1000 });
    const still = clocked.flatMap((c) =>
      c.text
        .split("\n")
        .filter((l) => l.startsWith("still "))
        .map((text) => ({ now: c.now, text })),
    );
    const alb = still.filter((s) => s.text.includes("aws_lb.load-balancer_alb_15AADC07"));
    expect(alb.map((s) => s.text.match(/\((\d+s|1m \d\ds)\)/)?.[1])).toEqual(["15s", "30s", "45s", "1m 00s"]);
    expect(alb[0].text).toMatch(/^still creating aws_lb\.load-balancer_alb_15AADC07 \(15s\) · \d+\/39 done · \d+s$/);
    const byResource = new Map<string, number[]>();
    for (const s of still) {
      const address = s.text.split(" ")[2];
      byResource.set(address, [...(byResource.get(address) ?? []), s.now]);
    }
    for (const times of byResource.values()) for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(15_000);
  });

  it("spaces still-running lines by 15 s from apply_progress alone, with no timer", () => {
    const { stream } = replay("apply", "apply");
    const alb = stream.text.split("\n").filter((l) => l.startsWith("still creating aws_lb.load-balancer_alb_15AADC07"));
    // apply_progress arrives every 10 s: 10 s is too soon, 20 s is due, 30 s too soon after it, 40 s due, …
    expect(alb.map((l) => l.match(/\((\d+s|1m \d\ds)\)/)?.[1])).toEqual(["20s", "40s", "1m 00s"]);
  });

  it("never prints resource IDs or output values, though the messages carry them", () => {
    for (const [name, operation] of [
      ["apply", "apply"],
      ["plan-after-apply", "plan"],
      ["destroy", "destroy"],
    ] as const) {
      const { stream } = replay(name, operation);
      const values = valuesIn(name);
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) expect(stream.text).not.toContain(value);
    }
    expect(valuesIn("apply")).toContain("arn:aws:iam::123456789012:role/orders-execution");
  });

  it("prints a plan's refreshes, each planned change and the plan's summary line", () => {
    const { stream, summary, progress } = replay("plan-no-token", "plan", { label: "orders", exitCode: 2 });
    const lines = stream.text.split("\n").filter(Boolean);
    expect(lines[0]).toBe("orders: refreshed 0 resources, read 3 data sources");
    expect(lines.filter((l) => l.startsWith("  planned create "))).toHaveLength(39);
    expect(lines).toContain("  planned create aws_lb.load-balancer_alb_15AADC07");
    expect(summary).toBe("orders: 39 to add, 0 to change, 0 to destroy");
    expect(progress.planSummary).toEqual({ add: 39, change: 0, remove: 0, import: 0 });
  });

  it("prints a warning diagnostic in full: summary, where and detail, but not the snippet", () => {
    const { stream } = replay("plan-no-token", "plan", { exitCode: 2 });
    const text = stream.text;
    expect(text).toContain(
      "Warning: Check block assertion failed\n  on cdk.tf.json line 38\n  No registry token supplied (TF_VAR_registry_token). Fine for a plan, or an apply that leaves registry_credentials_version unchanged; the first apply and every rotation need it.\n",
    );
    expect(text).not.toContain("var.registry_token != null");
  });

  it("reports drift and the changes a plan after an apply finds", () => {
    const { stream, summary } = replay("plan-after-apply", "plan", { label: "orders", exitCode: 2 });
    const lines = stream.text.split("\n").filter(Boolean);
    expect(lines[0]).toBe("orders: refreshed 4 resources, read 3 data sources, 20 changed outside Terraform");
    expect(lines.filter((l) => l.startsWith("  planned "))).toEqual([
      "  planned update aws_vpc_security_group_ingress_rule.service_from-alb_F938FE57",
      "  planned update aws_vpc_security_group_egress_rule.service_alb-to-tasks_73E3A41E",
      "  planned update aws_ecs_service.service_E7C408F2",
    ]);
    expect(summary).toBe("orders: 0 to add, 3 to change, 0 to destroy");
  });

  it("counts a destroy against its change_summary, not the planned changes listed", () => {
    const { stream, summary, progress } = replay("destroy", "destroy");
    expect(progress.planned).toHaveLength(3);
    expect(progress.total).toBe(39);
    expect(stream.text).toMatch(/\n\[39\/39\] destroyed [\w.-]+ \(\d+s\)\n/);
    expect(stream.text).not.toContain("planned delete");
    expect(summary).toMatch(/^destroy complete: 39 destroyed in \d+s$/);
  });

  it("reports init finishing", () => {
    const { summary, progress } = replay("init", "init", { label: "orders" });
    expect(progress.initialized).toBe(true);
    expect(summary).toBe("orders: init complete in 1s");
  });
});

describe("ProgressReporter, errors", () => {
  it("keeps each error diagnostic's summary, detail and address and prints them in full, never the snippet", () => {
    const { stream, progress, summary } = replay("apply-errored", "apply", { exitCode: 1 });
    expect(progress.errors).toEqual([
      expect.objectContaining({ summary: "local-exec provisioner error", address: "terraform_data.fails", detail: match.stringContaining("exit status 3") }),
      expect.objectContaining({
        summary: match.stringContaining("NoSuchEntity: Role no-such-role not found"),
        address: "aws_iam_role_policy.orphan",
        detail: "",
      }),
    ]);
    const text = stream.text;
    expect(text).toContain(
      "Error: local-exec provisioner error\n  with terraform_data.fails, on main.tf.json line 7\n  Error running command 'echo provisioner-output-line; exit 3': exit status 3. Output: provisioner-output-line\n",
    );
    expect(text).toMatch(
      /\nError: putting IAM Role \(no-such-role\) Policy \(p\): .*NoSuchEntity: Role no-such-role not found\n {2}with aws_iam_role_policy\.orphan, on main\.tf\.json line 5\n/,
    );
    expect(text).toMatch(/\n\[\d\/3\] FAILED creating terraform_data\.fails after 0s\n/);
    expect(text).toMatch(/\n\[3\/3\] FAILED creating aws_iam_role_policy\.orphan after 1s\n/);
    // The provisioner's own output lines and the configuration snippet are not progress.
    expect(text).not.toContain("Executing:");
    expect(text).not.toContain('"local-exec": [{');
    expect(summary).toBe("apply failed after 3s (exit 1): 1 of 3 resources done, 2 failed; 2 errors (above)");
  });

  it("masks the secrets it was given, in diagnostics too", () => {
    const secret = "ghp_" + "progresscanary0123456789abcdef";
    const stream = new FakeStream(false);
    const reporter = new ProgressReporter(stream, { tickMs: 0, secrets: [secret] });
    reporter.start("apply");
    reporter.message(JSON.stringify({ type: "diagnostic", diagnostic: { severity: "error", summary: "denied", detail: `token ${secret} rejected` } }));
    reporter.finish(1);
    expect(stream.text).toContain("  token *** rejected\n");
    expect(stream.text).not.toContain(secret);
  });

  it("says when the command timed out", () => {
    const p = new TerraformProgress("apply", 0);
    expect(renderSummary(p, 900_000, "timeout")).toBe("apply timed out after 15m 00s: 0 of ? resources done, 0 failed");
  });

  it("throws an error naming the error summaries, without Terraform's raw JSON", () => {
    const lines = fixture("apply-errored");
    const p = new TerraformProgress("apply", 0);
    for (const line of lines) p.feedLine(line, 0);
    const error = new TerraformCommandError("terraform apply -json", { code: 1, stdout: lines.join("\n"), stderr: "" }, p.diagnostics);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(
      /^terraform apply -json failed \(exit 1\): local-exec provisioner error \(terraform_data\.fails\); putting IAM Role .* \(aws_iam_role_policy\.orphan\)$/,
    );
    expect(error.message).not.toContain("{");
    expect(error.stack).not.toContain("{");
  });
});

describe("ProgressReporter on a terminal", () => {
  it("rewrites one status line in place and leaves only lasting lines: refreshes, the plan's counts and the summary", () => {
    const { stream, summary } = replay("apply", "apply", { tty: true, tickEveryMs: 1000 });
    expect(stream.text).toContain("\r\x1b[2Kapply: ");
    const { lines, current } = stream.screen();
    expect(lines).toEqual(["refreshed 0 resources, read 3 data sources", "plan: 39 to add, 0 to change, 0 to destroy", summary]);
    expect(current).toBe("");
  });

  it("shows resources done of total, elapsed time and what is in flight", () => {
    const albAt30 = (line: string) =>
      line.includes('"type":"apply_progress"') && line.includes("aws_lb.load-balancer_alb_15AADC07") && line.includes('"elapsed_seconds":30');
    const { stream } = replay("apply", "apply", { tty: true, until: albAt30 });
    expect(stream.screen().current).toMatch(/^apply: \d+\/39 resources · \d+s · creating aws_lb\.load-balancer_alb_15AADC07 \(30s\)$/);
  });

  it("finishes the status line before any other output and redraws it after", () => {
    const stream = new FakeStream(true);
    const reporter = new ProgressReporter(stream, { tickMs: 0, clock: () => 0 });
    reporter.start("apply");
    reporter.line("hello");
    expect(stream.text).toBe("\r\x1b[2Kapply: starting · 0s\r\x1b[2Khello\n");
    reporter.tick();
    expect(stream.screen()).toEqual({ lines: ["hello"], current: "apply: starting · 0s" });
  });

  it("prints errors and failures as lasting lines", () => {
    const { stream } = replay("apply-errored", "apply", { tty: true, exitCode: 1 });
    const { lines } = stream.screen();
    expect(lines).toContain("Error: local-exec provisioner error");
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\/3\] FAILED creating terraform_data\.fails after 0s$/));
    expect(lines.filter((l) => / created /.test(l))).toEqual([]);
  });

  it("cuts the status line to the terminal's width so it can be rewritten", () => {
    const stream = new FakeStream(true, 30);
    const reporter = new ProgressReporter(stream, { tickMs: 0, clock: () => 0, label: "a-rather-long-stack-name" });
    reporter.start("plan");
    expect(stream.screen().current).toHaveLength(29);
    expect(stream.screen().current.endsWith("…")).toBe(true);
  });

  it("shows init's step, then the plan's refreshes and planned changes", () => {
    const init = replay("init", "init", { tty: true, label: "orders", until: (l) => l.includes("initializing_provider_plugin_message") });
    expect(init.stream.screen().current).toMatch(/^init orders: initializing providers · \ds$/);
    const plan = replay("plan-no-token", "plan", { tty: true, label: "orders", until: (l) => l.includes('"type":"change_summary"') });
    expect(plan.stream.screen().current).toMatch(/^plan orders: 0 refreshed · 39 changes planned · \d+s$/);
  });
});
