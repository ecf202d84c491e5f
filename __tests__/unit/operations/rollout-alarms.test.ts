import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ECSClient, Service } from "@aws-sdk/client-ecs";
import { rollout } from "../../../src/operations/rollout";

const alarms = { alarmNames: ["orders: 5xx responses high"], enable: true, rollback: true };
const started = new Date("2026-12-01T12:00:00Z");

/** An ECS whose forced deployment fails and is rolled back; answers by command name. */
function failingEcs(): ECSClient {
  const ours = { id: "ecs-svc/2", status: "PRIMARY", rolloutState: "IN_PROGRESS", createdAt: started, desiredCount: 2, runningCount: 0 };
  const old = { id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", desiredCount: 2, runningCount: 2 };
  let describes = 0;
  const service = (deployments: object[]): Service => ({ serviceName: "orders", status: "ACTIVE", deployments, deploymentConfiguration: { alarms } });
  return {
    send: (command: { constructor: { name: string } }) => {
      switch (command.constructor.name) {
        case "DescribeServicesCommand":
          describes++;
          return Promise.resolve({
            services: [
              describes === 1
                ? service([old])
                : service([
                    { ...ours, rolloutState: "FAILED", status: "ACTIVE" },
                    { ...old, id: "ecs-svc/3", rolloutState: "IN_PROGRESS" },
                  ]),
            ],
          });
        case "UpdateServiceCommand":
          return Promise.resolve({ service: service([ours, { ...old, status: "ACTIVE" }]) });
        case "ListTasksCommand":
          return Promise.resolve({ taskArns: [] });
        default:
          return Promise.reject(new Error(`unexpected ${command.constructor.name}`));
      }
    },
  } as unknown as ECSClient;
}

describe("rollout and deployment alarms", () => {
  it("names the alarm that fired since the deployment started", async () => {
    const cloudWatch = {
      send: () =>
        Promise.resolve({
          MetricAlarms: [
            {
              AlarmName: "orders: 5xx responses high",
              StateValue: "ALARM",
              StateUpdatedTimestamp: new Date("2026-12-01T12:04:00Z"),
              StateReason: "Threshold Crossed",
            },
          ],
        }),
    } as unknown as CloudWatchClient;
    const result = await rollout(failingEcs(), { cluster: "orders", service: "orders", timeoutMs: 5000, pollIntervalMs: 1, cloudWatch });
    expect(result).toMatchObject({
      outcome: "rolled-back",
      reason: 'deployment alarm "orders: 5xx responses high" went into ALARM at 2026-12-01T12:04:00.000Z',
      firedAlarms: [{ name: "orders: 5xx responses high", since: "2026-12-01T12:04:00.000Z", reason: "Threshold Crossed" }],
    });
  });

  it("still reports the rollback, with ECS's reason, when CloudWatch cannot be read", async () => {
    const cloudWatch = { send: () => Promise.reject(Object.assign(new Error("not authorized"), { name: "AccessDenied" })) } as unknown as CloudWatchClient;
    const result = await rollout(failingEcs(), { cluster: "orders", service: "orders", timeoutMs: 5000, pollIntervalMs: 1, cloudWatch });
    expect(result.outcome).toBe("rolled-back");
    expect(result.reason).toBe("ECS marked the deployment FAILED");
    expect(result.firedAlarms).toBeUndefined();
  });
});
