/** Token formats that are credentials wherever they appear. */
const CREDENTIAL_VALUE_PATTERNS: ReadonlyArray<{ readonly kind: string; readonly pattern: RegExp }> = [
  { kind: "a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_)", pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/ },
  { kind: "a GitHub fine-grained token (github_pat_)", pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}\b/ },
  { kind: "an AWS access key ID (AKIA/ASIA)", pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { kind: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** What kind of credential `text` contains, if any. */
export function credentialIn(text: string): string | undefined {
  return CREDENTIAL_VALUE_PATTERNS.find(({ pattern }) => pattern.test(text))?.kind;
}

/** Shows where a credential was found without printing it. */
export function redact(value: string): string {
  return value.length <= 4 ? "****" : `${value.slice(0, 4)}…(${value.length} chars)`;
}

const SECRET_NAME_WORDS = ["PASSWORD", "PASSWD", "PWD", "SECRET", "SECRETS", "TOKEN", "CREDENTIAL", "CREDENTIALS", "APIKEY"];

/**
 * Whether an environment variable name says it holds a secret: one of its `_`-separated words is PASSWORD,
 * SECRET, TOKEN, CREDENTIAL(S), …, or it ends in KEY (API_KEY, ACCESS_KEY, PRIVATE_KEY). `KEY` elsewhere
 * (CACHE_KEY_PREFIX) and words that merely contain these letters (MONKEY) do not count.
 */
export function isSecretLookingName(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[_.-]+/)
    .filter(Boolean);
  return words.some((word) => SECRET_NAME_WORDS.includes(word)) || words[words.length - 1] === "KEY";
}
