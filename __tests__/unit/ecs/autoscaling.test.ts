import { autoscalingPlan, deploymentCanStart, type AutoscalingSettings } from "../../../src/ecs/autoscaling";

const settings = (overrides: Partial<AutoscalingSettings> = {}): AutoscalingSettings => ({
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
  schedules: [],
  ...overrides,
});

describe("autoscalingPlan", () => {
  it("scales a service of 2 tasks between 2 and 4 on 70 % CPU by default", () => {
    expect(autoscalingPlan({ desiredCount: 2, autoscaling: settings() })).toEqual({
      minCount: 2,
      maxCount: 4,
      policies: [{ id: "cpu", metric: "ECSServiceAverageCPUUtilization", targetValue: 70 }],
      scaleOutCooldownSeconds: 60,
      scaleInCooldownSeconds: 300,
      schedules: [],
    });
  });

  it("gives one task room for one more, and leaves a service of 0 tasks unscaled unless asked", () => {
    expect(autoscalingPlan({ desiredCount: 1, autoscaling: settings() })).toMatchObject({ minCount: 1, maxCount: 2 });
    expect(autoscalingPlan({ desiredCount: 0, autoscaling: settings() })).toBeUndefined();
    expect(autoscalingPlan({ desiredCount: 0, autoscaling: settings({ enabled: true }) })).toMatchObject({ minCount: 0, maxCount: 1 });
  });

  it("is off with enabled: false", () => {
    expect(autoscalingPlan({ desiredCount: 3, autoscaling: settings({ enabled: false, minCount: 1 }) })).toBeUndefined();
  });

  it("takes minCount and maxCount as given", () => {
    expect(autoscalingPlan({ desiredCount: 3, autoscaling: settings({ minCount: 1, maxCount: 10 }) })).toMatchObject({ minCount: 1, maxCount: 10 });
    expect(autoscalingPlan({ desiredCount: 3, autoscaling: settings({ minCount: 3 }) })).toMatchObject({ minCount: 3, maxCount: 6 });
  });

  it("tracks only the metrics given once any is given, CPU first, then memory, then requests", () => {
    expect(autoscalingPlan({ desiredCount: 2, autoscaling: settings({ memoryPercent: 80 }) })?.policies).toEqual([
      { id: "memory", metric: "ECSServiceAverageMemoryUtilization", targetValue: 80 },
    ]);
    expect(autoscalingPlan({ desiredCount: 2, autoscaling: settings({ requestsPerTarget: 500, memoryPercent: 75, cpuPercent: 60 }) })?.policies).toEqual([
      { id: "cpu", metric: "ECSServiceAverageCPUUtilization", targetValue: 60 },
      { id: "memory", metric: "ECSServiceAverageMemoryUtilization", targetValue: 75 },
      { id: "requests", metric: "ALBRequestCountPerTarget", targetValue: 500 },
    ]);
  });

  it("carries the schedules and cooldowns", () => {
    const schedules = [{ name: "workday", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/London", minCount: 4 }];
    expect(autoscalingPlan({ desiredCount: 2, autoscaling: settings({ schedules, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 30 }) })).toMatchObject({
      schedules,
      scaleInCooldownSeconds: 600,
      scaleOutCooldownSeconds: 30,
    });
  });
});

describe("deploymentCanStart", () => {
  it.each([
    [1, 50, 200, true, "one extra task may start"],
    [1, 100, 150, false, "1 × 150 % rounds down to 1 and the one task must stay"],
    [1, 0, 100, true, "the one task may stop first"],
    [2, 100, 150, true, "2 × 150 % = 3: one extra"],
    [3, 100, 130, false, "3 × 130 % rounds down to 3 and all three must stay"],
    [4, 80, 100, false, "80 % of 4 rounds up to 4: none may stop, and none may start"],
    [5, 80, 100, true, "80 % of 5 is 4: one may stop"],
    [0, 100, 100, true, "nothing to replace"],
  ])("%i tasks, minimumHealthyPercent %i, maximumPercent %i → %s (%s)", (count, minimumHealthy, maximum, expected) => {
    expect(deploymentCanStart(count, minimumHealthy, maximum)).toBe(expected);
  });
});
