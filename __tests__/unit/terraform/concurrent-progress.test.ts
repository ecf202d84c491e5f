import { ConcurrentProgress } from "../../../src/terraform/concurrent-progress";
import { DEFAULT_PLAN_CONCURRENCY, planConcurrency } from "../../../src/terraform/plan-stacks";
import { FakeStream } from "../../helpers/fake-stream";

const refreshDone = JSON.stringify({ type: "refresh_complete", hook: { resource: { addr: "aws_vpc.network" }, action: "read" } });
const planned = (addr: string) => JSON.stringify({ type: "planned_change", change: { resource: { addr }, action: "create" } });
const summary = JSON.stringify({ type: "change_summary", changes: { add: 2, change: 0, remove: 0, import: 0, operation: "plan" } });

function board(tty: boolean) {
  let now = Date.parse("2026-12-01T10:00:00Z");
  const stream = new FakeStream(tty, 200);
  const progress = new ConcurrentProgress(stream, { operation: "plan", total: 3, tickMs: 0, clock: () => now, secrets: ["s3cr3t-value"] });
  return { stream, progress, advance: (seconds: number) => (now += seconds * 1000) };
}

describe("ConcurrentProgress", () => {
  it("on a terminal keeps one status line (done / total, running stacks, elapsed) beneath the stacks' labelled lines", () => {
    const { stream, progress, advance } = board(true);
    const prod = progress.begin("shop-prod");
    const staging = progress.begin("shop-staging");
    prod.start("plan");
    staging.start("plan");
    advance(5);
    prod.message(planned("aws_ecs_service.web"));
    expect(stream.screen()).toEqual({
      lines: [
        "==> shop-prod: started (1 running, 0/3 done)",
        "==> shop-staging: started (2 running, 0/3 done)",
        "shop-prod: refreshed 0 resources, read 0 data sources",
        "shop-prod:   planned create aws_ecs_service.web",
      ],
      current: "plan: 0/3 stacks done · running shop-prod, shop-staging · 5s",
    });
    prod.message(summary);
    prod.finish(2);
    progress.end("shop-prod", true);
    advance(7);
    staging.finish(1);
    progress.end("shop-staging", false);
    expect(stream.screen().current).toBe("plan: 2/3 stacks done (1 failed) · 12s");
    expect(progress.close()).toBe("plan: 2/3 stacks done (1 failed) · 12s");
    expect(stream.screen().current).toBe("");
    expect(stream.screen().lines.at(-1)).toBe("plan: 2/3 stacks done (1 failed) · 12s");
  });

  it("without a terminal writes only whole lines, with a status line each time a stack finishes", () => {
    const { stream, progress, advance } = board(false);
    const prod = progress.begin("shop-prod");
    prod.start("plan");
    prod.message(refreshDone);
    advance(3);
    prod.finish(0);
    progress.end("shop-prod", true);
    progress.close();
    expect(stream.text).not.toContain("\r");
    expect(stream.text.split("\n")).toEqual(expect.arrayContaining(["==> shop-prod: started (1 running, 0/3 done)", "plan: 1/3 stacks done · 3s"]) as unknown);
    expect(stream.text.endsWith("\n")).toBe(true);
  });

  it("masks the secrets it was given in the stacks' lines", () => {
    const { stream, progress } = board(false);
    const prod = progress.begin("shop-prod");
    prod.start("plan");
    prod.line("provider said: token s3cr3t-value rejected");
    expect(stream.text).toContain("provider said: token *** rejected");
    expect(stream.text).not.toContain("s3cr3t-value");
  });

  it("shortens the status line to the terminal's width", () => {
    let now = 0;
    const stream = new FakeStream(true, 30);
    const progress = new ConcurrentProgress(stream, { operation: "plan", total: 3, tickMs: 0, clock: () => now });
    progress.begin("a-rather-long-stack-name-prod");
    now += 1000;
    progress.line("x");
    expect(stream.screen().current).toBe("plan: 0/3 stacks done · runn…");
  });
});

describe("planConcurrency", () => {
  it(`plans ${DEFAULT_PLAN_CONCURRENCY} stacks at once by default, never more than there are`, () => {
    expect(planConcurrency({}, 10)).toBe(DEFAULT_PLAN_CONCURRENCY);
    expect(planConcurrency({}, 2)).toBe(2);
    expect(planConcurrency({ GHCR_ECS_PLAN_CONCURRENCY: "" }, 5)).toBe(DEFAULT_PLAN_CONCURRENCY);
  });

  it("takes GHCR_ECS_PLAN_CONCURRENCY from 1 to 16", () => {
    expect(planConcurrency({ GHCR_ECS_PLAN_CONCURRENCY: "1" }, 3)).toBe(1);
    expect(planConcurrency({ GHCR_ECS_PLAN_CONCURRENCY: "16" }, 30)).toBe(16);
  });

  it.each(["0", "17", "two", "2.5", "-1", " 3"])("refuses GHCR_ECS_PLAN_CONCURRENCY=%p, naming what is allowed", (value) => {
    expect(() => planConcurrency({ GHCR_ECS_PLAN_CONCURRENCY: value }, 3)).toThrow(
      `GHCR_ECS_PLAN_CONCURRENCY=${JSON.stringify(value)} is not allowed: use a whole number from 1 to 16 (1 plans one stack at a time)`,
    );
  });
});
