import { credentialIn, isSecretLookingName, redact } from "../../../src/policy-gate/secret-patterns";

describe("credentialIn", () => {
  it.each<[string, string]>([
    [`token=ghp_${"A1b2".repeat(9)}`, "a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_)"],
    [`x gho_${"z".repeat(30)} y`, "a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_)"],
    [`github_pat_${"11AB_cd".repeat(3)}`, "a GitHub fine-grained token (github_pat_)"],
    ["AKIAABCDEFGHIJKLMNOP", "an AWS access key ID (AKIA/ASIA)"],
    ["ASIA0123456789ABCDEF", "an AWS access key ID (AKIA/ASIA)"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE", "a private key"],
    ["-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"],
    ["-----BEGIN PRIVATE KEY-----", "a private key"],
  ])("finds the credential in %j", (text, kind) => expect(credentialIn(text)).toBe(kind));

  it.each([
    `ghp_${"a".repeat(29)}`,
    `xghp_${"a".repeat(36)}`,
    `github_pat_${"a".repeat(19)}`,
    `github_pat_${"-".repeat(30)}`,
    "AKIAABCDEFGHIJKLMNO",
    "AKIAabcdefghijklmnop",
    "-----BEGIN CERTIFICATE-----",
    "-----BEGIN rsa PRIVATE KEY-----",
    "SPRING_PROFILES_ACTIVE=prod",
  ])("finds none in %j", (text) => expect(credentialIn(text)).toBeUndefined());
});

describe("redact", () => {
  it("keeps the first four characters and the length, or stars for four or fewer", () => {
    expect(redact(`ghp_${"x".repeat(36)}`)).toBe("ghp_…(40 chars)");
    expect(redact("abcde")).toBe("abcd…(5 chars)");
    expect(redact("abcd")).toBe("****");
    expect(redact("")).toBe("****");
  });
});

describe("isSecretLookingName", () => {
  it.each([
    "DB_PASSWORD",
    "db.passwd",
    "SMTP-PWD",
    "CLIENT_SECRET",
    "OAUTH_SECRETS",
    "GITHUB_TOKEN",
    "AWS_CREDENTIALS",
    "CREDENTIAL",
    "STRIPE_APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "private-key",
    "key",
  ])("%s says it holds a secret", (name) => expect(isSecretLookingName(name)).toBe(true));

  it.each(["CACHE_KEY_PREFIX", "MONKEY", "TOKENIZER_MODE", "SECRETARY_NAME", "KEYS", "SPRING_PROFILES_ACTIVE", "PASSWORDLESS", "__"])("%s does not", (name) =>
    expect(isSecretLookingName(name)).toBe(false),
  );
});
