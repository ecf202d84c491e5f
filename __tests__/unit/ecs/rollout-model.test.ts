import {
  AWS_DEFAULT_ROLLOUT_SETTINGS,
  circuitBreakerThreshold,
  describeRollout,
  describeStackRollout,
  estimateRollout,
  formatDuration,
  rolloutSettingsFromStack,
  type RolloutSettings,
} from "../../../src/ecs/rollout-model";
import { referenceInput } from "../../helpers/configs";
import { synthStack } from "../../helpers/synth";

const OUR_DEFAULTS: RolloutSettings = {
  desiredCount: 2,
  minimumHealthyPercent: 50,
  maximumPercent: 200,
  healthCheckGracePeriodSeconds: 60,
  healthCheckIntervalSeconds: 10,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  deregistrationDelaySeconds: 30,
  circuitBreaker: true,
};
const AWS_DEFAULTS: RolloutSettings = { ...AWS_DEFAULT_ROLLOUT_SETTINGS, desiredCount: 2 };

describe("a deploy that fails real traffic, rolled back by a deployment alarm", () => {
  it("our defaults: in service after 65 s, the 3-minute alarm fires a minute of metric delay later, the old wave comes back, the bad one drains: 400 s", () => {
    const estimate = estimateRollout({ ...OUR_DEFAULTS, deploymentAlarmWindowSeconds: 180 });
    expect(estimate.alarmRolledBackSeconds).toBe(45 + 20 + (180 + 60) + 1 * (45 + 20) + 30);
    expect(describeRollout("orders", estimate)).toBe(
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s, deploy failing real traffic rolled back by alarm ≈ 6m 40s (model: docs/rollout-model.md)",
    );
  });

  it("counts the waves that replaced old tasks while the alarm was still evaluating", () => {
    // 10 tasks, 2 per wave (80 / 100 %): each wave takes 95 s, so 1 + floor(240 / 95) = 3 waves are replaced.
    const estimate = estimateRollout({ ...OUR_DEFAULTS, desiredCount: 10, minimumHealthyPercent: 80, maximumPercent: 100, deploymentAlarmWindowSeconds: 180 });
    expect(estimate.tasksPerWave).toBe(2);
    expect(estimate.alarmRolledBackSeconds).toBe(65 + 240 + 3 * 65 + 30);
  });

  it("is not estimated without deployment alarms", () => {
    expect(estimateRollout(OUR_DEFAULTS).alarmRolledBackSeconds).toBeUndefined();
    expect(describeRollout("orders", estimateRollout(OUR_DEFAULTS))).not.toContain("by alarm");
  });

  it("reads the window from the alarms the service's alarms block names, metric math included", () => {
    const [service] = rolloutSettingsFromStack(synthStack({ ...referenceInput(), alarms: { evaluationMinutes: 4 } }));
    expect(service.settings.deploymentAlarmWindowSeconds).toBe(240);
    const [withoutRollback] = rolloutSettingsFromStack(synthStack({ ...referenceInput(), alarms: { rollback: false } }));
    expect(withoutRollback.settings.deploymentAlarmWindowSeconds).toBeUndefined();
  });
});

