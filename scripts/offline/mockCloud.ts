/**
 * An in-process stand-in for AWS behind Pulumi's mock runtime: it answers each resource registration with
 * outputs shaped like the real ones (ids, ARNs, bucket names) and each data-source call with a plausible
 * answer, deterministically (derived from the resource's name), so a plan is stable from run to run.
 * Calls nobody taught it fail loudly instead of returning nothing.
 */
import { createECDH, createHash, createPrivateKey, sign } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { contentFingerprint, nextGeneration, planRoster, RosterError, ROSTER_TYPE, type PreviousRoster as PlannerPreviousRoster, type RosterInputs } from "../../components/access/roster/planner";
import { todayUtc } from "../../components/access/roster/clock";
import type { RosterOutputs } from "../../components/access/roster/rosterResource";
import type { RosterSigner } from "../../components/access/roster/signing";
import { STORED_CONFIGURATION_TYPE } from "../../components/cluster/storedConfiguration";
import { ROLLOUT_TYPE } from "../../components/access/roster/nodeStatus/rolloutResource";
import { previousState, type PreviousState, type StackExport } from "./stackState";

export const MOCK_ACCOUNT_ID = "123456789012";

/** AWS PCS resources (@pulumi/aws-native, from CloudFormation's AWS::PCS::*). */
const PCS_CLUSTER = "aws-native:pcs:Cluster";
const PCS_COMPUTE_NODE_GROUP = "aws-native:pcs:ComputeNodeGroup";
const PCS_QUEUE = "aws-native:pcs:Queue";

/** A PCS resource id as PCS writes them: `pcs_` and ten lowercase letters and digits. */
function pcsId(seed: string): string {
    return `pcs_${hex(seed, 10)}`;
}

