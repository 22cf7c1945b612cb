/**
 * The simulated AWS account as one plain JSON document, so `--state <dir>` can keep it between runs.
 * Times are simulated epoch milliseconds. Statuses that change with time (CREATING → ACTIVE, provisioning →
 * active, a build finishing) are stored with the instant they change at and materialized by `SimAccount.tick`,
 * which makes every observation exact whenever it happens.
 */
import type { CertPem } from "./pki.js";
import type { InstanceTypeSpec } from "./world.js";

export const STATE_VERSION = 1;

export interface Tagged {
  tags: Record<string, string>;
}

export interface VpcRecord extends Tagged {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
}

export interface SubnetRecord extends Tagged {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  cidrBlock: string;
  mapPublicIpOnLaunch: boolean;
}

export interface RouteRecord {
  /** IPv4 destination; absent on an IPv6 route. */
  destinationCidrBlock?: string;
  /** IPv6 destination (botocore ec2 2016-11-15 `Route.DestinationIpv6CidrBlock`). */
  destinationIpv6CidrBlock?: string;
  /** An egress-only internet gateway (IPv6 only; botocore ec2 2016-11-15 `Route.EgressOnlyInternetGatewayId`). */
  egressOnlyInternetGatewayId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  /** A NAT instance route (e.g. fck-nat): EC2 reports the instance and its network interface. */
  instanceId?: string;
  networkInterfaceId?: string;
  transitGatewayId?: string;
}

export interface RouteTableRecord extends Tagged {
  routeTableId: string;
  vpcId: string;
  main: boolean;
  routes: RouteRecord[];
  /** Explicitly associated subnets. */
  subnetIds: string[];
}

/** An internet gateway created through the API (the world's own are `RegionState.internetGateways`). */
export interface InternetGatewayRecord extends Tagged {
  internetGatewayId: string;
  /** The VPC it is attached to. */
  vpcId?: string;
}

/** An Elastic IP address (AllocateAddress). */
export interface AddressRecord extends Tagged {
  allocationId: string;
  publicIp: string;
  /** The NAT gateway using it (until that gateway is deleted). */
  natGatewayId?: string;
}

/**
 * A NAT gateway created through the API. Its state follows from the instants: `pending` until `availableAt`, then
 * `available`; after DeleteNatGateway `deleting` until `deletedAt`, then `deleted` (EC2 keeps showing deleted
 * gateways for about an hour). `failure` makes it `failed` at `availableAt`.
 */
export interface NatGatewayRecord extends Tagged {
  natGatewayId: string;
  vpcId: string;
  subnetId: string;
  allocationId: string;
  createdAt: number;
  availableAt: number;
  deleteRequestedAt?: number;
  deletedAt?: number;
  failure?: { code: string; message: string };
  /**
   * `private`: a private NAT gateway, which has no Elastic IP (botocore ec2 2016-11-15 `NatGateway.ConnectivityType`,
   * enum public | private). @default "public"
   */
  connectivityType?: "public" | "private";
}

export interface Issue {
  code: string;
  message: string;
  resourceIds?: string[];
}

export interface NodegroupRecord extends Tagged {
  nodegroupName: string;
  nodegroupArn: string;
  createdAt: number;
  /** When it turns ACTIVE (or CREATE_FAILED, with `failure`). */
  readyAt: number;
  status: string;
  failure?: Issue;
  /** While DELETING: when it is gone. */
  deleteAt?: number;
  scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
  instanceTypes: string[];
  amiType: string;
  subnets: string[];
  nodeRole: string;
  labels: Record<string, string>;
  capacityType: string;
  diskSize?: number;
  clientRequestToken?: string;
  version: string;
}

export interface AddonRecord extends Tagged {
  addonName: string;
  addonArn: string;
  addonVersion: string;
  createdAt: number;
  status: string;
  /** When it turned ACTIVE / DEGRADED (known once a node group is ACTIVE). */
  readyAt?: number;
  failure?: Issue;
  /** While DELETING: when it is gone. */
  deleteAt?: number;
  serviceAccountRoleArn?: string;
  podIdentityAssociations: { serviceAccount: string; roleArn: string; associationArn: string }[];
  configurationValues?: string;
  clientRequestToken?: string;
}

