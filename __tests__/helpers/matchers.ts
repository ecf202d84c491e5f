/**
 * jest's asymmetric matchers, typed `unknown` instead of the `any` @types/jest gives them, for the places a matcher is
 * the value of a property in an expected object (`{ description: match.any(String) }`): an `any` there is what the
 * linter's no-unsafe-assignment refuses. Each returns exactly the matcher `expect.<name>` returns.
 */
export const match = {
  any: (constructor: unknown): unknown => expect.any(constructor),
  objectContaining: <T extends object>(object: T): unknown => expect.objectContaining(object),
  stringContaining: (text: string): unknown => expect.stringContaining(text),
  stringMatching: (pattern: string | RegExp): unknown => expect.stringMatching(pattern),
};
