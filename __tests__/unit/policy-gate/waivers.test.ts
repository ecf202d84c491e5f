import { parsePolicyWaivers, PolicyWaiverError, waiverMatches } from "../../../src/policy-gate/waivers";

function problemsOf(data: unknown): string[] {
  try {
    parsePolicyWaivers(data, "waivers.json");
    return [];
  } catch (error) {
    if (!(error instanceof PolicyWaiverError)) throw error;
    expect(error.message).toBe(`Invalid policy waivers in waivers.json:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
    expect(error.name).toBe("PolicyWaiverError");
    return error.problems;
  }
}

describe("parsePolicyWaivers", () => {
  it("accepts our IDs and checkov's and trivy's, in any case, with or without a resource", () => {
    const waivers = [
      { rule: "alb-not-public", reason: "a public web site by design" },
      { rule: "ckv_aws_150", resource: "aws_lb.*", reason: "the example is disposable" },
      { rule: "AVD-AWS-0053", resource: "orders/aws_lb.alb", reason: "a public web site by design" },
    ];
    expect(parsePolicyWaivers(waivers, "waivers.json")).toEqual(waivers);
  });

  it("names each invalid entry's field, the value and what is allowed", () => {
    expect(problemsOf([{ rule: "no-such-rule", reason: "because it is fine" }])[0]).toMatch(
      /^\[0\]\.rule: unknown rule "no-such-rule"; the gate knows: alb-drops-invalid-headers, /,
    );
    expect(problemsOf([{ rule: 7, reason: "because it is fine" }])).toEqual([
      '[0].rule: must be a rule ID (ours, checkov\'s or trivy\'s), e.g. "alb-not-public" or "CKV_AWS_150"',
    ]);
    expect(problemsOf([{ rule: "alb-not-public", resource: "", reason: "because it is fine" }])).toEqual([
      "[0].resource: must not be empty (leave it out to waive the rule for every resource)",
    ]);
    expect(problemsOf([{ rule: "alb-not-public", resource: 3, reason: "because it is fine" }])).toEqual([
      '[0].resource: must be a resource address or glob, e.g. "aws_lb.*" or "orders/aws_lb_listener.load-balancer_http_*"',
    ]);
    expect(problemsOf([{ rule: "alb-not-public", reason: "   short   " }])).toEqual([
      "[0].reason: must say why the exception is accepted (at least 10 characters)",
    ]);
    expect(problemsOf([{ rule: "alb-not-public" }])).toEqual(["[0].reason: must say why the exception is accepted (at least 10 characters)"]);
    expect(problemsOf([{ rule: "alb-not-public", reason: "because it is fine", until: "2027" }])).toEqual([
      '[0]: unknown key "until"; allowed keys: rule, resource, reason',
    ]);
    expect(problemsOf({ rule: "alb-not-public" })).toEqual(["(top level): must be a list of {rule, resource?, reason}"]);
  });

  it("takes a reason of exactly ten characters", () => {
    expect(problemsOf([{ rule: "alb-not-public", reason: "0123456789" }])).toEqual([]);
  });
});

describe("waiverMatches", () => {
  const waiver = (resource?: string) => ({ rule: "CKV_AWS_150", reason: "the example is disposable", ...(resource ? { resource } : {}) });
  const ids = ["alb-deletion-protection", "CKV_AWS_150"];

  it("matches a finding of the rule by any of its IDs, in any case, on every resource without a glob", () => {
    expect(waiverMatches(waiver(), ids, "orders", "aws_lb.alb")).toBe(true);
    expect(waiverMatches({ ...waiver(), rule: "ALB-DELETION-PROTECTION" }, ids, "orders", "aws_lb.alb")).toBe(true);
    expect(waiverMatches(waiver(), ["alb-access-logs", "CKV_AWS_91"], "orders", "aws_lb.alb")).toBe(false);
  });

  it("matches the glob against the whole address, with or without the stack in front", () => {
    expect(waiverMatches(waiver("aws_lb.*"), ids, "orders", "aws_lb.alb_15AADC07")).toBe(true);
    expect(waiverMatches(waiver("orders/aws_lb.*"), ids, "orders", "aws_lb.alb")).toBe(true);
    expect(waiverMatches(waiver("orders-ec2/aws_lb.*"), ids, "orders", "aws_lb.alb")).toBe(false);
    expect(waiverMatches(waiver("aws_lb.al?"), ids, "orders", "aws_lb.alb")).toBe(true);
    expect(waiverMatches(waiver("aws_lb.al?"), ids, "orders", "aws_lb.alb2")).toBe(false);
    expect(waiverMatches(waiver("lb.*"), ids, "orders", "aws_lb.alb")).toBe(false);
    expect(waiverMatches(waiver("aws_lb"), ids, "orders", "aws_lb.alb")).toBe(false);
  });

  it("reads every other glob character literally", () => {
    expect(waiverMatches(waiver("aws_lb.a+b"), ids, "orders", "aws_lb.a+b")).toBe(true);
    expect(waiverMatches(waiver("aws_lb.a+b"), ids, "orders", "aws_lb.aab")).toBe(false);
    expect(waiverMatches(waiver("aws_lb.(x)"), ids, "orders", "aws_lb.(x)")).toBe(true);
    expect(waiverMatches(waiver("aws_lb.a.b"), ids, "orders", "aws_lb.aXb")).toBe(false);
  });
});
