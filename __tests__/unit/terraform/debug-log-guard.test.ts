import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ALLOW_DEBUG_LOG_VARIABLE, debugLogProblem } from "../../../src/terraform/debug-log-guard";

describe("debugLogProblem", () => {
  it.each(["TRACE", "debug", "json", " Trace "])("refuses TF_LOG=%s, which makes the AWS provider log secret bodies", (level) => {
    expect(debugLogProblem({ TF_LOG: level })).toMatch(/^TF_LOG=.* would make the AWS provider log the registry credential/);
  });

  it("refuses a provider-only debug log too", () => {
    expect(debugLogProblem({ TF_LOG_PROVIDER: "DEBUG" })).toMatch(/^TF_LOG_PROVIDER=DEBUG would make/);
  });

  it.each([{}, { TF_LOG: "INFO" }, { TF_LOG: "WARN" }, { TF_LOG: "ERROR" }, { TF_LOG_CORE: "TRACE" }])("allows %j", (env) => {
    expect(debugLogProblem(env)).toBeUndefined();
  });

  it(`allows a debug log when ${ALLOW_DEBUG_LOG_VARIABLE}=1 says the token is a throw-away`, () => {
    expect(debugLogProblem({ TF_LOG: "TRACE", [ALLOW_DEBUG_LOG_VARIABLE]: "1" })).toBeUndefined();
  });

  it("stops npm run deploy/destroy's wrapper before it starts anything", () => {
    const wrapper = path.join(__dirname, "..", "..", "..", "dist", "scripts", "with-terraform.js");
    const result = spawnSync(process.execPath, [wrapper, "terraform", "version"], {
      env: { ...process.env, TF_LOG: "TRACE" },
      encoding: "utf8",
      timeout: 30000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^refusing to run terraform: TF_LOG=TRACE would make the AWS provider log the registry credential/);
    expect(result.stdout).toBe("");
  });
});
