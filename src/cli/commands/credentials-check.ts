import { imageReference, provePull } from "../../operations/check";
import { allServices, requireField, type DeploymentTarget } from "../../operations/deployment";
import { EXIT, OperationError } from "../../operations/exit-codes";
import { cacheState, type CacheState } from "../../operations/mirror-cache";
import { readRegistrySecret, secretReaderFor } from "../../operations/registry-secret";
import { checkGithubApiFlag, tokenReport, type TokenFactsOptions, type TokenReport } from "../../operations/token-facts";
import { defineCommand } from "../command";
import { daysFlag, secondsFlag } from "../flags";
import type { Reporter } from "../reporter";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";
import { printTokenFacts } from "../token-report";

export const credentialsCheck = defineCommand({
  name: "credentials check",
  summary: "prove the stored credential can pull the image (run before every deploy)",
  usage: `ghcr-ecs credentials check [options]

Reads the secret as the task execution role would, checks its JSON shape, then performs the registry's
authentication flow for the image (GET /v2/, Bearer token or Basic, HEAD manifest) and prints the digest.
With the ECR pull-through cache (registry_auth_mode ecr-pull-through-cache) the secret is the cache's
{"username","accessToken"}, the pull is proven upstream, and it reports whether ECR already holds the image.
  --all                 every service of the stack (each image with its service's secret)
  --secret-arn ARN      default: the credentials_secret_arn output
  --image REF           default: the image output
  --timeout SECONDS     bound for the registry conversation (default 20)
  --warn-days N         warn when the GitHub token expires within N days (default 14)
  --fail-days N         exit 18 when it expires within N days
  --github-api URL      the API of the registry's GitHub, e.g. https://github.example.com/api/v3 (GitHub Enterprise
                        Server); default: https://api.github.com for ghcr.io, and no call for any other registry
${TARGET_HELP}

For a GitHub registry it then asks GitHub (GET /user with the token) for the token's owner, expiry and scopes.

Exit codes: 10 secret missing, 11 secret unreadable, 12 secret malformed, 13 credentials rejected (401),
14 access denied (403), 15 image not found (404), 16 registry unreachable, 17 other registry error,
18 the token expires within --fail-days.`,
  options: {
    ...TARGET_OPTIONS,
    all: { type: "boolean" },
    "secret-arn": { type: "string" },
    image: { type: "string" },
    timeout: { type: "string" },
    "warn-days": { type: "string" },
    "fail-days": { type: "string" },
    "github-api": { type: "string" },
  },
  async run(flags, { out }) {
    checkGithubApiFlag(flags["github-api"]);
    const tokenOptions: TokenFactsOptions = {
      warnDays: daysFlag(flags["warn-days"], "warn-days", 14)!,
      failDays: daysFlag(flags["fail-days"], "fail-days"),
      githubApi: flags["github-api"],
      timeoutMs: secondsFlag(flags.timeout, "timeout", 20, 600),
    };
    if (flags.all) return checkAll(await resolveTarget(flags, { all: true }), secondsFlag(flags.timeout, "timeout", 20, 600), tokenOptions, out);
    const target = await resolveTarget(flags);
    const secretArn = requireField(target, "secretArn", "--secret-arn");
    const image = requireField(target, "image", "--image");
    imageReference(image);
    const timeoutMs = secondsFlag(flags.timeout, "timeout", 20, 600);
    const { proof, token, cache } = await withClients(target.region, async (c) => {
      const credential = await readRegistrySecret(c.secrets, secretArn, secretReaderFor(target.registryAuthMode));
      out.addSecret(credential.password, credential.username);
      const pulled = await provePull(image, credential, timeoutMs);
      return {
        proof: pulled,
        token: await tokenReport(image, credential.password, tokenOptions),
        cache: target.mirrorImage ? await cacheState(c.ecr, target.mirrorImage) : undefined,
      };
    });
    out.line(`ok: ${proof.username} can pull ${image}`);
    out.line(`digest: ${proof.digest}`);
    if (proof.auth === "none") out.warn("the registry did not ask for credentials, so this check did not exercise them");
    if (cache) reportCache(out, cache, proof.digest, "");
    const exitCode = reportToken(out, token, "");
    out.result({
      ok: exitCode === EXIT.ok,
      ...(exitCode === EXIT.ok ? {} : { exitCode }),
      secretArn,
      ...proof,
      token: tokenJson(token),
      ...(cache ? { cache } : {}),
    });
    return exitCode;
  },
});