describe("estimateRollout", () => {
  it("our defaults: one wave of 2 (keep 1, run up to 4); 45 + 10×2 + 30 = 95 s; rollback after 2 rounds of 2 failures", () => {
    const estimate = estimateRollout(OUR_DEFAULTS);
    expect(estimate).toMatchObject({ minimumHealthyTasks: 1, maximumRunningTasks: 4, tasksPerWave: 2, waves: 1, waveSeconds: 95, rollingDeploySeconds: 95 });
    // threshold max(3, ceil(2/2)) = 3 → ceil(3/2) = 2 rounds of 45 + max(60, 10×3) + 30 = 135 s; no old task was stopped early.
    expect(estimate).toMatchObject({ circuitBreakerThreshold: 3, failingRounds: 2, failedDeployRolledBackSeconds: 270 });
  });

  it("AWS defaults: 45 + 30×5 + 300 = 495 s; rollback after 2 rounds of 45 + max(0, 30×2) + 300 = 405 s", () => {
    const estimate = estimateRollout(AWS_DEFAULTS);
    expect(estimate).toMatchObject({ minimumHealthyTasks: 2, maximumRunningTasks: 4, tasksPerWave: 2, waves: 1, rollingDeploySeconds: 495 });
    expect(estimate).toMatchObject({ circuitBreakerThreshold: 3, failingRounds: 2, failedDeployRolledBackSeconds: 810 });
  });

  it("several waves when the percentages leave little room: 10 tasks at 100/150 % go 5 at a time", () => {
    const estimate = estimateRollout({ ...OUR_DEFAULTS, desiredCount: 10, minimumHealthyPercent: 100, maximumPercent: 150 });
    expect(estimate).toMatchObject({ tasksPerWave: 5, waves: 2, rollingDeploySeconds: 2 * 95 });
    // threshold ceil(10/2) = 5 → one round of 135 s.
    expect(estimate).toMatchObject({ circuitBreakerThreshold: 5, failingRounds: 1, failedDeployRolledBackSeconds: 135 });
  });

  it("restores old tasks stopped early to make room: 4 tasks at 50/100 % replace 2 at a time", () => {
    const estimate = estimateRollout({ ...OUR_DEFAULTS, desiredCount: 4, maximumPercent: 100 });
    // keep 2, run at most 4: B = 2, both stopped old tasks must come back in the rollback (45 + 20 = 65 s).
    expect(estimate).toMatchObject({ tasksPerWave: 2, waves: 2, rollingDeploySeconds: 190, failingRounds: 2 });
    expect(estimate.failedDeployRolledBackSeconds).toBe(2 * 135 + 65);
  });

  it("takes the task start time as an assumption", () => {
    expect(estimateRollout(OUR_DEFAULTS, { taskStartSeconds: 120 }).rollingDeploySeconds).toBe(120 + 20 + 30);
  });

  it("says when a deployment cannot progress or never rolls back", () => {
    const stuck = estimateRollout({ ...OUR_DEFAULTS, minimumHealthyPercent: 100, maximumPercent: 100 });
    expect(stuck.rollingDeploySeconds).toBeUndefined();
    expect(describeRollout("orders", stuck)).toBe(
      "orders: rolling deploy cannot start (minimum healthy 100 % and maximum 100 % of 2 leave no room for a new task), failed deploy never rolled back (no wave can start) (model: docs/rollout-model.md)",
    );
    const noBreaker = estimateRollout({ ...OUR_DEFAULTS, circuitBreaker: false });
    expect(describeRollout("orders", noBreaker)).toBe(
      "orders: rolling deploy ≈ 1m 35s, failed deploy never rolled back (circuit breaker off) (model: docs/rollout-model.md)",
    );
    expect(describeRollout("orders", estimateRollout({ ...OUR_DEFAULTS, desiredCount: 0 }))).toMatch(/^orders: desired count 0, nothing to roll out/);
  });
});