/** Who runs `pulumi up` in the plan: an assumed-role session of this role (getSessionContext's issuerArn). */
export const MOCK_DEPLOYER_ROLE_ARN = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/pcluster-access-deployer`;

/** DER SubjectPublicKeyInfo header of an uncompressed P-256 point (RFC 5480: id-ecPublicKey, prime256v1). */
const P256_SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");

/**
 * A P-256 public key derived from `seed` (its private scalar is the seed's SHA-256), as KMS's GetPublicKey
 * returns one: base64 of the DER SubjectPublicKeyInfo. The same seed gives the same key on every run.
 */
export function mockPublicKey(seed: string): string {
    return Buffer.concat([P256_SPKI_PREFIX, mockKeyPair(seed).getPublicKey()]).toString("base64");
}

function mockKeyPair(seed: string) {
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(createHash("sha256").update(seed).digest());
    return ecdh;
}

/**
 * Signs as KMS would with the key mockPublicKey(seed) describes (ECDSA P-256 / SHA-256, DER), so the
 * plan's roster document carries a signature its own PUBKEY argument verifies.
 */
export function mockSigner(seed: string): RosterSigner {
    const pair = mockKeyPair(seed);
    const point = pair.getPublicKey();
    const key = createPrivateKey({
        key: { kty: "EC", crv: "P-256", d: pair.getPrivateKey().toString("base64url"), x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
        format: "jwk",
    });
    return (_digest, bytes) => sign("sha256", bytes, { key, dsaEncoding: "der" });
}

export interface MockCloudOptions {
    /** Region used in ARNs. */
    readonly region: string;
    /** Preview: return inputs only, so outputs computed by the cloud stay unknown (a first `pulumi preview`). */
    readonly preview?: boolean;
    /** IAM users that exist in the account; undefined: every name exists (the plan cannot know your account). */
    readonly existingIamUsers?: readonly string[];
    /** Tags of existing IAM users (another environment's `pcluster-access:uid`, say); default none. */
    readonly iamUserTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /** Subnet id to VPC id, for subnets that lie elsewhere than `defaultVpcId`. */
    readonly subnetVpcs?: Readonly<Record<string, string>>;
    /**
     * The stack's state from its last `pulumi up`, as `pulumi stack export` writes it (stackState.ts); default
     * none (a new stack). Each resource that keeps what it was given (the Roster's allocation and generation)
     * answers from it, and a StackReference to this stack reads its outputs.
     */
    readonly previousState?: StackExport;
    /** Outputs of other stacks by the name a StackReference gives (`organization/pcluster-access/users`). */
    readonly stackReferences?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    /** The stack's outputs from its last `pulumi up`, as a StackReference to itself reads them; default: previousState's, else none. */
    readonly previousOutputs?: Readonly<Record<string, unknown>>;
    /** The Roster's state from its last write (its allocation, users and generation); default: previousState's, else none (a first deploy: every user is new). */
    readonly previousRoster?: PlannerPreviousRoster & Partial<Pick<RosterOutputs, "contentSha256" | "versionId" | "signingKeyArn" | "publicKey">>;
    /** Instance types the region does not offer (getInstanceTypeOfferings leaves them out); default none: the plan cannot know. */
    readonly unofferedInstanceTypes?: readonly string[];
    /** The clock (ms since the epoch) for end dates and the roster's generation; default the time the cloud is made. */
    readonly now?: number;
    /** VPC of every other subnet looked up (the plan passes network.existing.vpcId). */
    readonly defaultVpcId?: string;
    /** Subnet id to availability zone; every other subnet gets a zone of its own (a, b, c, ... in lookup order). */
    readonly subnetZones?: Readonly<Record<string, string>>;
    /** What `pulumi up`'s wait for the nodes found (the NodeRollout's `result`), from its inputs; default: nothing waited (the plan has no nodes). */
    readonly nodeRollout?: (inputs: Readonly<Record<string, unknown>>) => Record<string, unknown>;
}

/** What the mock cloud takes from a Roster's previous state. */
export type PreviousRoster = NonNullable<MockCloudOptions["previousRoster"]>;

/** The Roster's last state in a stack's state: the one of this name, or the only one (an alias renamed the environment). */
export function rosterStateOf(previous: PreviousState, name: string): PreviousRoster | undefined {
    return (previous.outputsOf(ROSTER_TYPE, name) ?? previous.soleOutputsOf(ROSTER_TYPE)) as PreviousRoster | undefined;
}

export function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type State = Record<string, unknown>;

/** An error as the engine returns it over gRPC: the SDK shows `details` to the user. */
function cloudError(message: string): Error {
    return Object.assign(new Error(message), { details: message });
}

export class MockCloud implements pulumi.runtime.Mocks {
    /** Zones handed out to subnets the options do not place, so a plan's subnets are one per zone. */
    private readonly zonesGiven = new Map<string, string>();

    private readonly previous?: PreviousState;
    private readonly now: number;

    constructor(private readonly options: MockCloudOptions) {
        this.previous = options.previousState === undefined ? undefined : previousState(options.previousState);
        this.now = options.now ?? Date.now();
    }

    private previousRoster(name: string): PreviousRoster | undefined {
        return this.options.previousRoster ?? (this.previous === undefined ? undefined : rosterStateOf(this.previous, name));
    }

    /** What a StackReference named `name` reads: another stack's outputs, or this stack's own from its last `up`. */
    private referencedOutputs(name: string): Readonly<Record<string, unknown>> {
        const other = this.options.stackReferences?.[name];
        if (other !== undefined) {
            return other;
        }
        if (name === `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`) {
            return this.options.previousOutputs ?? this.previous?.outputs ?? {};
        }
        // Another stack nobody gave: as a stack with no outputs (the program then names what it misses, e.g. a pool
        // never planned), or the outputs a test stands in for every reference.
        return this.options.previousOutputs ?? {};
    }

    /** Text objects stored so far, by `https://bucket.s3.region.amazonaws.com/key`: what a template URL names. */
    private readonly objects = new Map<string, string>();

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
        const inputs = args.inputs as State;
        if (args.type === "pulumi:pulumi:StackReference") {
            // Read even in a preview, as the engine reads a stack reference.
            return { id: String(inputs.name), state: { name: inputs.name, outputs: { ...this.referencedOutputs(String(inputs.name)) }, secretOutputNames: [] } };
        }
        const id = this.idFor(args);
        if (args.type === "aws:s3/bucketObjectv2:BucketObjectv2" && typeof inputs.content === "string") {
            this.objects.set(`https://${String(inputs.bucket)}.s3.${this.options.region}.amazonaws.com/${String(inputs.key)}`, inputs.content);
        }
        if (this.options.preview) {
            return { id: "", state: inputs };
        }
        return { id, state: { ...inputs, ...this.outputsFor(args, id) } };
    }

    call(args: pulumi.runtime.MockCallArgs): State {
        const inputs = args.inputs as State;
        switch (args.token) {
            case "aws:iam/getUser:getUser": {
                const userName = String(inputs.userName);
                if (this.options.existingIamUsers && !this.options.existingIamUsers.includes(userName)) {
                    throw cloudError(`NoSuchEntity: The user with name ${userName} cannot be found.`);
                }
                return {
                    arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/${userName}`,
                    userName,
                    userId: `AIDA${hex(userName, 17).toUpperCase()}`,
                    path: "/",
                    id: userName,
                    tags: { ...this.options.iamUserTags?.[userName] },
                };
            }
            case "aws:lb/getLoadBalancer:getLoadBalancer": {
                // A login node pool's load balancer, found by the tags ParallelCluster gives it.
                const tags = (inputs.tags ?? {}) as Record<string, string>;
                const name = `${tags["parallelcluster:cluster-name"]}-${tags["parallelcluster:login-nodes-pool"]}`.slice(0, 24);
                const seed = JSON.stringify(tags);
                return {
                    arn: `arn:aws:elasticloadbalancing:${this.options.region}:${MOCK_ACCOUNT_ID}:loadbalancer/net/${name}/${hex(seed, 16)}`,
                    dnsName: `${name}-${hex(seed, 16)}.elb.${this.options.region}.amazonaws.com`,
                    loadBalancerType: "network",
                    internal: false,
                    tags,
                };
            }
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/pcluster-access-deployer/plan`,
                    userId: "AROAPLANDEPLOYER:plan",
                    id: MOCK_ACCOUNT_ID,
                };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:iam/getSessionContext:getSessionContext": {
                const arn = String(inputs.arn);
                const role = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
                return role
                    ? { arn, issuerArn: `arn:aws:iam::${role[1]}:role/${role[2]}`, issuerName: role[2], sessionName: role[3], issuerId: "AROAPLANDEPLOYER", id: arn }
                    : { arn, issuerArn: arn, issuerName: "", sessionName: "", issuerId: "", id: arn };
            }
            case "aws:kms/getPublicKey:getPublicKey": {
                // Deterministic per key, so a plan (and the PUBKEY argument in it) is the same on every run.
                const keyId = String(inputs.keyId);
                const publicKey = mockPublicKey(keyId);
                return {
                    id: keyId,
                    arn: keyId,
                    keyId,
                    customerMasterKeySpec: "ECC_NIST_P256",
                    keyUsage: "SIGN_VERIFY",
                    encryptionAlgorithms: [],
                    signingAlgorithms: ["ECDSA_SHA_256"],
                    publicKey,
                    publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${publicKey.replace(/.{64}/g, "$&\n")}\n-----END PUBLIC KEY-----\n`,
                    region: this.options.region,
                };
            }
            case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": {
                // Filtered by instance type, as the program asks: each type given is offered unless the options say not.
                const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
                const wanted = filters.find((filter) => filter.name === "instance-type")?.values ?? [];
                const offered = wanted.filter((type) => !this.options.unofferedInstanceTypes?.includes(type));
                const location = String(inputs.locationType ?? "region") === "region" ? this.options.region : `${this.options.region}a`;
                return { id: this.options.region, instanceTypes: offered, locations: offered.map(() => location), locationTypes: offered.map(() => String(inputs.locationType ?? "region")) };
            }
            case "aws:ec2/getVpc:getVpc":
                return { id: inputs.id, arn: `arn:aws:ec2:${this.options.region}:${MOCK_ACCOUNT_ID}:vpc/${inputs.id}`, cidrBlock: "10.0.0.0/16", state: "available" };
            case "aws:ec2/getAmi:getAmi": {
                // The AMI a name filter finds (PCS's sample AMIs, owner amazon): one per filter, stable.
                const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
                const pattern = filters.find((filter) => filter.name === "name")?.values[0] ?? "ami";
                const id = `ami-0${hex(pattern, 16)}`;
                return { id, imageId: id, name: pattern.replace(/\*$/, "-20261201"), ownerId: "amazon", architecture: pattern.includes("arm64") ? "arm64" : "x86_64", state: "available" };
            }
            case "aws:ec2/getSubnet:getSubnet": {
                const subnetId = String(inputs.id);
                const vpcId = this.options.subnetVpcs?.[subnetId] ?? this.options.defaultVpcId;
                return { id: subnetId, vpcId, availabilityZone: this.zoneOf(subnetId), cidrBlock: "10.0.1.0/24" };
            }
            default:
                throw cloudError(`the offline mock cloud has no answer for ${args.token}; teach scripts/offline/mockCloud.ts`);
        }
    }

    private zoneOf(subnetId: string): string {
        const given = this.options.subnetZones?.[subnetId] ?? this.zonesGiven.get(subnetId);
        if (given !== undefined) {
            return given;
        }
        const zone = `${this.options.region}${String.fromCharCode(97 + (this.zonesGiven.size % 26))}`;
        this.zonesGiven.set(subnetId, zone);
        return zone;
    }

    private idFor(args: pulumi.runtime.MockResourceArgs): string {
        const seed = `${args.type}::${args.name}`;
        switch (args.type) {
            case "aws:s3/bucket:Bucket":
                return `${args.name}-${hex(seed, 7)}`;
            case "aws:iam/user:User":
                return String((args.inputs as State).name ?? args.name);
            case "aws:iam/policy:Policy":
                // A policy given a name is named so in IAM (its ARN ends with it); else one is made from the resource name.
            case "aws:iam/role:Role":
            case "aws:iam/instanceProfile:InstanceProfile":
                // IAM names a role or profile as asked; otherwise Pulumi auto-names it.
                return typeof (args.inputs as State).name === "string" ? String((args.inputs as State).name) : `${args.name}-${hex(seed, 8)}`;
            case "pulumi-nodejs:dynamic/opsworks:Stack":
                return uuid(seed);
            case "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint":
                return `eice-0${hex(seed, 16)}`;
            case "aws:ec2/securityGroup:SecurityGroup":
                return `sg-0${hex(seed, 16)}`;
            case "aws:kms/key:Key":
                return uuid(seed);
            case ROSTER_TYPE:
                // The provider's id: where the document lives.
                return `${String((args.inputs as State).bucket)}/${String((args.inputs as State).key)}`;
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return `lt-0${hex(seed, 16)}`;
            case "aws:efs/fileSystem:FileSystem":
                return `fs-0${hex(seed, 16)}`;
            case "aws:efs/mountTarget:MountTarget":
                return `fsmt-0${hex(seed, 16)}`;
            case PCS_CLUSTER:
            case PCS_COMPUTE_NODE_GROUP:
            case PCS_QUEUE:
                // Cloud Control's identifier is the ARN; the resource's own id is `awsId` (pcs_ and 10 characters).
                return `arn:aws:pcs:${this.options.region}:${MOCK_ACCOUNT_ID}:${args.type.split(":")[2].replace(/^ComputeNodeGroup$/, "computenodegroup").toLowerCase()}/${pcsId(seed)}`;
            case "aws:cloudformation/stack:Stack":
                return `arn:aws:cloudformation:${this.options.region}:${MOCK_ACCOUNT_ID}:stack/${String((args.inputs as State).name ?? args.name)}/${uuid(seed)}`;
            default:
                return `${args.name}-${hex(seed, 8)}`;
        }
    }

    /**
     * The provider's own planning (rosterResource.ts), from the Roster's previous state: the same allocation,
     * and, as its diff decides, no write (the previous generation and version) when nothing changed.
     */
    private rosterOutputs(name: string, inputs: RosterInputs, seed: string): State {
        const previous = this.previousRoster(name);
        let planned: ReturnType<typeof planRoster>;
        try {
            planned = planRoster(previous, inputs, todayUtc(this.now));
        } catch (error) {
            throw error instanceof RosterError ? cloudError(error.message) : error;
        }
        const contentSha256 = contentFingerprint(planned);
        const unchanged =
            previous?.generation !== undefined &&
            previous.contentSha256 === contentSha256 &&
            previous.signingKeyArn === inputs.signingKeyArn &&
            previous.publicKey === inputs.publicKey;
        const generation = unchanged ? previous.generation! : nextGeneration(previous?.generation, this.now / 1000);
        return {
            allocation: planned.allocation,
            generation,
            contentSha256,
            url: `s3://${inputs.bucket}/${inputs.key}`,
            versionId: unchanged && previous.versionId !== undefined ? previous.versionId : hex(`${seed}:${generation}`, 32),
        };
    }

    private outputsFor(args: pulumi.runtime.MockResourceArgs, id: string): State {
        const inputs = args.inputs as State;
        const region = this.options.region;
        const seed = `${args.type}::${args.name}`;
        switch (args.type) {
            case "awsx:ec2:Vpc": {
                const zones = Number(inputs.numberOfAvailabilityZones ?? 2);
                const subnets = (kind: string) => Array.from({ length: zones }, (_, i) => `subnet-0${hex(`${seed}:${kind}:${i}`, 16)}`);
                return { vpcId: `vpc-0${hex(seed, 16)}`, publicSubnetIds: subnets("public"), privateSubnetIds: subnets("private"), isolatedSubnetIds: [] };
            }
            case "aws:iam/role:Role":
                return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role${String(inputs.path ?? "/")}${id}`, name: id, uniqueId: `AROA${hex(seed, 17).toUpperCase()}` };
            case "aws:iam/policy:Policy":
                return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${id}`, name: id, policyId: `ANPA${hex(seed, 17).toUpperCase()}` };
            case "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint":
                return { arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:instance-connect-endpoint/${id}`, dnsName: `${id}.${hex(seed, 8)}.ec2-instance-connect-endpoint.${region}.amazonaws.com`, preserveClientIp: inputs.preserveClientIp ?? true };
            case "aws:ec2/securityGroup:SecurityGroup":
                return { arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:security-group/${id}` };
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return { arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:launch-template/${id}`, latestVersion: 1, defaultVersion: 1 };
            case "aws:efs/fileSystem:FileSystem":
                return { arn: `arn:aws:elasticfilesystem:${region}:${MOCK_ACCOUNT_ID}:file-system/${id}`, dnsName: `${id}.efs.${region}.amazonaws.com` };
            case PCS_CLUSTER:
                return { arn: id, awsId: pcsId(seed), status: "ACTIVE", endpoints: [{ type: "SLURMCTLD", port: "6817", privateIpAddress: `10.0.0.${parseInt(hex(seed, 2), 16) % 250 + 4}` }] };
            case PCS_COMPUTE_NODE_GROUP:
            case PCS_QUEUE:
                return { arn: id, awsId: pcsId(seed), status: "ACTIVE" };
            case "aws:iam/instanceProfile:InstanceProfile":
                return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:instance-profile${String(inputs.path ?? "/")}${id}`, name: id };
            case "aws:iam/user:User":
                return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/${id}`, uniqueId: `AIDA${hex(seed, 17).toUpperCase()}` };
            case "aws:kms/key:Key":
                return { arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${id}`, keyId: id, keySpec: inputs.customerMasterKeySpec, multiRegion: false };
            case "aws:s3/bucket:Bucket":
                return { bucket: id, arn: `arn:aws:s3:::${id}`, region, bucketDomainName: `${id}.s3.amazonaws.com` };
            case "aws:s3/bucketObjectv2:BucketObjectv2":
                return { versionId: hex(seed, 32), etag: hex(`${seed}:etag`, 32) };
            case "pulumi-nodejs:dynamic/opsworks:Stack":
                return { stackId: id, arn: `arn:aws:opsworks:${region}:${MOCK_ACCOUNT_ID}:stack/${id}/` };
            case "aws:cloudformation/stack:Stack":
                return { outputs: stackOutputs(inputs, seed, region, (url) => this.objects.get(url)) };
            case ROSTER_TYPE:
                return this.rosterOutputs(args.name, inputs as unknown as RosterInputs, seed);
            case ROLLOUT_TYPE:
                // The offline plan has no nodes: nothing was waited for (so the program says nothing about it).
                return {
                    result: this.options.nodeRollout?.(inputs) ?? {
                        generation: inputs.generation, complete: false, live: 0, onGeneration: 0, stragglers: [], waitedSeconds: 0,
                        finishedAt: "1970-01-01T00:00:00.000Z", newlyRestricted: [], nudge: null, note: "not waited: the offline plan has no nodes",
                    },
                };
            case STORED_CONFIGURATION_TYPE:
                return { url: `s3://${inputs.bucket}/${inputs.key}`, versionId: hex(`${seed}:${String(inputs.text)}`, 32) };
            default:
                return {};
        }
    }
}

