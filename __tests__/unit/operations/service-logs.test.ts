import { parseSince } from "../../../src/operations/service-logs";

describe("parseSince", () => {
  it.each<[string, number]>([
    ["30s", 30_000],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
  ])("reads %s", (text, ms) => expect(parseSince(text)).toBe(ms));

  it.each(["10", "10min", "-5m", "1.5h", "yesterday", ""])("refuses %j", (text) => expect(parseSince(text)).toBeUndefined());
});
