import { trustAllows } from "../../../src/ci/trust-evaluation";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const AUD = "token.actions.githubusercontent.com:aud";
const SUB = "token.actions.githubusercontent.com:sub";
const claims = (sub: string, aud = "sts.amazonaws.com") => ({ [AUD]: aud, [SUB]: sub });

const policy = (...statements: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement: statements });
const allow = (condition: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Principal: { Federated: PROVIDER },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: condition,
  ...extra,
});

describe("trustAllows (IAM's evaluation of a web-identity trust policy)", () => {
  const exact = policy(allow({ StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/infra:pull_request" } }));

  it("admits the one subject and audience StringEquals names", () => {
    expect(trustAllows(exact, { providerArn: PROVIDER, claims: claims("repo:acme/infra:pull_request") })).toBe(true);
  });

  it("refuses another repository, another event, another audience, and a claim in another case", () => {
    for (const request of [
      claims("repo:acme/other:pull_request"),
      claims("repo:acme/infra:ref:refs/heads/main"),
      claims("repo:acme/infra:pull_request", "https://github.com/acme"),
      claims("repo:ACME/infra:pull_request"),
    ]) {
      expect(trustAllows(exact, { providerArn: PROVIDER, claims: request })).toBe(false);
    }
  });

  it("refuses a token from another provider, and a request missing a claim a condition names", () => {
    expect(trustAllows(exact, { providerArn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com", claims: claims("repo:acme/infra:pull_request") })).toBe(
      false,
    );
    expect(trustAllows(exact, { providerArn: PROVIDER, claims: { [SUB]: "repo:acme/infra:pull_request" } })).toBe(false);
  });

  it("matches StringLike's * and ? wildcards as IAM does (which is why the gate forbids them)", () => {
    const wide = policy(allow({ StringLike: { [SUB]: "repo:acme/*" } }));
    expect(trustAllows(wide, { providerArn: PROVIDER, claims: claims("repo:acme/anything:ref:refs/heads/x") })).toBe(true);
    expect(trustAllows(wide, { providerArn: PROVIDER, claims: claims("repo:acmeevil/x:pull_request") })).toBe(false);
    const oneChar = policy(allow({ StringLike: { [SUB]: "repo:acme/app?:pull_request" } }));
    expect(trustAllows(oneChar, { providerArn: PROVIDER, claims: claims("repo:acme/app1:pull_request") })).toBe(true);
    expect(trustAllows(oneChar, { providerArn: PROVIDER, claims: claims("repo:acme/app12:pull_request") })).toBe(false);
  });

  it("takes a list of values as any-of, and a negated operator as none-of", () => {
    const either = policy(allow({ StringEquals: { [SUB]: ["repo:a/b:pull_request", "repo:a/c:pull_request"] } }));
    expect(trustAllows(either, { providerArn: PROVIDER, claims: claims("repo:a/c:pull_request") })).toBe(true);
    const notForks = policy(allow({ StringNotEquals: { [SUB]: ["repo:a/b:pull_request", "repo:a/c:pull_request"] } }));
    expect(trustAllows(notForks, { providerArn: PROVIDER, claims: claims("repo:a/c:pull_request") })).toBe(false);
    expect(trustAllows(notForks, { providerArn: PROVIDER, claims: claims("repo:a/d:pull_request") })).toBe(true);
  });

  it("lets an explicit Deny win over an Allow, and needs the web-identity action", () => {
    const denied = policy(allow({}), {
      Effect: "Deny",
      Principal: { Federated: PROVIDER },
      Action: "sts:*",
      Condition: { StringLike: { [SUB]: "*:pull_request" } },
    });
    expect(trustAllows(denied, { providerArn: PROVIDER, claims: claims("repo:a/b:pull_request") })).toBe(false);
    expect(trustAllows(denied, { providerArn: PROVIDER, claims: claims("repo:a/b:environment:production") })).toBe(true);
    expect(trustAllows(policy(allow({}, { Action: "sts:AssumeRole" })), { providerArn: PROVIDER, claims: claims("repo:a/b:pull_request") })).toBe(false);
  });

  it("fails closed on a condition operator it does not evaluate", () => {
    expect(() => trustAllows(policy(allow({ ArnLike: { [SUB]: "x" } })), { providerArn: PROVIDER, claims: claims("x") })).toThrow(
      "condition operator ArnLike is not one a web-identity trust policy is evaluated with here",
    );
  });

  it("reads a single statement object, a list of providers and of actions, and a NotAction", () => {
    const single = {
      Version: "2012-10-17",
      Statement: allow(
        { StringEquals: { [SUB]: "repo:a/b:pull_request" } },
        { Principal: { Federated: ["arn:other", PROVIDER] }, Action: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"] },
      ),
    };
    expect(trustAllows(single, { providerArn: PROVIDER, claims: claims("repo:a/b:pull_request") })).toBe(true);
    const notAction = policy(allow({}, { Action: undefined, NotAction: "sts:AssumeRole" }));
    expect(trustAllows(notAction, { providerArn: PROVIDER, claims: claims("repo:a/b:pull_request") })).toBe(true);
    const notWebIdentity = policy(allow({}, { Action: undefined, NotAction: ["sts:TagSession", "sts:AssumeRoleWith*"] }));
    expect(trustAllows(notWebIdentity, { providerArn: PROVIDER, claims: claims("repo:a/b:pull_request") })).toBe(false);
  });

  it("admits nothing without a Federated principal, a statement or an action, and fails closed on a non-string value", () => {
    const request = { providerArn: PROVIDER, claims: claims("repo:a/b:pull_request") };
    expect(trustAllows(policy(allow({}, { Principal: null })), request)).toBe(false);
    expect(trustAllows(policy(allow({}, { Principal: "*" })), request)).toBe(false);
    expect(trustAllows(policy(allow({}, { Principal: { Service: PROVIDER } })), request)).toBe(false);
    expect(trustAllows({ Statement: undefined }, request)).toBe(false);
    expect(trustAllows(policy(allow({}, { Action: undefined })), request)).toBe(false);
    expect(() => trustAllows(policy(allow({ StringEquals: { [SUB]: [42] } })), { providerArn: PROVIDER, claims: { [SUB]: "42" } })).toThrow(
      "policy value 42 is not a string",
    );
  });

  it("escapes the regular-expression characters a subject holds, and negates StringNotLike", () => {
    const dotted = policy(allow({ StringLike: { [SUB]: "repo:a/b.c:(x)+*" } }));
    expect(trustAllows(dotted, { providerArn: PROVIDER, claims: claims("repo:a/b.c:(x)+y") })).toBe(true);
    expect(trustAllows(dotted, { providerArn: PROVIDER, claims: claims("repo:a/bxc:(x)+y") })).toBe(false);
    expect(trustAllows(dotted, { providerArn: PROVIDER, claims: claims("repo:a/b.c:xx+y") })).toBe(false);
    const notForks = policy(allow({ StringNotLike: { [SUB]: "repo:evil/*" } }));
    expect(trustAllows(notForks, { providerArn: PROVIDER, claims: claims("repo:evil/x:pull_request") })).toBe(false);
    expect(trustAllows(notForks, { providerArn: PROVIDER, claims: claims("repo:acme/x:pull_request") })).toBe(true);
  });

  it("matches a negated operator when the key is missing, and no positive one", () => {
    expect(
      trustAllows(policy(allow({ StringNotEquals: { "token.actions.githubusercontent.com:job_workflow_ref": "x" } })), {
        providerArn: PROVIDER,
        claims: claims("s"),
      }),
    ).toBe(true);
    expect(
      trustAllows(policy(allow({ StringLike: { "token.actions.githubusercontent.com:job_workflow_ref": "*" } })), {
        providerArn: PROVIDER,
        claims: claims("s"),
      }),
    ).toBe(false);
  });
});
