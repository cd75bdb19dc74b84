/**
 * The stack config schema: the shape of each key under the `pcluster-access` namespace, field by field.
 * Rules that need several fields at once (format-dependent limits, uniqueness, SSH usernames) live in
 * rules.ts; this file only says what each value may be, with the default it takes when omitted.
 */
import { z } from "zod";
import { AMI_ID, STACK_ID, SUBNET_ID, VPC_ID } from "../awsIds";
import { checkSshPublicKey } from "../sshPublicKey";
import { FSX_FILE_SYSTEM_ID_PATTERN, QUEUE_UPDATE_STRATEGIES } from "./parallelClusterRules";
import { OPSWORKS_DEFAULT_MAX_ATTEMPTS } from "./opsworksDefaults";
import { ROSTER_DEFAULTS } from "./rosterDefaults";
import { instanceTypeProblem } from "./instanceTypes";

const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

const instanceType = z.string().superRefine((value, context) => {
    const problem = instanceTypeProblem(value);
    if (problem !== undefined) {
        context.addIssue({ code: "custom", message: problem });
    }
});

const rootVolumeSize = z
    .number()
    .int({ error: "must be a whole number of GiB" })
    // The minimum is the AMI's, which depends on the release (rules.ts, releases.ts).
    .positive({ error: "must be a positive number of GiB" })
    .max(65536, { error: "must be at most 65536 GiB" });

const computeResource = z.strictObject({
    /** Default: derived from the instance type (c5n.18xlarge gives c5n.18xl in v2, c5n-18xl in v3). */
    name: z.string().optional(),
    instanceType,
    minCount: z.number().int().min(0).default(0),
    maxCount: z.number().int().min(1, { error: "must be at least 1" }).default(10),
});

const queue = z.strictObject({
    name: z.string(),
    computeResources: z.array(computeResource).min(1, { error: "must list at least one compute resource" }),
    /** Elastic Fabric Adapter on every compute resource of the queue. Default false. */
    efa: z.boolean().default(false),
    /** `DYNAMIC` (ParallelCluster creates one) or the name of an existing placement group. */
    placementGroup: z.string().min(1).optional(),
    /** One thread per core. Default false. */
    disableHyperthreading: z.boolean().default(false),
    capacityType: z.enum(["ondemand", "spot"]).default("ondemand"),
});

const fsx = z
    .strictObject({
        /** v2 section name and v3 SharedStorage name. Default `fsx`. */
        name: z.string().regex(/^[a-z][a-z0-9-]{0,29}$/, { error: "must be lowercase letters, digits and '-', starting with a letter" }).default("fsx"),
        mountDir: z.string().regex(/^\/[A-Za-z0-9_./-]*[A-Za-z0-9_-]$/, { error: "must be an absolute path such as /fsx" }),
        storageCapacity: z.number().int().positive().optional(),
        deploymentType: z.string().optional(),
        perUnitStorageThroughput: z.number().int().optional(),
        /** Mount this existing file system instead of creating one. */
        fileSystemId: z.string().regex(FSX_FILE_SYSTEM_ID_PATTERN, { error: "must be a file system id such as fs-0123456789abcdef0" }).optional(),
    });

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]{1,64}$/;

const loginNodePool = z.strictObject({
    /** Same rule as a queue name (ParallelCluster's NameValidator). */
    name: z.string(),
    instanceType,
    /** Nodes in the pool. Default 1 (ParallelCluster's). */
    count: z.number().int({ error: "must be a whole number" }).min(0, { error: "must be at least 0" }).default(1),
    /**
     * The pool's own EC2 key pair (`Ssh.KeyName`). Default: none written, so the pool lets in the head
     * node's (cluster.keyName). Deprecated in ParallelCluster 3.14, refused from 3.15 (releases.ts).
     */
    keyName: z.string().min(1).optional(),
});

/** Which service runs the cluster: ParallelCluster (default) or AWS PCS (pcsRules.ts, the `pcs` section). */
export const CLUSTER_SERVICES = ["parallelcluster", "pcs"] as const;

