/** How the CLI prints what GitHub says about a token: `credentials check`, and the expiry `set` / `rotate` record. */
import { TOKEN_EXPIRES_TAG } from "../registry/github-token";
import { describeToken, type ExpiryRecord, type TokenReport } from "../operations/token-facts";
import type { Reporter } from "./reporter";

type CheckedToken = Extract<TokenReport, { checked: true }>;

/** The token's line (`token: classic, owner …`) and a warning per reason it cannot pull. */
export function printTokenFacts(out: Reporter, report: CheckedToken, linePrefix: string, warnPrefix: string): void {
  out.line(`${linePrefix}${describeToken(report)}`);
  for (const problem of report.facts.problems) out.warn(`${warnPrefix}the token ${problem}`);
}

export function reportExpiryRecord(out: Reporter, record: ExpiryRecord, indent: string): void {
  if ("notRecorded" in record) {
    out.warn(`could not ask GitHub about the new token, so its expiry is not recorded on the secret: ${record.notRecorded}`);
    return;
  }
  printTokenFacts(out, record.report, indent, "");
  out.line(`${indent}recorded ${TOKEN_EXPIRES_TAG}=${record.recorded} on the secret`);
}
