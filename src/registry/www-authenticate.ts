/** One challenge from a `WWW-Authenticate` header, e.g. `Bearer realm="https://ghcr.io/token",service="ghcr.io"`. */
export interface AuthChallenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  readonly scheme: string;
  /** Parameters with lower-cased names and unquoted values. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses a `WWW-Authenticate` header value (RFC 9110 §11.6.1) into its challenges. Registries send one challenge,
 * but the grammar allows several separated by commas, and quoted values may contain commas and escaped quotes.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let rest = header.trim();
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (!scheme) throw new Error(`malformed WWW-Authenticate header at "${rest.slice(0, 40)}"`);
    rest = rest.slice(scheme.length).trimStart();
    const params: Record<string, string> = {};
    challenges.push({ scheme: scheme.toLowerCase(), params });
    while (rest.length > 0) {
      // An empty list element: `Negotiate, Bearer realm=…` (fetch joins repeated headers with ", ") or `a="1",, b="2"`.
      if (rest.startsWith(",")) {
        rest = rest.slice(1).trimStart();
        continue;
      }
      const name = TOKEN.exec(rest)?.[0];
      if (!name) throw new Error(`malformed WWW-Authenticate header at "${rest.slice(0, 40)}"`);
      const afterName = rest.slice(name.length).trimStart();
      if (!afterName.startsWith("=")) break; // `name` is the next challenge's scheme
      rest = afterName.slice(1).trimStart();
      let value: string;
      if (rest.startsWith('"')) {
        let i = 1;
        value = "";
        // Stryker disable next-line EqualityOperator: one step past the end only reaches the unterminated-value error below
        while (i < rest.length && rest[i] !== '"') {
          // A backslash at the very end leaves the value unterminated, which the check below reports.
          if (rest[i] === "\\") i++;
          value += rest[i];
          i++;
        }
        if (i >= rest.length) throw new Error("malformed WWW-Authenticate header: unterminated quoted value");
        rest = rest.slice(i + 1);
      } else {
        value = TOKEN.exec(rest)?.[0] ?? "";
        rest = rest.slice(value.length);
      }
      params[name.toLowerCase()] = value;
      // The comma after a parameter is the next iteration's empty list element.
      rest = rest.trimStart();
    }
  }
  return challenges;
}
