export * from "./types";
export * from "./gate";
export * from "./report";
export * from "./waivers";
export { POLICY_RULES, ruleIds } from "./rules";
export { decodeUserData } from "./user-data";
