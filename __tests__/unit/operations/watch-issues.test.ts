import { planWatchIssues, watchIssueBody, watchIssueTitle, watchMarker, type WatchResult } from "../../../src/operations/watch-issues";

const RUN = "https://github.com/acme/infra/actions/runs/42";
const passing: WatchResult = { stack: "shop-prod", check: { ok: true, exitCode: 0, checks: [{ service: "api", ok: true }] } };
const expiring: WatchResult = {
  stack: "shop-staging",
  check: {
    ok: false,
    exitCode: 18,
    checks: [
      { service: "api", ok: false, exitCode: 18, token: { owner: "acme-ci-bot", expires: "2026-12-10T00:00:00.000Z", daysLeft: 8 } },
      { service: "worker", ok: true },
    ],
  },
};
const broken: WatchResult = { stack: "orders", error: "Error: Failed to get existing workspaces" };

describe("watchIssueBody", () => {
  it("starts with the stack's marker and lists each service, with the token's expiry, and the fix", () => {
    expect(watchIssueBody(expiring, RUN)).toBe(
      [
        "<!-- ghcr-ecs:credentials-watch stack=shop-staging -->",
        "",
        `The daily credentials watch failed for **shop-staging** ([run](${RUN})).`,
        "",
        "- ❌ api: exit 18 — token of acme-ci-bot expires 2026-12-10T00:00:00.000Z (8 days)",
        "- ✅ worker",
        "",
        "Fix: create a new classic token with `read:packages` and run `printf '%s' \"$NEW_TOKEN\" | npx ghcr-ecs rotate --token-stdin --stack shop-staging`. This issue is updated by each run while the check fails and closed when it passes.",
      ].join("\n"),
    );
  });

  it("quotes the error when the check could not run", () => {
    expect(watchIssueBody(broken, RUN)).toContain("The check could not run:\n\n```\nError: Failed to get existing workspaces\n```");
  });
});

describe("planWatchIssues", () => {
  it("opens one issue per failing stack and nothing for a passing one", () => {
    expect(planWatchIssues([passing, expiring, broken], [], RUN)).toEqual([
      { kind: "create", stack: "shop-staging", title: watchIssueTitle("shop-staging"), body: watchIssueBody(expiring, RUN) },
      { kind: "create", stack: "orders", title: "Registry credentials of orders need attention", body: watchIssueBody(broken, RUN) },
    ]);
  });

  it("updates a failing stack's open issue instead of opening another, found by its marker whatever the title", () => {
    const open = [{ number: 7, body: `${watchMarker("shop-staging")}\nolder text` }];
    expect(planWatchIssues([expiring], open, RUN)).toEqual([{ kind: "update", stack: "shop-staging", number: 7, body: watchIssueBody(expiring, RUN) }]);
    expect(planWatchIssues([expiring], [{ number: 7, body: watchIssueBody(expiring, RUN) }], RUN)).toEqual([]);
  });

  it("closes the issue of a stack that passes again, with a comment", () => {
    expect(planWatchIssues([passing], [{ number: 3, body: watchMarker("shop-prod") }], RUN)).toEqual([
      { kind: "close", stack: "shop-prod", number: 3, comment: `The credentials watch passes again for shop-prod ([run](${RUN})).` },
    ]);
  });

  it("does not take another stack's issue for its own (shop vs shop-prod)", () => {
    const open = [{ number: 9, body: watchMarker("shop-prod") }];
    expect(planWatchIssues([{ ...expiring, stack: "shop" }], open, RUN).map((a) => a.kind)).toEqual(["create"]);
  });
});
