/**
 * Alarms: a service's thresholds (`alarms` of a service), and whom an environment's alarms notify (`alarms.notify`
 * of the app, or of a single-service config, whose top-level `alarms` holds both).
 */
import { z } from "zod";
import { REGION_SOURCE } from "../aws/patterns";
import { DEFAULTS } from "./defaults";
import { addProblem, bool, described, int, pattern, strictObject } from "./primitives";

/** A standard SNS topic ARN; CloudWatch alarms cannot notify FIFO topics. */
const SNS_TOPIC_ARN_SOURCE = `arn:aws(?:-cn|-us-gov)?:sns:${REGION_SOURCE}:\\d{12}:[A-Za-z0-9_-]{1,256}`;
/** What SNS accepts as an email endpoint, without quoting or comments. */
const EMAIL_SOURCE = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+";

const percent = (fallback: number) => int(1, 100).default(fallback);

/** The alarms of one service and their thresholds. */
export const serviceAlarms = {
  enabled: described(bool().default(true), "CloudWatch alarms on this service, notifying the environment's topic."),
  rollback: described(
    bool().default(DEFAULTS.alarms.rollback),
    "ECS watches the 5xx-rate and unhealthy-targets alarms during a deployment (deployment alarms) and rolls back when one fires, also when the new tasks pass their health checks. Load-balanced services only.",
  ),
  targetErrorPercent: described(
    percent(DEFAULTS.alarms.targetErrorPercent),
    `Share (%) of requests the tasks answer with 5xx (of at least ${DEFAULTS.alarms.minimumRequestsPerMinute} a minute) that fires the 5xx-rate alarm.`,
  ),
  unhealthyTargets: described(
    int(1, 1000).default(DEFAULTS.alarms.unhealthyTargets),
    "Targets failing the load balancer's health checks that fire the unhealthy-targets alarm.",
  ),
  p99ResponseSeconds: described(
    z
      .number({ error: "must be a number of seconds from 0.01 to 600" })
      .min(0.01, "must be a number of seconds from 0.01 to 600")
      .max(600, "must be a number of seconds from 0.01 to 600")
      .default(DEFAULTS.alarms.p99ResponseSeconds),
    "p99 of the tasks' response time (seconds) that fires the response-time alarm.",
  ),
  cpuPercent: described(
    percent(DEFAULTS.alarms.cpuPercent),
    "Average CPU (%) that fires the CPU alarm; above autoscaling's cpuPercent, so it fires when the scaler cannot keep up.",
  ),
  memoryPercent: described(percent(DEFAULTS.alarms.memoryPercent), "Average memory (%) that fires the memory alarm; above autoscaling's memoryPercent."),
  evaluationMinutes: described(
    int(1, 60).default(DEFAULTS.alarms.evaluationMinutes),
    "One-minute periods that must all breach before an alarm fires (and a deployment alarm rolls back).",
  ),
  tasksBelowDesiredMinutes: described(
    int(1, 60).default(DEFAULTS.alarms.tasksBelowDesiredMinutes),
    "Minutes running tasks may stay below desired before the tasks alarm fires (Container Insights on).",
  ),
};

const serviceAlarmsObject = strictObject(serviceAlarms);
export const serviceAlarmsSchema = described(
  serviceAlarmsObject.default(() => serviceAlarmsObject.parse({})),
  "CloudWatch alarms of the service: 5xx rate, unhealthy targets, p99 response time, running tasks below desired, CPU and memory high. On by default.",
);

const notify = strictObject({
  emails: described(
    z
      .array(pattern(EMAIL_SOURCE, "an email address such as oncall@example.com"), { error: "must be a list of email addresses" })
      .max(20, "must hold at most 20 addresses")
      .default([]),
    "Addresses subscribed to the environment's topic (each confirms by email once).",
  ),
  snsTopicArn: described(
    pattern(SNS_TOPIC_ARN_SOURCE, "a standard SNS topic ARN, e.g. arn:aws:sns:us-east-1:123456789012:oncall (CloudWatch cannot notify FIFO topics)").optional(),
    "An existing topic to notify instead of the environment's own (its policy must let CloudWatch publish). Default: a topic `<stack>-alarms`, encrypted with the stack's key.",
  ),
}).superRefine((value, ctx) => {
  const seen = new Map<string, number>();
  value.emails.forEach((email, i) => {
    const key = email.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      addProblem(ctx, {
        path: ["emails", i],
        input: email,
        message: `is emails[${first}] again (${value.emails[first]}); list each address once (they are case-insensitive)`,
      });
    } else seen.set(key, i);
  });
  if (value.snsTopicArn && value.emails.length > 0) {
    addProblem(ctx, {
      path: ["emails"],
      input: value.emails,
      message: "cannot be subscribed to an existing topic (snsTopicArn); subscribe them to that topic where it is managed, or drop snsTopicArn",
    });
  }
});

/** Whom an environment's alarms notify, and the load balancer's own alarm. */
export const environmentAlarms = {
  notify: described(
    notify.default(() => notify.parse({})),
    'Who hears of an alarm: `{"emails": ["oncall@example.com"]}`, or `{"snsTopicArn": "..."}` of a topic your paging tool reads.',
  ),
  loadBalancerErrorsPerMinute: described(
    int(1, 1000000).default(DEFAULTS.alarms.loadBalancerErrorsPerMinute),
    "5xx a minute answered by the load balancer itself (502/503/504) that fire its alarm.",
  ),
};

const environmentAlarmsObject = strictObject(environmentAlarms);
export const environmentAlarmsSchema = described(
  environmentAlarmsObject.default(() => environmentAlarmsObject.parse({})),
  "Whom the environment's alarms notify (one SNS topic per environment) and the load balancer's 5xx alarm; each service's thresholds are in its own `alarms`.",
);

const singleServiceAlarmsObject = strictObject({ ...serviceAlarms, ...environmentAlarms });
/** A single-service config's `alarms`: the service's thresholds and the environment's notification in one object. */
export const singleServiceAlarmsSchema = described(
  singleServiceAlarmsObject.default(() => singleServiceAlarmsObject.parse({})),
  "CloudWatch alarms (5xx rate, unhealthy targets, p99 response time, tasks below desired, CPU, memory, load balancer 5xx) notifying one SNS topic, and deployment alarms that roll back a bad deploy. On by default.",
);

export type ServiceAlarmSettings = z.output<typeof serviceAlarmsObject>;
export type EnvironmentAlarmSettings = z.output<typeof environmentAlarmsObject>;