describe("circuitBreakerThreshold", () => {
  it.each([
    [1, 3],
    [2, 3],
    [6, 3],
    [7, 4],
    [25, 13],
    [400, 200],
    [1000, 200],
  ])("desired %i → %i", (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [95, "1m 35s"],
    [125, "2m 05s"],
    [810, "13m 30s"],
    [3725, "1h 02m 05s"],
  ])("%i s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("rolloutSettingsFromStack", () => {
  it("reads the reference stack's service and target group", () => {
    const [service] = rolloutSettingsFromStack(synthStack(referenceInput()));
    expect(service.address).toMatch(/^aws_ecs_service\.service_/);
    expect(service.settings).toEqual({ ...OUR_DEFAULTS, deploymentAlarmWindowSeconds: 180 });
  });

  it("follows the config's settings", () => {
    const config = {
      ...referenceInput(),
      desiredCount: 6,
      deregistrationDelaySeconds: 120,
      healthCheck: { intervalSeconds: 15, healthyThreshold: 4, unhealthyThreshold: 5, gracePeriodSeconds: 90 },
      deployment: { minimumHealthyPercent: 100, maximumPercent: 150 },
    };
    const [service] = rolloutSettingsFromStack(synthStack(config));
    expect(service.settings).toEqual({
      desiredCount: 6,
      minimumHealthyPercent: 100,
      maximumPercent: 150,
      healthCheckGracePeriodSeconds: 90,
      healthCheckIntervalSeconds: 15,
      healthyThreshold: 4,
      unhealthyThreshold: 5,
      deregistrationDelaySeconds: 120,
      circuitBreaker: true,
      deploymentAlarmWindowSeconds: 180,
    });
  });

  it("uses the provider's defaults for attributes left out, and no LB time without a load balancer", () => {
    const settings = rolloutSettingsFromStack({
      resource: {
        aws_ecs_service: {
          plain: { name: "plain", desired_count: 3 },
          behind_lb: { name: "lb", load_balancer: [{ target_group_arn: "${aws_lb_target_group.tg.arn}" }] },
        },
        aws_lb_target_group: { tg: { health_check: {} } },
      },
    });
    expect(settings[0].settings).toEqual({
      desiredCount: 3,
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      healthCheckGracePeriodSeconds: 0,
      healthCheckIntervalSeconds: 0,
      healthyThreshold: 0,
      unhealthyThreshold: 0,
      deregistrationDelaySeconds: 0,
      circuitBreaker: false,
    });
    expect(settings[1].settings).toMatchObject({
      desiredCount: 0,
      healthCheckIntervalSeconds: 30,
      healthyThreshold: 3,
      unhealthyThreshold: 3,
      deregistrationDelaySeconds: 300,
    });
  });

  it("labels lines by stack, and by service when a stack has several", () => {
    const doc = synthStack(referenceInput());
    expect(describeStackRollout("orders", doc)).toEqual([
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s, deploy failing real traffic rolled back by alarm ≈ 6m 40s (model: docs/rollout-model.md)",
    ]);
    const services = doc.resource?.aws_ecs_service;
    if (!services) throw new Error("the reference stack has no aws_ecs_service");
    const [id, service] = Object.entries(services)[0];
    services[`${id}-worker`] = { ...service, name: "orders-worker" };
    expect(describeStackRollout("orders", doc).map((line) => line.split(":")[0])).toEqual(["orders/orders", "orders/orders-worker"]);
  });
});

describe("estimateRollout at the edges", () => {
  it("a service scaled to zero deploys at once and has nothing to roll back", () => {
    const estimate = estimateRollout({ ...OUR_DEFAULTS, desiredCount: 0, deploymentAlarmWindowSeconds: 180 });
    expect(estimate).toMatchObject({ waves: 0, rollingDeploySeconds: 0, failingRounds: 0, circuitBreakerThreshold: 3 });
    expect(estimate.failedDeployRolledBackSeconds).toBeUndefined();
    expect(estimate.alarmRolledBackSeconds).toBeUndefined();
  });

  it("a deploy that can never start a new task (100 % minimum, 100 % maximum) has no rollout time and nothing to roll back", () => {
    const estimate = estimateRollout({ ...OUR_DEFAULTS, minimumHealthyPercent: 100, maximumPercent: 100, deploymentAlarmWindowSeconds: 180 });
    expect(estimate).toMatchObject({ tasksPerWave: 0, waves: Infinity, failingRounds: 0 });
    expect(estimate.rollingDeploySeconds).toBeUndefined();
    expect(estimate.failedDeployRolledBackSeconds).toBeUndefined();
    expect(estimate.alarmRolledBackSeconds).toBeUndefined();
  });

  it("without a circuit breaker a failing deploy is never rolled back by ECS", () => {
    const estimate = estimateRollout({ ...OUR_DEFAULTS, circuitBreaker: false });
    expect([estimate.circuitBreakerThreshold, estimate.failingRounds, estimate.failedDeployRolledBackSeconds]).toEqual([undefined, 0, undefined]);
  });

  it("brings back the tasks the failing wave stopped early only when the surge room is smaller than a wave", () => {
    // 4 tasks at 50 / 125 %: 2 healthy, 5 running, 3 per wave but only 1 of surge, so 2 old tasks stop early.
    const tight = estimateRollout({ ...OUR_DEFAULTS, desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 125 });
    expect([tight.tasksPerWave, tight.failingRounds]).toEqual([3, 1]);
    expect(tight.failedDeployRolledBackSeconds).toBe(1 * (45 + Math.max(60, 10 * 3) + 30) + 1 * (45 + 20));
    const roomy = estimateRollout({ ...OUR_DEFAULTS, desiredCount: 4, minimumHealthyPercent: 100, maximumPercent: 200 });
    expect(roomy.failedDeployRolledBackSeconds).toBe(Math.ceil(3 / 4) * (45 + 60 + 30));
  });
});

describe("rolloutSettingsFromStack reads what a stack says, and AWS's defaults for what it leaves out", () => {
  const alarm = (name: string, extra: Record<string, unknown>) => ({ alarm_name: name, ...extra });

  it("takes numbers written as strings, a load balancer block written as an object, and the string form of enable", () => {
    const [settings] = rolloutSettingsFromStack({
      resource: {
        aws_ecs_service: {
          svc: {
            name: "api",
            desired_count: "4",
            load_balancer: { target_group_arn: "${aws_lb_target_group.tg.arn}" },
            deployment_circuit_breaker: { enable: "true" },
            alarms: { enable: "true", alarm_names: ["api-5xx", "api-math"] },
          },
        },
        aws_lb_target_group: { tg: { deregistration_delay: "15", health_check: { interval: "5", healthy_threshold: 2, unhealthy_threshold: "4" } } },
        aws_cloudwatch_metric_alarm: {
          a: alarm("api-5xx", { period: 60, evaluation_periods: "3" }),
          b: alarm("api-math", { metric_query: [{ metric: [{ period: 120 }] }, { expression: "x" }], evaluation_periods: 2 }),
          c: alarm("other", { period: 3600, evaluation_periods: 24 }),
        },
      },
    });
    expect(settings).toEqual({
      address: "aws_ecs_service.svc",
      name: "api",
      settings: {
        desiredCount: 4,
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        healthCheckGracePeriodSeconds: 0,
        healthCheckIntervalSeconds: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 4,
        deregistrationDelaySeconds: 15,
        circuitBreaker: true,
        deploymentAlarmWindowSeconds: 240,
      },
    });
  });

  it("finds no target group behind a literal ARN or a reference to something else, and no alarm window when alarms are off", () => {
    const settingsOf = (service: Record<string, unknown>) =>
      rolloutSettingsFromStack({
        resource: {
          aws_ecs_service: { svc: service },
          aws_lb_target_group: { tg: { deregistration_delay: 15 } },
          aws_cloudwatch_metric_alarm: { a: alarm("api-5xx", { period: 60, evaluation_periods: 3 }) },
        },
      })[0].settings;
    for (const arn of [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1",
      "${aws_lb_target_group.tg.arn_suffix}",
      "x${aws_lb_target_group.tg.arn}",
    ]) {
      expect(settingsOf({ load_balancer: [{ target_group_arn: arn }] })).toMatchObject({ healthCheckIntervalSeconds: 0, deregistrationDelaySeconds: 0 });
    }
    expect(settingsOf({ alarms: { enable: false, alarm_names: ["api-5xx"] } })).not.toHaveProperty("deploymentAlarmWindowSeconds");
    expect(settingsOf({ alarms: { enable: true, alarm_names: "api-5xx" } })).not.toHaveProperty("deploymentAlarmWindowSeconds");
    expect(settingsOf({ alarms: { enable: true, alarm_names: ["elsewhere"] } })).not.toHaveProperty("deploymentAlarmWindowSeconds");
    expect(settingsOf({ desired_count: "many", deployment_circuit_breaker: [{ enable: false }] })).toMatchObject({ desiredCount: 0, circuitBreaker: false });
  });

  it("reads a stack without resources as having no service", () => {
    expect(rolloutSettingsFromStack({})).toEqual([]);
  });
});
