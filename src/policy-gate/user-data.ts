import { gunzipSync } from "node:zlib";

/** The script an `aws_launch_template.user_data` value runs, as far as it can be read from the synthesized JSON. */
export type UserDataText =
  | { readonly kind: "text"; readonly text: string; readonly from: "base64" | "base64-gzip" | "terraform-expression" | "plain" }
  | { readonly kind: "unreadable"; readonly reason: string };

/**
 * Decodes `user_data`: a base64 literal (gzip inside is unpacked), or a `${base64encode("...")}` /
 * `${base64gzip("...")}` Terraform expression (string literals, `join`ed references; see `hclTemplateText`). Content read from files at plan time (`file()`,
 * `templatefile()`) cannot be seen here and is reported as unreadable.
 */
export function decodeUserData(value: string): UserDataText {
  const expression = /^\$\{base64(?:encode|gzip)\(([\s\S]*)\)\}$/.exec(value.trim());
  if (expression) {
    if (/\b(?:templatefile|file|filebase64)\s*\(/.test(expression[1])) {
      return { kind: "unreadable", reason: "the script is read from a file at plan time (file()/templatefile())" };
    }
    const evaluated = hclTemplateText(expression[1]);
    if ("error" in evaluated) return { kind: "unreadable", reason: `the base64encode(...) expression does not parse: ${evaluated.error}` };
    return { kind: "text", text: evaluated.text, from: "terraform-expression" };
  }
  if (value.includes("${")) return { kind: "unreadable", reason: 'user_data is a Terraform expression other than base64encode("...")' };
  const compact = value.replace(/\s+/g, "");
  if (compact.length > 0 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    const bytes = Buffer.from(compact, "base64");
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return { kind: "text", text: gunzipSync(bytes).toString("utf8"), from: "base64-gzip" };
    return { kind: "text", text: bytes.toString("utf8"), from: "base64" };
  }
  return { kind: "text", text: value, from: "plain" };
}

/**
 * The text an HCL expression such as `join("", ["a", aws_x.y.arn, "b"])` evaluates to, as far as it can be known
 * without Terraform: string literals decoded, bare references rendered as `${aws_x.y.arn}`, function names and
 * punctuation dropped. Anything else (a stray character, an unterminated string) means the expression is not what
 * it seems, and it is reported instead of guessed at.
 */
export function hclTemplateText(expression: string): { text: string } | { error: string } {
  const parts: string[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (/[\s,()[\]]/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const literal = readStringLiteral(expression, i + 1);
      if ("error" in literal) return literal;
      parts.push(literal.text);
      i = literal.end + 1;
      continue;
    }
    const traversal = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*/.exec(expression.slice(i));
    if (traversal) {
      const isFunctionCall = /^\s*\(/.test(expression.slice(i + traversal[0].length));
      const isReference = traversal[0].includes(".");
      if (!isFunctionCall && !isReference && !["true", "false", "null"].includes(traversal[0])) {
        return { error: `unexpected ${JSON.stringify(expression.slice(i, i + 20))} at offset ${i}` };
      }
      if (isReference && !isFunctionCall) parts.push(`\${${traversal[0]}}`);
      i += traversal[0].length;
      continue;
    }
    if (/^-?\d/.test(expression.slice(i))) {
      i += /^-?\d+(?:\.\d+)?/.exec(expression.slice(i))![0].length;
      continue;
    }
    return { error: `unexpected ${JSON.stringify(expression.slice(i, i + 20))} at offset ${i}` };
  }
  return { text: parts.join("") };
}

function readStringLiteral(expression: string, from: number): { text: string; end: number } | { error: string } {
  let text = "";
  let i = from;
  while (i < expression.length && expression[i] !== '"') {
    const c = expression[i];
    if (c === "\\") {
      const next = expression[i + 1];
      if (next === "u") {
        text += String.fromCharCode(parseInt(expression.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      const escaped = ({ n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" } as Record<string, string>)[next];
      if (escaped === undefined) return { error: `invalid escape sequence \\${next} at offset ${i} (Terraform rejects it)` };
      text += escaped;
      i += 2;
    } else if ((c === "$" || c === "%") && expression[i + 1] === c && expression[i + 2] === "{") {
      text += `${c}{`; // $${ and %%{ are HCL's escapes for a literal ${ and %{
      i += 3;
    } else if ((c === "$" || c === "%") && expression[i + 1] === "{") {
      // A nested interpolation: keep it verbatim, including any quotes inside it.
      let depth = 0;
      const start = i;
      for (i += 1; i < expression.length; i++) {
        if (expression[i] === "{") depth++;
        else if (expression[i] === "}" && --depth === 0) break;
      }
      text += expression.slice(start, i + 1);
      i++;
    } else {
      text += c;
      i++;
    }
  }
  if (i >= expression.length) return { error: "unterminated string literal" };
  return { text, end: i };
}
