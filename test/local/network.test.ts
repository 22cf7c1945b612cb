/**
 * Networks as EKS and the cloud provider see them, on the simulated cloud: the simulator refuses what EKS and EC2
 * refuse, and the default world's `karmada-vpc-<variant>` VPCs each exercise one of preflight's network rules in a
 * whole local Deploy.
 */
import {
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  GetInstanceTypesFromInstanceRequirementsCommand,
} from "@aws-sdk/client-ec2";
import { CreateClusterCommand } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveInstanceTypes } from "../../functions/preflight/instanceTypes.js";
import { runLocal } from "../../local/run.js";
import type { SimAccount } from "../../local/sim/account.js";
import { findElbSubnets } from "../../local/sim/kube/cloud.js";
import type { SimState } from "../../local/sim/state.js";
import { clientsFor, startAccount, useRealAwsClients } from "./support.js";

let sim: SimAccount;

beforeAll(async () => {
  useRealAwsClients();
  sim = await startAccount();
});
afterAll(() => sim.stop());

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: Error & { validZones?: string[]; clusterName?: string }) => e,
  );

async function subnetsOf(region: string, vpcName: string) {
  const { ec2 } = clientsFor(sim, region);
  const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: [vpcName] }] }));
  const vpcId = vpcs.Vpcs?.[0]?.VpcId as string;
  const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
  return { vpcId, subnets: subnets.Subnets ?? [] };
}

describe("simulated EC2 zones and routes", () => {
  it("tells Local and Wavelength Zones from Availability Zones, and maps us-east-1e to use1-az3", async () => {
    const { ec2 } = clientsFor(sim, "us-east-1");

    const out = await ec2.send(
      new DescribeAvailabilityZonesCommand({
        ZoneNames: ["us-east-1a", "us-east-1e", "us-east-1-bos-1a", "us-east-1-wl1-bos-wlz-1"],
        AllAvailabilityZones: true,
      }),
    );

    expect(out.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.ZoneType])).toEqual([
      ["us-east-1a", "use1-az1", "availability-zone"],
      ["us-east-1e", "use1-az3", "availability-zone"],
      ["us-east-1-bos-1a", "use1-bos1-az1", "local-zone"],
      ["us-east-1-wl1-bos-wlz-1", "use1-wl1-bos-wlz1", "wavelength-zone"],
    ]);
  });

  it("routes the nat-instance VPC's private subnets to a NAT instance's network interface (fck-nat)", async () => {
    const { vpcId } = await subnetsOf("eu-central-1", "karmada-vpc-nat-instance");
    const { ec2 } = clientsFor(sim, "eu-central-1");

    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));

    const defaults = (tables.RouteTables ?? []).flatMap((t) =>
      (t.Routes ?? []).filter((r) => r.DestinationCidrBlock === "0.0.0.0/0"),
    );
    expect(
      defaults.filter((r) => r.InstanceId?.startsWith("i-") && r.NetworkInterfaceId?.startsWith("eni-")),
    ).toHaveLength(3);
    expect(defaults.some((r) => r.NatGatewayId)).toBe(false);
  });
});

describe("simulated EC2 instance type selection", () => {
  it("honours AcceleratorCount, LocalStorage(Types) and BareMetal like EC2", async () => {
    const { ec2 } = clientsFor(sim);
    const ask = async (extra: Record<string, unknown>) => {
      const out = await ec2.send(
        new GetInstanceTypesFromInstanceRequirementsCommand({
          ArchitectureTypes: ["x86_64"],
          VirtualizationTypes: ["hvm"],
          InstanceRequirements: { VCpuCount: { Min: 4, Max: 4 }, MemoryMiB: { Min: 16384, Max: 32768 }, ...extra },
        }),
      );
      return (out.InstanceTypes ?? []).map((t) => t.InstanceType);
    };

    const everything = await ask({});
    expect(everything).toEqual(expect.arrayContaining(["g4dn.xlarge", "g5.xlarge", "d3.xlarge", "m6i.xlarge"]));
    expect(await ask({ AcceleratorCount: { Max: 0 } })).not.toEqual(expect.arrayContaining(["g4dn.xlarge"]));
    expect(await ask({ AcceleratorCount: { Min: 1 } })).toEqual(["g4dn.xlarge", "g5.xlarge"]);
    expect(await ask({ LocalStorageTypes: ["ssd"] })).not.toContain("d3.xlarge");
    expect(await ask({ LocalStorage: "excluded" })).toEqual(["m5.xlarge", "m6i.xlarge", "m7i.xlarge", "r6i.xlarge"]);
  });

  it("4 vCPUs / 16 GiB never resolve to a GPU or d3-class type, and prefer current general-purpose families", async () => {
    const { ec2 } = clientsFor(sim);

    const types = await resolveInstanceTypes(
      ec2,
      "eu-central-1",
      { count: 3, vcpus: 4, memoryGiB: 16, arch: "x86_64" },
      "test",
    );

    expect(types.instanceTypes).toEqual(["m7i.xlarge", "m6id.xlarge"]);
  });
});