/** What ECR's pull-through cache holds of the image; a cached digest other than upstream's is the daily re-check's lag. */
function reportCache(out: Reporter, cache: CacheState, upstreamDigest: string, label: string): void {
  if (!cache.cached) {
    out.warn(`${label}not in ECR's cache yet (${cache.repository}: ${cache.reason}): the next task start pulls it from upstream through the cache`);
    return;
  }
  const when = [cache.cachedAt && `cached ${cache.cachedAt}`, cache.lastPulledAt && `last pulled ${cache.lastPulledAt}`].filter(Boolean).join(", ");
  out.line(`${label}cache: ECR holds ${cache.repository}@${cache.digest}${when ? ` (${when})` : ""}`);
  if (cache.digest !== upstreamDigest) {
    out.warn(`${label}the cached digest differs from upstream's ${upstreamDigest}: ECR re-checks a tag upstream about once a day; pin the image by digest`);
  }
}

/** The token's line and warnings; the exit code of its expiry (18 within --fail-days). */
function reportToken(out: Reporter, report: TokenReport, label: string): number {
  if (!report.checked) {
    if ("error" in report) out.warn(`${label}could not ask GitHub about the token: ${report.error}`);
    return EXIT.ok;
  }
  printTokenFacts(out, report, label, label);
  const { verdict, facts } = report;
  const when = verdict.daysLeft !== undefined && verdict.daysLeft < 0 ? `expired ${-verdict.daysLeft} days ago` : `expires in ${verdict.daysLeft} days`;
  const fix = "Create a new classic token with read:packages and run `ghcr-ecs rotate --token-stdin`.";
  if (verdict.level === "fail") {
    out.error(new OperationError(EXIT.tokenExpiring, `${label}the token ${when} (${facts.expires}), within --fail-days`, fix));
    return EXIT.tokenExpiring;
  }
  if (verdict.level === "warn") out.warn(`${label}the token ${when} (${facts.expires}). ${fix}`);
  return EXIT.ok;
}

function tokenJson(report: TokenReport): Record<string, unknown> {
  if (report.checked)
    return { ...report.facts, ...(report.verdict.daysLeft !== undefined ? { daysLeft: report.verdict.daysLeft } : {}), expiry: report.verdict.level };
  return "error" in report ? { checked: false, error: report.error } : { checked: false, reason: report.reason };
}

/** `--all`: every service's pull, each reported; the exit code is the first failure's. */
async function checkAll(target: DeploymentTarget, timeoutMs: number, tokenOptions: TokenFactsOptions, out: Reporter): Promise<number> {
  const checks: Record<string, unknown>[] = [];
  let exitCode: number = EXIT.ok;
  await withClients(target.region, async (c) => {
    for (const [name, service] of allServices(target)) {
      const secretArn = requireField(service, "secretArn", "--secret-arn");
      const image = requireField(service, "image", "--image");
      try {
        const credential = await readRegistrySecret(c.secrets, secretArn, secretReaderFor(service.registryAuthMode));
        out.addSecret(credential.password, credential.username);
        const proof = await provePull(image, credential, timeoutMs);
        out.line(`ok: ${name}: ${proof.username} can pull ${image} (${proof.digest})`);
        const cache = service.mirrorImage ? await cacheState(c.ecr, service.mirrorImage) : undefined;
        if (cache) reportCache(out, cache, proof.digest, `${name}: `);
        const token = await tokenReport(image, credential.password, tokenOptions);
        const tokenExit = reportToken(out, token, `${name}: `);
        checks.push({
          service: name,
          ok: tokenExit === EXIT.ok,
          ...(tokenExit === EXIT.ok ? {} : { exitCode: tokenExit }),
          secretArn,
          ...proof,
          token: tokenJson(token),
          ...(cache ? { cache } : {}),
        });
        if (exitCode === EXIT.ok) exitCode = tokenExit;
      } catch (error) {
        if (!(error instanceof OperationError)) throw error;
        out.error(new OperationError(error.exitCode, `${name}: ${error.message}`, error.fix));
        checks.push({ service: name, ok: false, exitCode: error.exitCode, secretArn, image, error: out.redact(error.message) });
        if (exitCode === EXIT.ok) exitCode = error.exitCode;
      }
    }
  });
  out.result({ ok: exitCode === EXIT.ok, exitCode, checks });
  return exitCode;
}
