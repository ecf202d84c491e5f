/** How `credentials set` and `rotate` print the new token's recorded expiry. */
import { TOKEN_EXPIRES_TAG } from "../registry/github-token";
import { describeToken, type ExpiryRecord } from "../operations/token-facts";
import type { Reporter } from "./reporter";

export function reportExpiryRecord(out: Reporter, record: ExpiryRecord, indent: string): void {
  if ("notRecorded" in record) {
    out.warn(`could not ask GitHub about the new token, so its expiry is not recorded on the secret: ${record.notRecorded}`);
    return;
  }
  out.line(`${indent}${describeToken(record.report)}`);
  out.line(`${indent}recorded ${TOKEN_EXPIRES_TAG}=${record.recorded} on the secret`);
  for (const problem of record.report.facts.problems) out.warn(`the token ${problem}`);
}