describe("simulated EKS CreateCluster", () => {
  const create = (name: string, subnetIds: string[]) =>
    clientsFor(sim, "us-east-1").eks.send(
      new CreateClusterCommand({
        name,
        roleArn: `arn:aws:iam::${sim.state.account}:role/eko-eks-cluster`,
        resourcesVpcConfig: { subnetIds },
      }),
    );

  it.each([
    ["an Availability Zone EKS does not support (us-east-1e = use1-az3)", "karmada-vpc-unsupported-az", "us-east-1e"],
    ["a Local Zone", "karmada-vpc-local-zone", "us-east-1-bos-1a"],
  ])("answers UnsupportedAvailabilityZoneException with validZones for a subnet in %s", async (_case, vpc, zone) => {
    const { subnets } = await subnetsOf("us-east-1", vpc);

    const error = await errorOf(
      create(
        `refused-${zone}`,
        subnets.map((s) => s.SubnetId as string),
      ),
    );

    expect(error?.name).toBe("UnsupportedAvailabilityZoneException");
    expect(error?.message).toContain(`because ${zone}, the targeted availability zone`);
    expect(error?.validZones).toEqual(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"]);
    expect(error?.clusterName).toBe(`refused-${zone}`);
  });
});

describe("simulated cloud provider (load balancer subnets)", () => {
  const clusterIn = (vpcId: string, name = "c1") => ({ name, vpcId }) as Parameters<typeof findElbSubnets>[2];

  it("finds public subnets by their igw route, without the role tag, one per zone, none in a Local Zone", async () => {
    const { vpcId, subnets } = await subnetsOf("eu-central-1", "karmada-vpc-local-zone");
    for (const s of sim.region("eu-central-1").subnets) if (s.vpcId === vpcId) delete s.tags["kubernetes.io/role/elb"];

    const chosen = findElbSubnets(sim, "eu-central-1", clusterIn(vpcId), false);

    const publicInZones = subnets
      .filter((s) => s.MapPublicIpOnLaunch && !s.AvailabilityZone?.includes("-ham-"))
      .map((s) => s.SubnetId);
    expect(chosen.sort()).toEqual(publicInZones.sort());
    expect(chosen).toHaveLength(3);
  });

  it("skips subnets tagged for another cluster, unless also tagged for this one", async () => {
    const { vpcId } = await subnetsOf("eu-central-1", "karmada-vpc-other-cluster");

    expect(findElbSubnets(sim, "eu-central-1", clusterIn(vpcId), false)).toEqual([]);
    expect(findElbSubnets(sim, "eu-central-1", clusterIn(vpcId, "legacy-app"), false)).toHaveLength(3);
  });
});

describe("simulated cloud provider (service controller)", () => {
  async function serviceIn(cluster: string, vpcName: string, sourceRanges: string[]) {
    const { subnets } = await subnetsOf("eu-central-1", vpcName);
    await clientsFor(sim).eks.send(
      new CreateClusterCommand({
        name: cluster,
        roleArn: `arn:aws:iam::${sim.state.account}:role/eko-eks-cluster`,
        resourcesVpcConfig: { subnetIds: subnets.map((s) => s.SubnetId as string) },
      }),
    );
    const record = sim.region("eu-central-1").clusters[cluster];
    if (!record) throw new Error("cluster not created");
    const store = sim.clusterStore(record);
    // As the API server does on a create: the write reaches the service controller.
    store.create(store.typeOf("v1", "Service"), "default", {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "lb",
        namespace: "default",
        annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" },
      },
      spec: { type: "LoadBalancer", loadBalancerSourceRanges: sourceRanges, ports: [{ port: 443, protocol: "TCP" }] },
    });
    const events = store.list(store.typeOf("v1", "Event"), "default").map((e) => String(e.message));
    const nlb = sim.region("eu-central-1").loadBalancers.find((lb) => lb.owner === `${cluster}/default/lb`);
    return { events, nlb };
  }

  it("gives an NLB no IPv6 source range: the Service gets a SyncLoadBalancerFailed event instead", async () => {
    const { events, nlb } = await serviceIn("svc-ipv6", "karmada-vpc", ["203.0.113.0/24", "2001:db8::/32"]);

    expect(nlb).toBeUndefined();
    expect(events).toContainEqual(expect.stringContaining("CIDR block 2001:db8::/32"));
  });

  it("finds no subnet in a VPC whose public subnets belong to another cluster", async () => {
    const { events, nlb } = await serviceIn("svc-claimed", "karmada-vpc-other-cluster", ["203.0.113.0/24"]);

    expect(nlb).toBeUndefined();
    expect(events).toContainEqual(expect.stringContaining("could not find any suitable subnets for creating the ELB"));
  });

  it("makes the NLB in the untagged public subnets of a VPC for an IPv4 source range", async () => {
    const { vpcId } = await subnetsOf("eu-central-1", "karmada-vpc-nat-instance");
    for (const s of sim.region("eu-central-1").subnets) if (s.vpcId === vpcId) delete s.tags["kubernetes.io/role/elb"];

    const { nlb } = await serviceIn("svc-ok", "karmada-vpc-nat-instance", ["203.0.113.0/24"]);

    expect(nlb?.subnetIds).toHaveLength(3);
  });
});