const headNode = z.strictObject({
    instanceType,
    /** Default: ParallelCluster's own. */
    rootVolumeSize: rootVolumeSize.optional(),
});

const cluster = z.strictObject({
    /** Default parallelcluster. With pcs the cluster is parsed by pcsCluster below and resolved by pcsRules.ts. */
    service: z.enum(CLUSTER_SERVICES).optional(),
    name: z.string(),
    /** The previous cluster.name, set in the edit that renames: the same resources move to the new name. */
    renamedFrom: z.string().optional(),
    format: z.enum(["v3", "v2"]).default("v3"),
    os: z.string(),
    /**
     * The nodes' image instead of ParallelCluster's official AMI for `os` (v3 `Image.CustomAmi`, v2
     * `custom_ami`): required for an OS without official AMIs (rocky8, rocky9; releases.ts), allowed for any.
     */
    customAmi: z.string().regex(AMI_ID, { error: "must be an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 lowercase letters or digits)" }).optional(),
    /** EC2 key pair for the OS default user (the administrators' own way in). */
    keyName: z.string().min(1),
    /**
     * Where SSH to the head node (and login nodes) may come from: an IPv4 CIDR block, or a prefix list id
     * (v3). Default: DEFAULT_SSH_ALLOWED_IPS, ParallelCluster's own (anywhere).
     */
    sshAllowedIps: z.string().optional(),
    headNode,
    /** Root volume of every compute node. Default: ParallelCluster's own. */
    computeRootVolumeSize: rootVolumeSize.optional(),
    /** Items are parsed one by one (itemSchemas.queue) so each bad queue is reported on its own. */
    queues: z.array(z.unknown()).min(1, { error: "must list at least one queue" }),
    fsx: fsx.optional(),
    /** `pulumi up` creates, updates and deletes the cluster (v3). Default false: only the configuration is rendered. */
    deploy: z.boolean().optional(),
    /** The ParallelCluster release the configuration is for (and of the provider stack). Default DEFAULT_RELEASE (releases.ts). */
    parallelClusterVersion: z.string().optional(),
    /** ServiceToken of an existing provider stack to reuse instead of creating one. */
    serviceToken: z
        .string()
        .regex(LAMBDA_FUNCTION_ARN, { error: "must be a Lambda function ARN (the provider stack's ServiceToken output), such as arn:aws:lambda:eu-west-1:123456789012:function:pcluster-cfn-0123abcd" })
        .optional(),
    /**
     * Known issues (aws/aws-parallelcluster issue numbers) already worked around in the provider stack of
     * cluster.serviceToken, which the program cannot change: those with a provider-stack workaround
     * (releaseRules.MITIGABLE_ISSUES). Default none.
     */
    mitigatedIssues: z.array(z.literal([7491, 7331], { error: "must be 7491 or 7331 (the known issues with a provider-stack workaround)" })).optional(),
    /** Default COMPUTE_FLEET_STOP (ParallelCluster's). */
    queueUpdateStrategy: z.enum(QUEUE_UPDATE_STRATEGIES).optional(),
    /** Items are parsed one by one (itemSchemas.loginNodePool) so each bad pool is reported on its own. */
    loginNodes: z.array(z.unknown()).optional(),
});

/**
 * The cluster key when `service: pcs`: PCS has no head node (its controller is AWS's), and the node OS comes
 * from the AMI, so `os` only names its default user (default alinux2023, the PCS sample AMIs' OS from Slurm
 * 25.11). The ParallelCluster-only keys still parse here so that pcsRules.ts can refuse each by name.
 */
export const pcsCluster = cluster.extend({
    service: z.literal("pcs"),
    os: z.string().default("alinux2023"),
    headNode: headNode.optional(),
});

