/**
 * The Karmada API's NLB, found by the DNS name the Service reports: KarmadaLoadBalancerStatus, DriftKarmada, the
 * Destroy inventory and DestroyKarmadaLoadBalancer all look it up this way.
 */
import {
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  paginateDescribeLoadBalancers,
} from "@aws-sdk/client-elastic-load-balancing-v2";

/** Finds the load balancer with this DNS name (DescribeLoadBalancers has no filter by DNS name: page through). */
export async function findLoadBalancerByDnsName(
  elbv2: ElasticLoadBalancingV2Client,
  hostname: string,
): Promise<LoadBalancer | undefined> {
  const wanted = hostname.toLowerCase();
  for await (const page of paginateDescribeLoadBalancers({ client: elbv2 }, {}))
    for (const lb of page.LoadBalancers ?? []) if (lb.DNSName?.toLowerCase() === wanted) return lb;
  return undefined;
}
