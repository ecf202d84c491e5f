import { accountOnlyEndpointPolicy, ecrLayersEndpointPolicy, interfaceEndpoints } from "../../../src/aws/vpc-endpoints";

describe("the VPC endpoints tasks without NAT need", () => {
  it("are ECR's API and registry, CloudWatch Logs and Secrets Manager, plus SSM and SSM messages only when used", () => {
    expect(interfaceEndpoints({ containerParameters: false, exec: false })).toEqual(["ecr.api", "ecr.dkr", "logs", "secretsmanager"]);
    expect(interfaceEndpoints({ containerParameters: true, exec: true })).toEqual(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages"]);
  });

  it("admit only this account's principals through an interface endpoint", () => {
    expect(accountOnlyEndpointPolicy("123456789012").Statement).toEqual([
      {
        Sid: "PrincipalsOfThisAccountOnly",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "*",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } },
      },
    ]);
  });

  it("let the S3 gateway serve ECR's image layers of the region and nothing else", () => {
    expect(ecrLayersEndpointPolicy("aws", "eu-west-2").Statement).toEqual([
      {
        Sid: "EcrImageLayersOnly",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::prod-eu-west-2-starport-layer-bucket/*",
      },
    ]);
  });
});
