// Source: local/sim/SOURCES.md § aws/elbv2.ts
/**
 * Simulated Elastic Load Balancing v2 (awsQuery, XML). Load balancers are never created through this API: an NLB
 * appears when a LoadBalancer Service is created in a simulated cluster (see kube/cloud-controller.ts), and turns
 * `active` after its drawn duration.
 */
import type { SimAccount } from "../account.js";
import type { LoadBalancerRecord } from "../state.js";
import {
  AwsError,
  notImplemented,
  type QueryValue,
  queryList,
  queryResponse,
  type WireResponse,
  type XmlValue,
} from "./protocol.js";

const NAMESPACE = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

/** Canonical hosted zone of NLBs per region (what Route 53 alias records point at). */
const NLB_ZONE: Record<string, string> = { "eu-central-1": "Z3F0SRJ5LGBH90", "us-east-1": "Z26RNL4JYFTOTI" };

export function handleElbv2(
  sim: SimAccount,
  region: string,
  action: string,
  params: Record<string, QueryValue>,
  requestId: string,
): WireResponse {
  const lbs = sim.region(region).loadBalancers;
  switch (action) {
    case "DescribeLoadBalancers": {
      const arns = queryList(params.LoadBalancerArns);
      const names = queryList(params.Names);
      const found = lbs.filter(
        (lb) =>
          (!arns.length || arns.includes(lb.loadBalancerArn)) && (!names.length || names.includes(lb.loadBalancerName)),
      );
      for (const name of names)
        if (!found.some((lb) => lb.loadBalancerName === name))
          throw new AwsError("LoadBalancerNotFound", `One or more load balancers not found`);
      for (const arn of arns)
        if (!found.some((lb) => lb.loadBalancerArn === arn))
          throw new AwsError("LoadBalancerNotFound", `One or more load balancers not found`);
      const zoneOf = (subnetId: string) =>
        sim.region(region).subnets.find((s) => s.subnetId === subnetId)?.availabilityZone ?? region;
      // Pages of `PageSize` (botocore shape PageSize: integer, min 1, max 400; default 400, as moto's
      // elbv2/responses.py describe_load_balancers notes), `NextMarker` while more remain; the marker is opaque.
      const pageSize = Math.min(400, Math.max(1, Number(params.PageSize ?? 400) || 400));
      const start = params.Marker === undefined ? 0 : Number.parseInt(String(params.Marker).replace(/^page-/, ""), 10);
      // A marker this API never gave: the common query-API ValidationError (400), AWS "Common error types".
      if (!Number.isInteger(start) || start < 0 || start > found.length)
        throw new AwsError("ValidationError", "Invalid marker");
      const page = found.slice(start, start + pageSize);
      const next = start + pageSize < found.length ? `page-${start + pageSize}` : undefined;
      return queryResponse(action, NAMESPACE, requestId, {
        LoadBalancers: page.map((lb) => loadBalancerXml(region, lb, zoneOf)),
        ...(next ? { NextMarker: next } : {}),
      });
    }
    case "DescribeTags": {
      const arns = queryList(params.ResourceArns);
      return queryResponse(action, NAMESPACE, requestId, {
        TagDescriptions: arns.map((arn) => {
          const lb = lbs.find((x) => x.loadBalancerArn === arn);
          if (!lb) throw new AwsError("LoadBalancerNotFound", `Load balancer '${arn}' not found`);
          return { ResourceArn: arn, Tags: Object.entries(lb.tags).map(([Key, Value]) => ({ Key, Value })) };
        }),
      });
    }
    default:
      throw notImplemented("ELBv2", action);
  }
}

function loadBalancerXml(region: string, lb: LoadBalancerRecord, zoneOf: (subnetId: string) => string): XmlValue {
  return {
    LoadBalancerArn: lb.loadBalancerArn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: NLB_ZONE[region] ?? "Z0000000000000",
    CreatedTime: new Date(lb.createdAt).toISOString(),
    LoadBalancerName: lb.loadBalancerName,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: lb.state, ...(lb.stateReason ? { Reason: lb.stateReason } : {}) },
    Type: "network",
    AvailabilityZones: lb.subnetIds.map((subnetId, i) => ({
      ZoneName: zoneOf(subnetId),
      SubnetId: subnetId,
      LoadBalancerAddresses: lb.state === "active" && lb.addresses[i] ? [{ IpAddress: lb.addresses[i] }] : [],
    })),
    IpAddressType: "ipv4",
  };
}
