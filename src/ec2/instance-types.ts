/**
 * The CPU architecture of an EC2 instance type, read from its name: Graviton families carry a `g` among the letters
 * after the generation (t4g, m7gd, c6gn, im4gn, is4gen, g5g), plus a1. Everything else is x86_64.
 */
export function instanceTypeArchitecture(instanceType: string): "X86_64" | "ARM64" {
  const family = instanceType.split(".")[0];
  const match = /^([a-z]+?)(\d+)([a-z-]*)$/.exec(family);
  return family === "a1" || (match !== null && match[3].includes("g")) ? "ARM64" : "X86_64";
}