const EFS_FILE_SYSTEM_ID = /^fs-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** The AWS PCS settings (pcluster-access:pcs), refused unless cluster.service is pcs (pcsRules.ts). */
const pcs = z.strictObject({
    /** The cluster's Slurm major version (AWS::PCS::Cluster Scheduler.Version). Default PCS_DEFAULTS.slurmVersion. */
    slurmVersion: z.string().optional(),
    /** The PCS controller's size (AWS::PCS::Cluster Size). Default SMALL. */
    size: z.enum(["SMALL", "MEDIUM", "LARGE"]).default("SMALL"),
    /** AMI of every node group; default: AWS's newest PCS sample AMI for slurmVersion and architecture (for trying PCS only). */
    amiId: z.string().regex(AMI_ID, { error: "must be an AMI id such as ami-0123456789abcdef0" }).optional(),
    /** The instances' architecture, which picks the sample AMI when amiId is not given. Default x86_64. */
    architecture: z.enum(["x86_64", "arm64"]).default("x86_64"),
    /** The login node group, where users land. */
    loginNodes: z.strictObject({
        instanceType,
        /** Login nodes (min = max). Default 1. */
        count: z.number().int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" }).max(10, { error: "must be at most 10" }).default(1),
    }),
    /** The shared /home: an EFS file system the program creates (default), an existing one, or an existing FSx for Lustre. */
    homes: z
        .strictObject({
            /** Mount this existing EFS file system at /home. */
            efsFileSystemId: z.string().regex(EFS_FILE_SYSTEM_ID, { error: "must be an EFS file system id such as fs-0123456789abcdef0" }).optional(),
            /** Mount this existing FSx for Lustre file system at /home: its DNS name and mount name (aws fsx describe-file-systems). */
            fsxLustre: z
                .strictObject({
                    dnsName: z.string().regex(/^fs-[0-9a-f]{8,17}\.fsx\.[a-z0-9-]+\.amazonaws\.com$/, { error: "must be the file system's DNS name, such as fs-0123456789abcdef0.fsx.eu-west-1.amazonaws.com" }),
                    mountName: z.string().regex(/^[a-z0-9]{1,8}$|^fsx$/, { error: "must be the file system's mount name (MountName in describe-file-systems), such as abcdef12" }),
                })
                .optional(),
        })
        .default({}),
});

/** The region in a Lambda function ARN. */
export function lambdaArnRegion(arn: string): string | undefined {
    return LAMBDA_FUNCTION_ARN.exec(arn)?.[1];
}

function cidrProblem(value: string): string | undefined {
    const match = CIDR.exec(value);
    if (!match || match.slice(1, 5).some((octet) => Number(octet) > 255)) {
        return "must be an IPv4 CIDR block such as 10.0.0.0/16";
    }
    const prefix = Number(match[5]);
    return prefix < 16 || prefix > 24 ? "must have a prefix between /16 and /24 (AWS VPC limits, with room for subnets)" : undefined;
}

const subnetId = z.string().regex(SUBNET_ID, { error: "must be a subnet id such as subnet-0123456789abcdef0" });

const network = z
    .strictObject({
        create: z
            .strictObject({
                cidrBlock: z.string().default("10.0.0.0/16").check((ctx) => {
                    const problem = cidrProblem(ctx.value);
                    if (problem) {
                        ctx.issues.push({ code: "custom", message: problem, input: ctx.value });
                    }
                }),
                availabilityZones: z.number().int().min(1).max(6).default(2),
            })
            .optional(),
        existing: z
            .strictObject({
                vpcId: z.string().regex(VPC_ID, { error: "must be a VPC id such as vpc-0123456789abcdef0" }),
                headNodeSubnetId: subnetId,
                computeSubnetIds: z
                    .array(subnetId)
                    .min(1, { error: "must list at least one subnet" }),
            })
            .optional(),
    })
    .default({ create: { cidrBlock: "10.0.0.0/16", availabilityZones: 2 } });

const opsworks = z.strictObject({
    /** Create a stack of this name. */
    stackName: z.string().min(1).max(128).optional(),
    /** Adopt this existing stack (several clusters may share one). */
    existingStackId: z.string().regex(STACK_ID, { error: "must be an OpsWorks stack id (a UUID such as 2f18b4cb-4de5-4429-a149-ff7da9f0d8ee)" }).optional(),
    /** SDK attempts per OpsWorks call (throttling and 5xx are retried). Default: the providers' (10). */
    maxAttempts: z.number().int().min(1).max(20).default(OPSWORKS_DEFAULT_MAX_ATTEMPTS),
});