export interface AccessPolicyRecord {
  policyArn: string;
  accessScope: { type: string; namespaces?: string[] };
  associatedAt: number;
}

export interface AccessEntryRecord extends Tagged {
  principalArn: string;
  accessEntryArn: string;
  type: string;
  username: string;
  kubernetesGroups: string[];
  createdAt: number;
  policies: AccessPolicyRecord[];
}

/** A Kubernetes object as stored (plain JSON). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  // biome-ignore lint/suspicious/noExplicitAny: objects are arbitrary JSON
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: objects are arbitrary JSON
  status?: any;
  [key: string]: unknown;
}

/** One Kubernetes API's objects. */
export interface KubeStoreState {
  objects: Record<string, KubeObject>;
  revision: number;
  nextClusterIp: number;
  /** Simulated side data per object key (e.g. when a Deployment's rollout completes); not served. */
  sim: Record<string, { createdAt: number; changedAt: number; availableAt?: number }>;
}

/** The Karmada control plane `kubectl karmada init` installed on a parent cluster. */
export interface KarmadaRecord {
  version: string;
  initializedAt: number;
  /** `kubectl karmada init --cert-validity-period`, in days. */
  certValidityDays: number;
  apiserverReplicas: number;
  etcdReplicas: number;
  /** NLB the kubeconfig was made for. */
  nlbHostname: string;
  ca: CertPem;
  serving: CertPem;
  /** The admin client certificate of the kubeconfig (CN system:admin, O system:masters). */
  admin: CertPem;
  /** Port of the simulated Karmada API server on 127.0.0.1 (kept so the stored kubeconfig stays valid). */
  apiPort: number;
  /** Where init stored the kubeconfig (how joins find this Karmada). */
  kubeconfigSecret: { region: string; name: string };
  /** Joined members: Karmada cluster name → the EKS cluster behind it. */
  members: Record<string, { region: string; clusterName: string; joinedAt: number }>;
  store: KubeStoreState;
}

export interface ClusterRecord extends Tagged {
  name: string;
  arn: string;
  version: string;
  platformVersion: string;
  roleArn: string;
  createdAt: number;
  /** When it turns ACTIVE (or FAILED, with `failure`). */
  readyAt: number;
  status: string;
  failure?: Issue;
  /** While DELETING: when it is gone. */
  deleteAt?: number;
  vpcId: string;
  subnetIds: string[];
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
  authenticationMode: string;
  bootstrapClusterCreatorAdminPermissions: boolean;
  /** The principal that created the cluster. */
  creatorArn: string;
  clientRequestToken?: string;
  /** Port of this cluster's Kubernetes API on 127.0.0.1 (stable across runs when free). */
  apiPort: number;
  ca: CertPem;
  serving: CertPem;
  nodegroups: Record<string, NodegroupRecord>;
  addons: Record<string, AddonRecord>;
  accessEntries: Record<string, AccessEntryRecord>;
  kube: KubeStoreState;
  karmada?: KarmadaRecord;
}

export interface LoadBalancerRecord extends Tagged {
  loadBalancerArn: string;
  loadBalancerName: string;
  dnsName: string;
  createdAt: number;
  /** When it turns active; `Infinity` (stored as null) when it never does. */
  activeAt: number | null;
  state: string;
  /** DescribeLoadBalancers `State.Reason` (botocore elbv2 shape LoadBalancerState.Reason), e.g. why it failed. */
  stateReason?: string;
  scheme: string;
  vpcId: string;
  subnetIds: string[];
  /** One public IPv4 per subnet (what the DNS name resolves to once active). */
  addresses: string[];
  /** `<cluster>/<namespace>/<service>` that owns it. */
  owner: string;
  /** Once its Service is deleted: when the controller has deleted it (it is listed until then). */
  deleteAt?: number;
}

export interface SecretVersion {
  versionId: string;
  secretString?: string;
  secretBinary?: string;
  createdAt: number;
  stages: string[];
}

export interface SecretRecord extends Tagged {
  name: string;
  arn: string;
  kmsKeyId?: string;
  description?: string;
  createdAt: number;
  lastChangedAt: number;
  deletedAt?: number;
  versions: SecretVersion[];
}