/** The subnets of a VPC of the account after a run, by id. */
const worldSubnets = (state: SimState, region: string) =>
  new Map((state.regions[region]?.subnets ?? []).map((s) => [s.subnetId, s]));

describe("local runs on the world's network variants", () => {
  const plan = (overrides: Record<string, unknown>) => ({
    deploymentName: "net",
    region: "eu-central-1",
    vpc: { name: "karmada-vpc" },
    members: [{ name: "member1" }],
    karmada: { allowedCidrs: ["203.0.113.0/24"] },
    ...overrides,
  });
  const run = (input: unknown) => runLocal({ input, seed: 11, startMs: Date.UTC(2030, 0, 1) });

  it("karmada-vpc-nat-instance: nodes run in the private subnets behind the NAT instance", async () => {
    const result = await run(plan({ vpc: { name: "karmada-vpc-nat-instance" } }));

    expect(result.status).toBe("SUCCEEDED");
    const subnets = worldSubnets(result.state, "eu-central-1");
    const nodegroup = result.state.regions["eu-central-1"]?.clusters["net-parent"]?.nodegroups["parent-nodes"];
    expect(nodegroup?.subnets.map((id) => subnets.get(id)?.tags.Name)).toEqual(
      expect.arrayContaining([expect.stringContaining("-private-")]),
    );
    expect(nodegroup?.subnets.every((id) => subnets.get(id)?.mapPublicIpOnLaunch === false)).toBe(true);
  }, 30_000);

  it("karmada-vpc-unsupported-az: the us-east-1e subnets never reach CreateCluster, and the Summary says why", async () => {
    const result = await run(
      plan({ members: [{ name: "member1", region: "us-east-1", vpc: { name: "karmada-vpc-unsupported-az" } }] }),
    );

    expect(result.status).toBe("SUCCEEDED");
    const subnets = worldSubnets(result.state, "us-east-1");
    const cluster = result.state.regions["us-east-1"]?.clusters["net-member1"];
    expect(cluster?.subnetIds.map((id) => subnets.get(id)?.availabilityZone)).not.toContain("us-east-1e");
    expect(cluster?.subnetIds).toHaveLength(6);
    expect((result.output as { notes: string[] }).notes).toContainEqual(
      expect.stringMatching(/is in Availability Zone us-east-1e \(use1-az3\), which EKS does not support/),
    );
  }, 30_000);

  it("karmada-vpc-local-zone: the Local Zone subnet reaches neither CreateCluster nor the Karmada NLB", async () => {
    const result = await run(plan({ vpc: { name: "karmada-vpc-local-zone" } }));

    expect(result.status).toBe("SUCCEEDED");
    const region = result.state.regions["eu-central-1"];
    const subnets = worldSubnets(result.state, "eu-central-1");
    const zonesOf = (ids: string[] = []) => ids.map((id) => subnets.get(id)?.availabilityZone);
    expect(zonesOf(region?.clusters["net-parent"]?.subnetIds)).not.toContain("eu-central-1-ham-1a");
    const nlb = region?.loadBalancers.find((lb) => lb.owner.startsWith("net-parent/"));
    expect(zonesOf(nlb?.subnetIds)).toEqual(["eu-central-1a", "eu-central-1b", "eu-central-1c"]);
    expect((result.output as { notes: string[] }).notes).toContainEqual(
      expect.stringContaining("is in Local Zone eu-central-1-ham-1a"),
    );
  }, 30_000);

  it("karmada-vpc-other-cluster as the parent's VPC: preflight fails naming the other cluster's tag, nothing is created", async () => {
    const result = await run(plan({ vpc: { name: "karmada-vpc-other-cluster" } }));

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("SubnetsInsufficient");
    expect(result.cause).toContain("kubernetes.io/cluster/legacy-app");
    expect(result.cause).toContain("Key=kubernetes.io/cluster/net-parent,Value=shared");
    expect(result.state.regions["eu-central-1"]?.clusters["net-parent"]).toBeUndefined();
  }, 30_000);

  it("karmada-vpc-other-cluster as a member's VPC: no load balancer there, so the member deploys", async () => {
    const result = await run(plan({ members: [{ name: "member1", vpc: { name: "karmada-vpc-other-cluster" } }] }));

    expect(result.status).toBe("SUCCEEDED");
  }, 30_000);
});
