// Runs the slowest suites first, so the long emulator suites (each mostly waiting on moto and the provider's fixed
// ALB wait) start at once and the fast ones fill the gaps. Jest's own sequencer orders by the durations it cached
// on earlier runs, and by file size on a fresh clone; this adds what a fresh clone cannot know: each slow suite's
// typical duration (seconds, alone on 2 cores). A stale figure only changes the order, never a result.
"use strict";
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

const TYPICAL_SECONDS = {
  "faults/apply-interrupted.test.ts": 165,
  "integration/fargate-on-moto.test.ts": 100,
  "integration/upgrade-from-0.1.0.test.ts": 100,
  "integration/app-on-moto.test.ts": 95,
  "delivery/plan-summary-on-moto.test.ts": 99,
  "integration/ec2-on-moto.test.ts": 98,
  "security/canary.test.ts": 93,
  "faults/cli-aws-faults.test.ts": 54,
  "delivery/synth-hcl.test.ts": 26,
  "terraform/validate-and-plan.test.ts": 22,
  "delivery/backends-validate.test.ts": 21,
  "terraform/ec2-validate-and-plan.test.ts": 20,
  "cli/operations.test.ts": 19,
  "terraform/app-validate-and-plan.test.ts": 13,
  "terraform/plan-stacks-on-moto.test.ts": 10,
};

class SlowestFirst extends Sequencer {
  sort(tests) {
    const seconds = (test) => {
      const cached = this._getCache(test)[test.path];
      if (cached && cached[1]) return cached[1] / 1000;
      return TYPICAL_SECONDS[path.relative(path.join(test.context.config.rootDir, "__tests__"), test.path).split(path.sep).join("/")] ?? 0;
    };
    const sorted = super.sort(tests);
    const rank = new Map(sorted.map((test, i) => [test.path, i]));
    return [...sorted].sort((a, b) => seconds(b) - seconds(a) || rank.get(a.path) - rank.get(b.path));
  }
}

module.exports = SlowestFirst;