export interface BuildRecord {
  id: string;
  arn: string;
  projectName: string;
  buildNumber: number;
  startTime: number;
  /** When the build finishes. */
  endTime: number;
  /** Final status, decided at start (the outcome is determined by the world at the time it acts). */
  outcome?: "SUCCEEDED" | "FAILED" | "STOPPED";
  /** Why it failed, as the build log would say. */
  reason?: string;
  /** Whether its effect on the world was applied. */
  applied: boolean;
  environment: Record<string, string>;
  initiator: string;
}

/** A DynamoDB table: items in wire form, keyed by their key attributes. */
export interface TableRecord {
  name: string;
  hashKey: string;
  rangeKey?: string;
  // biome-ignore lint/suspicious/noExplicitAny: items are arbitrary AttributeValue maps
  items: Record<string, Record<string, any>>;
}

/** A Step Functions execution started through the API (StartExecution); the runner runs follow-ups. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";
  startDate: number;
  stopDate?: number;
  error?: string;
  cause?: string;
  output?: string;
  /**
   * The events between ExecutionStarted and the closing event, oldest first (GetExecutionHistory numbers them and
   * adds those two). Seeded by tests; the local runner records none.
   */
  history?: HistoryEventRecord[];
}

/** One event of an execution's history (botocore stepfunctions shape `HistoryEvent`, type enum `HistoryEventType`). */
export interface HistoryEventRecord {
  type: string;
  timestamp: number;
  /** The state's name, for `<Type>StateEntered` / `<Type>StateExited` events (`stateEnteredEventDetails.name`). */
  state?: string;
}

/** An EventBridge event put on a bus. */
export interface EventRecord {
  region: string;
  eventId: string;
  time: number;
  eventBusName: string;
  source: string;
  detailType: string;
  resources: string[];
  detail: unknown;
}

/** One CloudWatch metric datum. */
export interface MetricRecord {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  value: number;
  unit?: string;
  timestamp: number;
}

export interface RegionState {
  vpcs: VpcRecord[];
  subnets: SubnetRecord[];
  routeTables: RouteTableRecord[];
  internetGateways: string[];
  natGateways: string[];
  /** Internet gateways, Elastic IPs and NAT gateways created through the API (absent in older saved accounts). */
  createdInternetGateways?: InternetGatewayRecord[];
  addresses?: AddressRecord[];
  createdNatGateways?: NatGatewayRecord[];
  clusters: Record<string, ClusterRecord>;
  loadBalancers: LoadBalancerRecord[];
  secrets: Record<string, SecretRecord>;
  builds: BuildRecord[];
  /** DynamoDB tables (absent in accounts saved before they were simulated). */
  tables?: Record<string, TableRecord>;
  /**
   * `clientRequestToken`s of EKS creates whose cluster or node group is gone, with the answer the create gave: EKS
   * answers a reused token with the earlier request's result (see local/sim/aws/eks.ts `answerReusedToken`).
   */
  usedTokens?: Record<string, { kind: "cluster" | "nodegroup"; answer: Record<string, unknown> }>;
  /**
   * The Kubernetes versions EKS offers in this region with their support status (DescribeClusterVersions).
   * @default world.ts EKS_VERSIONS, all in standard support
   */
  eksVersions?: { version: string; status: "STANDARD_SUPPORT" | "EXTENDED_SUPPORT" | "UNSUPPORTED" }[];
  /** The instance types EC2 offers in this region (regions differ). @default world.ts INSTANCE_TYPES */
  instanceTypes?: InstanceTypeSpec[];
}

export interface SimState {
  version: typeof STATE_VERSION;
  account: string;
  seed: number;
  /** Simulated time when the account was last saved. */
  nowMs: number;
  /** Position of the identifier stream. */
  randomPosition: number;
  counters: Record<string, number>;
  regions: Record<string, RegionState>;
  /** Step Functions executions started through the API. */
  executions?: ExecutionRecord[];
  /** EventBridge events put (every bus). */
  events?: EventRecord[];
  /** CloudWatch metric data put. */
  metrics?: MetricRecord[];
}

export const emptyRegion = (): RegionState => ({
  vpcs: [],
  subnets: [],
  routeTables: [],
  internetGateways: [],
  natGateways: [],
  clusters: {},
  loadBalancers: [],
  secrets: {},
  builds: [],
  tables: {},
});

export const emptyKubeStore = (): KubeStoreState => ({ objects: {}, revision: 1, nextClusterIp: 10, sim: {} });
