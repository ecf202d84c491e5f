// @actions/workflow-parser imports its schema JSON without `with { type: "json" }`, which Node refuses; this
// loader hook adds the attribute so the published package runs unmodified.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json")) return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  return nextLoad(url, context);
}
