import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { afterEach, describe, expect, it } from "vitest";
import { awsClients } from "../../../functions/lib/aws.js";
import {
  ec2Client,
  eksClient,
  onResetAwsClients,
  regionalClients,
  resetAwsClients,
} from "../../../functions/lib/clients.js";

afterEach(() => resetAwsClients());

describe("per-client factories", () => {
  it("build one client per region, with three attempts, and reuse it", async () => {
    const eu = eksClient("eu-central-1");

    expect(eu).toBeInstanceOf(EKSClient);
    expect(eksClient("eu-central-1")).toBe(eu);
    expect(eksClient("us-east-1")).not.toBe(eu);
    expect(await eu.config.region()).toBe("eu-central-1");
    expect(await eu.config.maxAttempts()).toBe(3);
  });

  it("share one cache with the all-clients factory", () => {
    expect(awsClients("eu-central-1").ec2).toBe(ec2Client("eu-central-1"));
    expect(awsClients("eu-central-1").ec2).toBeInstanceOf(EC2Client);
  });

  it("forget every client, and what modules registered, on resetAwsClients", () => {
    const before = eksClient("eu-central-1");
    let reset = 0;
    onResetAwsClients(() => reset++);

    resetAwsClients();

    expect(eksClient("eu-central-1")).not.toBe(before);
    expect(reset).toBe(1);
  });
});

describe("regionalClients", () => {
  const aws = regionalClients({ eks: eksClient });

  it("gives the named clients of a region, from the shared cache", () => {
    expect(aws("eu-central-1").eks).toBe(eksClient("eu-central-1"));
  });

  it("refuses a client the handler did not name, naming it", () => {
    expect(() => aws("eu-central-1").ec2).toThrow(/reads the ec2 client but its handler does not name it/);
  });
});
