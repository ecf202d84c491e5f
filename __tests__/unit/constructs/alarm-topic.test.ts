import { AlarmTopic, type AlarmTopicProps } from "../../../src/constructs/alarm-topic";
import { resources, synthConstruct } from "../../helpers/synth";

const topic = (props: Partial<AlarmTopicProps> = {}) =>
  synthConstruct(
    (scope) => new AlarmTopic(scope, "alarm-topic", { name: "shop-prod", accountId: "123456789012", partition: "aws", region: "us-east-1", ...props }),
  );

describe("AlarmTopic", () => {
  it("creates <name>-alarms encrypted with the key it is given", () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(resources(topic({ kmsKeyArn: key }), "aws_sns_topic").map((r) => r.block)).toEqual([
      { name: "shop-prod-alarms", display_name: "shop-prod alarms", kms_master_key_id: key },
    ]);
  });

  it("lets only CloudWatch alarms of this account and region publish", () => {
    const [policy] = resources(topic(), "aws_sns_topic_policy");
    const arn = "${aws_sns_topic.alarm-topic_D89A1C02.arn}";
    expect(policy.block.arn).toBe(arn);
    expect(JSON.parse(policy.block.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudWatchAlarmsOfThisAccountPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: arn,
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" },
          },
        },
      ],
    });
  });

  it("subscribes each email, addressed by the email so removing one leaves the others alone", () => {
    const subscriptions = resources(
      topic({ emails: ["oncall@example.com", "Team.Pager@example.co.uk", "team-pager@example.co.uk"] }),
      "aws_sns_topic_subscription",
    );
    expect(subscriptions.map((s): unknown[] => [s.name.replace(/_[0-9A-F]{8}$/, ""), s.block.protocol, s.block.endpoint])).toEqual([
      ["alarm-topic_email-oncallexamplecom", "email", "oncall@example.com"],
      ["alarm-topic_email-team-pagerexamplecouk", "email", "team-pager@example.co.uk"],
      ["alarm-topic_email-teampagerexamplecouk", "email", "Team.Pager@example.co.uk"],
    ]);
  });

  it("refuses an address listed twice", () => {
    expect(() => topic({ emails: ["a@example.com", "A@example.com"] })).toThrow(
      "AlarmTopic email A@example.com is listed twice (addresses are case-insensitive): list each address once",
    );
  });
});
