/**
 * Whether a role's trust policy lets a web-identity token assume it, evaluated the way IAM does for
 * `sts:AssumeRoleWithWebIdentity`: an explicit Deny wins, else one Allow whose principal, action and every condition
 * match. Only the condition operators a web-identity trust uses are known; any other fails closed (throws), so a
 * policy this cannot read is never reported as safe.
 */

export interface WebIdentityRequest {
  /** The OIDC provider's ARN (the statement's `Federated` principal). */
  readonly providerArn: string;
  /** Claims by condition key, e.g. `{"token.actions.githubusercontent.com:sub": "repo:acme/infra:pull_request"}`. */
  readonly claims: Readonly<Record<string, string>>;
}

interface TrustStatement {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Condition?: unknown;
}

const ACTION = "sts:AssumeRoleWithWebIdentity";

/** A policy value as a list of strings; anything else is no policy IAM would store, and fails closed. */
const asList = (value: unknown): string[] =>
  (value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value]).map((item) => {
    if (typeof item !== "string") throw new Error(`policy value ${JSON.stringify(item)} is not a string`);
    return item;
  });

/** IAM's `*` (any run) and `?` (one character) wildcards, case-sensitive as StringLike is. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "s").test(value);
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (expected, actual) => expected === actual,
  StringNotEquals: (expected, actual) => expected !== actual,
  StringLike: (expected, actual) => globMatches(expected, actual),
  StringNotLike: (expected, actual) => !globMatches(expected, actual),
};

function conditionHolds(operator: string, key: string, expected: string[], claims: WebIdentityRequest["claims"]): boolean {
  const test = OPERATORS[operator];
  if (!test) throw new Error(`condition operator ${operator} is not one a web-identity trust policy is evaluated with here`);
  const actual = claims[key];
  // A missing key matches no positive operator and every negated one (IAM's rule without ...IfExists).
  if (actual === undefined) return operator.includes("Not");
  const negated = operator.includes("Not");
  return negated ? expected.every((value) => test(value, actual)) : expected.some((value) => test(value, actual));
}

function statementMatches(statement: TrustStatement, request: WebIdentityRequest): boolean {
  const principal = statement.Principal;
  const federated = principal !== null && typeof principal === "object" ? asList((principal as Record<string, unknown>).Federated) : [];
  if (!federated.includes(request.providerArn)) return false;
  if (statement.NotAction !== undefined) {
    if (asList(statement.NotAction).some((pattern) => globMatches(pattern, ACTION))) return false;
  } else if (!asList(statement.Action).some((pattern) => globMatches(pattern, ACTION))) return false;
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, asList(expected), request.claims)),
  );
}

/** Whether `policy` (a trust policy document, parsed) admits `request`. */
export function trustAllows(policy: { readonly Statement?: unknown }, request: WebIdentityRequest): boolean {
  const statements = asStatements(policy.Statement);
  const matching = statements.filter((statement) => statementMatches(statement, request));
  return matching.some((s) => s.Effect === "Allow") && !matching.some((s) => s.Effect === "Deny");
}

function asStatements(value: unknown): TrustStatement[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as TrustStatement[];
}