/** A Pulumi stack reference, organization/project/stack (`pulumi stack ls` shows the stack's part). */
export const STACK_REFERENCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Which backend delivers the roster to the nodes: the roster document (default) or the article's OpsWorks. */
const access = z.strictObject({
    backend: z.enum(["roster", "opsworks"]).default("roster"),
    /** Roster backend: subscribe to this pool stack (organization/project/stack), which keeps the users. Default: the users are this stack's. */
    pool: z.string().regex(STACK_REFERENCE, { error: "must be the pool's Pulumi stack reference, organization/project/stack (e.g. org/pcluster-access/users)" }).optional(),
});

/** Who may log in on one subscribed cluster, and with sudo: by IAM user name or by project group. */
const poolCluster = z.strictObject({
    /** The cluster's region. Default: the pool's (aws:region). */
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: "must be an AWS region such as eu-west-1" }).optional(),
    /** The cluster's AWS account, when not the pool's: its node roles get read access to its own document. */
    account: z.string().regex(/^\d{12}$/, { error: "must be a 12-digit AWS account id (quote it in YAML: '210987654321')" }).optional(),
    /** IAM user names (of pcluster-access:users) who may log in. Default none. */
    users: z.array(z.string()).default([]),
    /** Project groups (roster.groups) whose members may log in. Default none. */
    groups: z.array(z.string()).default([]),
    /** Who gets sudo there (they must also be allowed to log in). Default nobody. */
    sudo: z
        .strictObject({ users: z.array(z.string()).default([]), groups: z.array(z.string()).default([]) })
        .default({ users: [], groups: [] }),
});

/** A pool stack (pcluster-access:pool): its users and groups serve the clusters listed here, each its own stack. */
const pool = z.strictObject({
    /** By cluster name (cluster.name of the subscribing stack). */
    clusters: z.record(z.string(), poolCluster),
});

/** What CI does with this stack (pcluster-access:ci). */
const ci = z.strictObject({
    /** false: .github/workflows/preview.yml leaves the stack out of its pull-request previews (the article's stack, which AWS can no longer deploy). Default true. */
    preview: z.boolean().default(true),
});

/** The roster backend's settings (pcluster-access:roster). */
const roster = z.strictObject({
    /** Seconds between two syncs of the node agent: a cron step, so a multiple of 60 from 60 to 3600. Default 60. */
    syncIntervalSeconds: z.number().int({ error: "must be a whole number of seconds" }).default(ROSTER_DEFAULTS.syncIntervalSeconds),
    /** The numbers the program hands out to users and project groups. Default 2001 to 60000. */
    uidRange: z
        .strictObject({
            first: z.number().int().default(ROSTER_DEFAULTS.uidRange.first),
            last: z.number().int().default(ROSTER_DEFAULTS.uidRange.last),
        })
        .default(ROSTER_DEFAULTS.uidRange),
    /** Items are parsed one by one (itemSchemas.group) so each bad group is reported on its own. */
    groups: z.array(z.unknown()).default([]),
    /** EC2 Instance Connect for every allowed user (an IAM grant per user, the nodes keep its key command). Default false. */
    instanceConnect: z.boolean().default(false),
    /** Which signing key signs the roster: raising it makes a new KMS key (rotation: docs/signing-key.md). Default 1. */
    signingKeyVersion: z.number().int({ error: "must be a whole number" }).default(ROSTER_DEFAULTS.signingKeyVersion),
    /** IAM role or user ARNs that may sign the roster. Default none: the identity running `pulumi up`. */
    signers: z.array(z.string()).default([]),
    /** Seconds `pulumi up` waits, after a roster write, for every running node to report it; 0: no wait. Default: one sync interval plus 60. */
    awaitNodes: z.number().int({ error: "must be a whole number of seconds" }).optional(),
    /** A block or revoke not reported by every running node within awaitNodes fails `pulumi up` (not only a warning). Default false. */
    awaitNodesStrict: z.boolean().default(false),
    /** On a block or revoke, SSM Run Command asks every node to sync at once (nodes get AmazonSSMManagedInstanceCore). Default false. */
    nudge: z.boolean().default(false),
});

