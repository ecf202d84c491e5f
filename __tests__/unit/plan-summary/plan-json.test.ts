import { parsePlanJson } from "../../../src/plan-summary/plan-json";

describe("parsePlanJson on every malformed shape", () => {
  const refusal = (text: string) => {
    try {
      parsePlanJson(text, "p.json");
      return "accepted";
    } catch (error) {
      expect((error as Error).name).toBe("PlanJsonError");
      return (error as Error).message;
    }
  };
  const plan = (changes: unknown) => JSON.stringify({ format_version: "1.2", resource_changes: changes });
  const MALFORMED = "p.json has a malformed resource_changes[0] (needs address, type and change.actions)";

  it("refuses null, a number and a version that only contains 1.", () => {
    expect(refusal("null")).toBe("p.json is not a JSON object");
    expect(refusal("42")).toBe("p.json is not a JSON object");
    expect(refusal('{"format_version":"21.0"}')).toBe('p.json has format_version "21.0"; only 1.x is understood');
    expect(refusal('{"format_version":1.2}')).toBe("p.json has no format_version: it is not the output of `terraform show -json <planfile>`");
  });

  it("reads a state with planned values or changes as a plan, and refuses changes that are not a list", () => {
    expect(refusal('{"format_version":"1.2","values":{},"planned_values":{}}')).toBe("accepted");
    expect(refusal('{"format_version":"1.2","values":{},"resource_changes":[]}')).toBe("accepted");
    expect(refusal('{"format_version":"1.2","resource_changes":{}}')).toBe("p.json has a resource_changes that is not an array");
    expect(refusal('{"format_version":"1.2"}')).toBe("accepted");
  });

  it("refuses a change without an address, a type, a change or its actions", () => {
    const good = { address: "aws_x.a", type: "aws_x", change: { actions: ["create"] } };
    expect(refusal(plan([good]))).toBe("accepted");
    for (const bad of [
      null,
      { ...good, address: 1 },
      { ...good, type: undefined },
      { ...good, change: undefined },
      { ...good, change: { actions: "create" } },
    ]) {
      expect(refusal(plan([bad]))).toBe(MALFORMED);
    }
    expect(refusal(plan([good, { ...good, type: 3 }]))).toBe(MALFORMED.replace("[0]", "[1]"));
  });
});
