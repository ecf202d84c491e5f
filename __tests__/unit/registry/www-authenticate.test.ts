import { parseWwwAuthenticate } from "../../../src/registry/www-authenticate";

describe("parseWwwAuthenticate", () => {
  it("reads ghcr.io's Bearer challenge with realm, service and scope", () => {
    expect(parseWwwAuthenticate('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/orders:pull"')).toEqual([
      { scheme: "bearer", params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:acme/orders:pull" } },
    ]);
  });

  it("reads Docker Hub's Bearer challenge", () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"')).toEqual([
      { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io" } },
    ]);
  });

  it("reads a Basic challenge as used by htpasswd registries", () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([{ scheme: "basic", params: { realm: "Registry Realm" } }]);
  });

  it("lower-cases the scheme and parameter names but keeps values as sent", () => {
    expect(parseWwwAuthenticate('BEARER Realm="https://Example.com/Token",SERVICE="Svc"')).toEqual([
      { scheme: "bearer", params: { realm: "https://Example.com/Token", service: "Svc" } },
    ]);
  });

  it("accepts unquoted token values such as error=insufficient_scope", () => {
    expect(parseWwwAuthenticate('Bearer realm="https://ghcr.io/token",error=insufficient_scope')).toEqual([
      { scheme: "bearer", params: { realm: "https://ghcr.io/token", error: "insufficient_scope" } },
    ]);
  });

  it("keeps commas inside quoted values and unescapes backslash escapes", () => {
    expect(parseWwwAuthenticate('Bearer realm="https://r.test/token?a=1,b=2",error_description="say \\"hi\\" \\\\ bye"')).toEqual([
      { scheme: "bearer", params: { realm: "https://r.test/token?a=1,b=2", error_description: 'say "hi" \\ bye' } },
    ]);
  });

  it("tolerates whitespace around '=' and ',' and surrounding the header", () => {
    expect(parseWwwAuthenticate('  Bearer realm = "https://r.test/token" ,  service = "r.test"  ')).toEqual([
      { scheme: "bearer", params: { realm: "https://r.test/token", service: "r.test" } },
    ]);
  });

  it("accepts an empty quoted value", () => {
    expect(parseWwwAuthenticate('Basic realm=""')).toEqual([{ scheme: "basic", params: { realm: "" } }]);
  });

  it("accepts a trailing comma", () => {
    expect(parseWwwAuthenticate('Basic realm="r",')).toEqual([{ scheme: "basic", params: { realm: "r" } }]);
  });

  it("splits several challenges with parameters", () => {
    expect(parseWwwAuthenticate('Basic realm="legacy", Bearer realm="https://r.test/token",service="r.test"')).toEqual([
      { scheme: "basic", params: { realm: "legacy" } },
      { scheme: "bearer", params: { realm: "https://r.test/token", service: "r.test" } },
    ]);
  });

  it("reads a scheme without parameters", () => {
    expect(parseWwwAuthenticate("Negotiate")).toEqual([{ scheme: "negotiate", params: {} }]);
  });

  it("reads a parameterless challenge followed by another, as fetch joins two WWW-Authenticate headers", () => {
    // A proxy adds `WWW-Authenticate: Negotiate`; Headers.get() joins it with the registry's header by ", ".
    expect(parseWwwAuthenticate('Negotiate, Bearer realm="https://r.test/token",service="r.test"')).toEqual([
      { scheme: "negotiate", params: {} },
      { scheme: "bearer", params: { realm: "https://r.test/token", service: "r.test" } },
    ]);
  });

  it("skips empty list elements between parameters", () => {
    expect(parseWwwAuthenticate('Bearer realm="https://r.test/token",, service="r.test"')).toEqual([
      { scheme: "bearer", params: { realm: "https://r.test/token", service: "r.test" } },
    ]);
  });

  it("returns no challenges for an empty or blank header", () => {
    expect(parseWwwAuthenticate("")).toEqual([]);
    expect(parseWwwAuthenticate("   ")).toEqual([]);
  });

  it("rejects an unterminated quoted value", () => {
    expect(() => parseWwwAuthenticate('Bearer realm="https://r.test/token')).toThrow("malformed WWW-Authenticate header: unterminated quoted value");
  });

  it("rejects a header that does not start with a scheme, quoting where it stopped", () => {
    expect(() => parseWwwAuthenticate('"Bearer" realm="x"')).toThrow('malformed WWW-Authenticate header at ""Bearer" realm="x""');
  });

  it("rejects a parameter value that is neither a token nor quoted", () => {
    expect(() => parseWwwAuthenticate("Bearer realm=https://r.test/token")).toThrow('malformed WWW-Authenticate header at "://r.test/token"');
  });

  it("reads a parameter with nothing after '=' as an empty value", () => {
    expect(parseWwwAuthenticate('Bearer realm=, service="r.test"')).toEqual([{ scheme: "bearer", params: { realm: "", service: "r.test" } }]);
  });

  it("rejects a quoted value whose last character is an escaping backslash as unterminated", () => {
    expect(() => parseWwwAuthenticate('Bearer realm="abc\\')).toThrow("malformed WWW-Authenticate header: unterminated quoted value");
  });

  it("bounds the quoted excerpt of a malformed parameter to 40 characters too", () => {
    const rest = `@${"y".repeat(100)}`;
    expect(() => parseWwwAuthenticate(`Bearer realm="r", ${rest}`)).toThrow(`malformed WWW-Authenticate header at "${rest.slice(0, 40)}"`);
  });

  it("bounds the quoted excerpt of a malformed header to 40 characters", () => {
    const rest = `@${"x".repeat(100)}`;
    expect(() => parseWwwAuthenticate(rest)).toThrow(`malformed WWW-Authenticate header at "${rest.slice(0, 40)}"`);
  });
});