/** A project group: a POSIX group on every node (the owner of a shared project directory, say). */
const group = z.strictObject({
    name: z.string(),
    /** Default: the next free number of roster.uidRange, kept for the life of the environment. */
    gid: z.number().int({ error: "must be a whole number" }).optional(),
});

/** At most this many keys per user (issue 16: a laptop, a desktop, a security key, ... with room to spare). */
export const MAX_SSH_PUBLIC_KEYS = 10;

const EXPIRY_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real day of the calendar written YYYY-MM-DD (2027-02-30 is not). */
export function isCalendarDate(value: string): boolean {
    const match = EXPIRY_DATE.exec(value);
    if (!match) {
        return false;
    }
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Access (or a key) ends at 00:00 UTC on this day. */
const expiryDate = z
    .string({ error: (issue) => (issue.input === undefined ? undefined : "must be a date written YYYY-MM-DD (access ends at 00:00 UTC that day), for example 2027-06-30") })
    .check((ctx) => {
        if (!isCalendarDate(ctx.value)) {
            ctx.issues.push({
                code: "custom",
                input: ctx.value,
                message: `'${ctx.value}' is not a date: write it YYYY-MM-DD (access ends at 00:00 UTC that day), for example 2027-06-30`,
            });
        }
    });

/** One public key line, checked by a real parser (checkSshPublicKey) and normalized. */
const sshPublicKeyLine = z.string({ error: (issue) => (issue.input === undefined ? "is required: the one line of the key's .pub file" : "must be the one line of a .pub file (text)") }).transform((value, ctx) => {
    const result = checkSshPublicKey(value);
    if (!result.ok) {
        ctx.issues.push({ code: "custom", input: "(not shown)", message: result.problem });
        return z.NEVER;
    }
    return result.normalized;
});

const datedSshPublicKey = z.strictObject({
    key: sshPublicKeyLine,
    /** sshd refuses the key from 00:00 UTC on this day (the key file's expiry-time option). Default: no end. */
    expires: expiryDate.optional(),
});

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A key line, or `{key, expires}`: each checked as sshPublicKey is. */
const sshPublicKeyEntry = z.unknown().transform((value, ctx): { key: string; expires?: string } => {
    if (typeof value !== "string" && !isMapping(value)) {
        ctx.issues.push({ code: "custom", input: "(not shown)", message: "must be a key line, or a mapping {key: <the .pub line>, expires: YYYY-MM-DD}" });
        return z.NEVER;
    }
    const parsed = typeof value === "string" ? sshPublicKeyLine.safeParse(value) : datedSshPublicKey.safeParse(value);
    if (!parsed.success) {
        ctx.issues.push(...parsed.error.issues.map((issue) => ({ ...issue, input: "(not shown)" }) as z.core.$ZodRawIssue));
        return z.NEVER;
    }
    return typeof parsed.data === "string" ? { key: parsed.data } : parsed.data;
});

const user = z.strictObject({
    /** IAM user name, or the user's ARN. */
    iamUser: z.string().check((ctx) => {
        if (!IAM_USER_NAME.test(ctx.value) && !IAM_USER_ARN.test(ctx.value)) {
            ctx.issues.push({
                code: "custom",
                input: ctx.value,
                message: "must be an IAM user name (letters, digits and +=,.@_-, at most 64) or an IAM user ARN (arn:aws:iam::123456789012:user/alice)",
            });
        }
    }),
    /** Create the IAM user (no console password, no access keys). Default false: it must exist. */
    create: z.boolean().default(false),
    /** One key line. Give this or sshPublicKeys, not both. */
    sshPublicKey: sshPublicKeyLine.optional(),
    /** Up to MAX_SSH_PUBLIC_KEYS keys, each a key line or `{key, expires}` (roster backend for more than one). */
    sshPublicKeys: z
        .array(sshPublicKeyEntry)
        .min(1, { error: "must list at least one key (or leave it out and give sshPublicKey)" })
        .max(MAX_SSH_PUBLIC_KEYS, {
            error: `lists more than ${MAX_SSH_PUBLIC_KEYS} keys: a user may have at most ${MAX_SSH_PUBLIC_KEYS} (one per device they log in from). Remove the keys they no longer use`,
        })
        .optional(),
    /** Roster backend: access ends at 00:00 UTC on this day (YYYY-MM-DD). Default: no end. */
    expires: expiryDate.optional(),
    /** Roster backend: opt this user out of EC2 Instance Connect (roster.instanceConnect). Default: roster.instanceConnect. */
    instanceConnect: z.boolean().optional(),
    /** Default: derived from the IAM user name by OpsWorks' rule. */
    sshUsername: z.string().optional(),
    sudo: z.boolean().default(false),
    access: z.enum(["allowed", "blocked", "revoked"]).default("allowed"),
    /** Roster backend: the user's UID (and own group's GID). Default: allocated once and kept. */
    uid: z.number().int({ error: "must be a whole number" }).optional(),
    /** Roster backend: project groups (roster.groups) the user belongs to. Default none. */
    groups: z.array(z.string()).optional(),
}).refine((value) => value.sshPublicKey !== undefined || value.sshPublicKeys !== undefined, {
    path: ["sshPublicKey"],
    message: "is required: paste the user's public key (the one line of their .pub file), or list up to 10 under sshPublicKeys",
    // Reported beside the user's other problems, not only once they are fixed.
    when: (payload) => isMapping(payload.value) && !("sshPublicKey" in payload.value) && !("sshPublicKeys" in payload.value),
});

/** One schema per stack config key, so a broken key does not hide the problems of the others. */
export const sectionSchemas = {
    region: z.string({ error: (issue) => (issue.input === undefined ? "is required: run `pulumi config set aws:region <region>` with the region the cluster runs in, e.g. eu-west-1" : undefined) }),
    cluster,
    network,
    access: access.default({ backend: "roster" }),
    opsworks: opsworks.default({ maxAttempts: OPSWORKS_DEFAULT_MAX_ATTEMPTS }),
    pcs: pcs.optional(),
    roster: roster.default({ syncIntervalSeconds: ROSTER_DEFAULTS.syncIntervalSeconds, uidRange: ROSTER_DEFAULTS.uidRange, groups: [], instanceConnect: false, signingKeyVersion: ROSTER_DEFAULTS.signingKeyVersion, signers: [], awaitNodesStrict: false, nudge: false }),
    /** Items are parsed one by one (itemSchemas.user) so each bad user is reported on its own. */
    users: z.array(z.unknown()).default([]),
    /** Only in a pool stack: the subscribed clusters and who may log in on each. */
    pool: pool.optional(),
    ci: ci.default({ preview: true }),
};

export const itemSchemas = { queue, user, group, loginNodePool };

export type RawPcsCluster = Omit<z.output<typeof pcsCluster>, "queues"> & { queues: (RawQueue | undefined)[] };
export type RawPcs = z.output<typeof pcs>;

export type RawQueue = z.output<typeof queue>;
export type RawLoginNodePool = z.output<typeof loginNodePool>;
export type RawUser = z.output<typeof user>;
export type RawGroup = z.output<typeof group>;

export type SectionName = keyof typeof sectionSchemas;

/** The sections once parsed, with list items that failed their schema left out as `undefined`. */
export type RawSections = Omit<{ [K in SectionName]: z.output<(typeof sectionSchemas)[K]> }, "cluster" | "users" | "roster" | "pcs"> & {
    cluster: Omit<z.output<typeof cluster>, "queues" | "loginNodes"> & {
        queues: (RawQueue | undefined)[];
        /** Undefined when the key is absent (v2 refuses it only when given). */
        loginNodes?: (RawLoginNodePool | undefined)[];
    };
    users: (RawUser | undefined)[];
    roster: Omit<z.output<typeof roster>, "groups"> & { groups: (RawGroup | undefined)[] };
};

/** The IAM user name inside a name-or-ARN value. */
export function iamUserNameOf(iamUser: string): string {
    return IAM_USER_ARN.exec(iamUser)?.[1] ?? iamUser;
}

export function isIamUserArn(iamUser: string): boolean {
    return IAM_USER_ARN.test(iamUser);
}