/**
 * A CloudFormation stack's outputs once it is complete: ParallelCluster's provider template gives its
 * three outputs; a template of our own gives each output a value shaped like the attribute it reads
 * (describe-cluster's flattened keys), so an unknown attribute fails loudly here as it would in AWS.
 */
function stackOutputs(inputs: State, seed: string, region: string, object: (url: string) => string | undefined): Record<string, string> {
    if (typeof inputs.templateUrl === "string" && inputs.templateUrl.endsWith("/templates/custom_resource/cluster.yaml")) {
        const suffix = uuid(seed);
        return {
            ServiceToken: `arn:aws:lambda:${region}:${MOCK_ACCOUNT_ID}:function:pcluster-cfn-${suffix}`,
            LogGroupArn: `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:/aws/lambda/pcluster-cfn-${suffix}`,
            LambdaLayerArn: `arn:aws:lambda:${region}:${MOCK_ACCOUNT_ID}:layer:PCLayer-${suffix}:1`,
        };
    }
    const body = typeof inputs.templateBody === "string" ? inputs.templateBody : typeof inputs.templateUrl === "string" ? object(inputs.templateUrl) : undefined;
    if (body === undefined) {
        throw cloudError(`stack ${String(inputs.name)}: its template is neither ParallelCluster's provider template, nor a template body, nor an object stored in this account`);
    }
    const template = JSON.parse(body) as { Outputs?: Record<string, { Value?: { "Fn::GetAtt"?: [string, string] } }> };
    const attributes: Record<string, string> = {
        clusterStatus: "CREATE_COMPLETE",
        "headNode.privateIpAddress": `10.0.0.${parseInt(hex(seed, 2), 16) % 250 + 4}`,
        "headNode.instanceId": `i-0${hex(seed, 16)}`,
        validationMessages: "[]",
    };
    return Object.fromEntries(
        Object.entries(template.Outputs ?? {}).map(([name, output]) => {
            const attribute = output.Value?.["Fn::GetAtt"]?.[1] ?? "";
            if (!(attribute in attributes)) {
                throw cloudError(`stack ${String(inputs.name)}: output ${name} reads ${attribute}, which ParallelCluster's custom resource does not always return`);
            }
            return [name, attributes[attribute]];
        }),
    );
}
