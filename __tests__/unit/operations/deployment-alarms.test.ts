import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { firedAlarms, watchedAlarmNames } from "../../../src/operations/deployment-alarms";

const STARTED = new Date("2026-12-01T12:00:00Z");
const alarm = (name: string, state: string, at: string, reason = `${name} crossed`): MetricAlarm => ({
  AlarmName: name,
  StateValue: state as MetricAlarm["StateValue"],
  StateUpdatedTimestamp: new Date(at),
  StateReason: reason,
});

describe("watchedAlarmNames", () => {
  it("is the deployment alarms' names when they are enabled", () => {
    expect(watchedAlarmNames({ alarms: { alarmNames: ["a", "b"], enable: true, rollback: true } })).toEqual(["a", "b"]);
  });

  it("is empty when deployment alarms are off or absent", () => {
    expect(watchedAlarmNames({ alarms: { alarmNames: ["a"], enable: false, rollback: true } })).toEqual([]);
    expect(watchedAlarmNames({ deploymentCircuitBreaker: { enable: true, rollback: true } })).toEqual([]);
    expect(watchedAlarmNames(undefined)).toEqual([]);
  });
});

describe("firedAlarms", () => {
  it("names the alarms in ALARM that fired after the deployment started, earliest first, with CloudWatch's reason", () => {
    const alarms = [
      alarm("api: unhealthy targets", "ALARM", "2026-12-01T12:04:00Z"),
      alarm("api: 5xx responses high", "ALARM", "2026-12-01T12:03:00Z", "Threshold Crossed: 3 datapoints [41.2, 38.0, 35.5]"),
      alarm("api: p99 response time high", "OK", "2026-12-01T12:05:00Z"),
    ];
    expect(firedAlarms(alarms, STARTED)).toEqual([
      { name: "api: 5xx responses high", since: "2026-12-01T12:03:00.000Z", reason: "Threshold Crossed: 3 datapoints [41.2, 38.0, 35.5]" },
      { name: "api: unhealthy targets", since: "2026-12-01T12:04:00.000Z", reason: "api: unhealthy targets crossed" },
    ]);
  });

  it("prefers alarms that fired during the deployment over one already firing before it", () => {
    const alarms = [alarm("old", "ALARM", "2026-12-01T11:00:00Z"), alarm("new", "ALARM", "2026-12-01T12:01:00Z")];
    expect(firedAlarms(alarms, STARTED).map((a) => a.name)).toEqual(["new"]);
  });

  it("blames an alarm already in ALARM before the deployment when no other fired (ECS fails the deployment for it too)", () => {
    expect(firedAlarms([alarm("old", "ALARM", "2026-12-01T11:00:00Z")], STARTED).map((a) => a.name)).toEqual(["old"]);
  });

  it("blames nothing when every alarm is OK or has too little data", () => {
    expect(firedAlarms([alarm("a", "OK", "2026-12-01T12:01:00Z"), alarm("b", "INSUFFICIENT_DATA", "2026-12-01T12:01:00Z")], STARTED)).toEqual([]);
  });
});
