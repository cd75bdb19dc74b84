/**
 * The ParallelCluster configuration a pcluster-access environment stores
 * (pulumi-nodejs:dynamic/pcluster:ClusterConfiguration), read the way `pcluster` will read it: from the
 * rendered text when it is known, otherwise (a first preview, where the text is built from ids that do
 * not exist yet) from the structured document stored beside it, whose leaves are unknown only where they
 * come from resources not yet created. Both formats are brought to one model: the nodes (v3: the head
 * node and each queue; v2: the cluster section, which applies to the head node and every queue) with
 * their IAM policies, post-install script, arguments and S3 read grants.
 */
import * as YAML from "yaml";
import { parseIniSections } from "./ini";
import { at, isList, isObject, list, plainProps, str, UNKNOWN, type Maybe, type Plain, type PlainObject, type Unknown } from "./known";
import { CLUSTER_CONFIGURATION } from "./resourceTypes";

/** One node, or group of nodes, that gets its own IAM policies and post-install action. */
export interface ClusterNode {
    /** For people: "the head node", "queue compute", "login node pool login", or v2's "the cluster section (head node and every queue)". */
    readonly label: string;
    /** Where the node's managed policies are set, e.g. `HeadNode.Iam.AdditionalIamPolicies`. */
    readonly iamPoliciesPath: string;
    readonly iamPolicies: readonly Maybe<string>[] | Unknown;
    /** Where the post-install script is set, e.g. `HeadNode.CustomActions.OnNodeConfigured.Script`. */
    readonly scriptPath: string;
    readonly script: Maybe<string>;
    /** Where the script's arguments are set. */
    readonly argsPath: string;
    /** v3: `Args`; v2: the one `post_install_args` string. Undefined when none are set. */
    readonly args: readonly Maybe<string>[] | Unknown | undefined;
    /** Where read access to S3 is granted. */
    readonly s3ReadPath: string;
    /** S3 object ARNs the node may read, as globs (`arn:aws:s3:::bucket/*`). */
    readonly s3Read: readonly Maybe<string>[] | Unknown;
    /** Where write access to S3 is granted (v3: the same S3Access; v2 `s3_read_write_resource`). */
    readonly s3WritePath?: string;
    /** S3 object ARNs it may also write (v3 `EnableWriteAccess: true`, v2 `s3_read_write_resource`), as globs. */
    readonly s3Write?: readonly Maybe<string>[] | Unknown;
    /**
     * Login node pools take no S3Access: what they read is granted by their managed policies, whose
     * documents a stack policy looks up (these are the ARNs). Undefined for other nodes.
     */
    readonly s3ReadPolicyArns?: readonly Maybe<string>[] | Unknown;
}

export interface FileSystem {
    readonly name: string;
    readonly mountDir: Maybe<string>;
    /** Undefined when not set: ParallelCluster then uses its default, a scratch type. */
    readonly deploymentType: Maybe<string>;
    /** An existing file system is mounted, not created: its type is not in the configuration. */
    readonly existing: boolean;
}

/** Where SSH to some of the cluster's nodes may come from. */
export interface SshSource {
    /** For people: "the head node", "login node pool users", v2's "the head node". */
    readonly label: string;
    /** Where it is set, e.g. `HeadNode.Ssh.AllowedIps` or `[vpc std-vpc] ssh_from`. */
    readonly path: string;
    /** A CIDR block or prefix list id; undefined when not set (ParallelCluster then allows anywhere). */
    readonly allowedIps: Maybe<string>;
}

export interface ClusterConfigurationModel {
    readonly format: "v2" | "v3";
    readonly region: Maybe<string>;
    /** v2's `vpc_id`; v3 names no VPC, only subnets. */
    readonly vpcId: Maybe<string>;
    readonly headNodeSubnetId: Maybe<string>;
    /** Every subnet the configuration places nodes in. */
    readonly subnetIds: readonly Maybe<string>[];
    /** v3's `Imds.ImdsSupport`; undefined when not set (ParallelCluster 3.7+ then requires IMDSv2). */
    readonly imdsSupport: Maybe<string>;
    readonly nodes: readonly ClusterNode[];
    readonly fileSystems: readonly FileSystem[];
    /** The head node's SSH sources, then each login node pool's that sets its own (others take the head node's). */
    readonly sshSources: readonly SshSource[];
}

export type ReadConfiguration =
    | { readonly ok: true; readonly model: ClusterConfigurationModel }
    | { readonly ok: false; readonly problem: string };

/** Reads a ClusterConfiguration resource's properties (inputs or outputs: both carry text and document). */
export function readClusterConfiguration(props: PlainObject): ReadConfiguration {
    const format = props.format;
    if (format !== "v2" && format !== "v3") {
        return { ok: false, problem: `its format is ${describe(format)}, not v2 or v3` };
    }
    const text = props.text;
    if (typeof text === "string") {
        const parsed = format === "v3" ? parseYaml(text) : parseIni(text);
        return parsed.ok ? { ok: true, model: buildModel(format, parsed.value) } : parsed;
    }
    if (text !== UNKNOWN) {
        return { ok: false, problem: "it has no text (the rendered configuration file)" };
    }
    const document = format === "v3" ? props.document : v2DocumentSections(props.document);
    if (document !== UNKNOWN && !isObject(document)) {
        return { ok: false, problem: "its text is unknown during this preview and it has no readable document" };
    }
    return { ok: true, model: buildModel(format, document) };
}

/** The first word a node's post-install action takes in the roster backend (FORMAT.md, Where it lives). */
export const ROSTER_MODE = "roster";

/**
 * The node's post-install arguments as words: v3's Args as they are, v2's one string split on blanks as
 * the node splits it. UNKNOWN when not known during this preview; undefined when none are set.
 */
export function argumentWords(format: "v2" | "v3", node: ClusterNode): readonly Maybe<string>[] | Unknown | undefined {
    const args = node.args;
    if (args === UNKNOWN || args === undefined || format === "v3") {
        return args;
    }
    return args.flatMap((arg): Maybe<string>[] => (typeof arg === "string" ? arg.split(/\s+/).filter((word) => word !== "") : [arg]));
}

/** Whether the node runs the post-install script in roster mode (known to be: an unknown first word is not). */
export function isRosterMode(format: "v2" | "v3", node: ClusterNode): boolean {
    const words = argumentWords(format, node);
    return words !== UNKNOWN && words !== undefined && words[0] === ROSTER_MODE;
}

/** A resource policy's resource read as a cluster configuration; undefined for a resource of another type. */
export function configurationOf(args: { readonly type: string; readonly props: unknown }): ReadConfiguration | undefined {
    return args.type === CLUSTER_CONFIGURATION ? readClusterConfiguration(plainProps(args.props)) : undefined;
}

/**
 * For the advisory policies: the configuration's model, undefined for another type or a configuration that
 * cannot be read (an advice has nothing to say then; every mandatory policy that reads it reports it).
 */
export function configurationModelOf(args: { readonly type: string; readonly props: unknown }): ClusterConfigurationModel | undefined {
    const read = configurationOf(args);
    return read?.ok ? read.model : undefined;
}

/** The stored configuration's format as written (`v2`, `v3`), even when the rest cannot be read. */
export function declaredFormat(props: unknown): string | undefined {
    const format = (plainProps(props) as PlainObject).format;
    return typeof format === "string" ? format : undefined;
}

/**
 * The verdict of a policy that reads the configuration and cannot: each such policy reports it itself
 * (cdk-nag's rule by rule NON_COMPLIANT, never a verdict handed to another rule), so a site that disables
 * one policy does not lose another's. `unchecked` says what this policy could not check.
 */
export function unreadableConfiguration(problem: string, unchecked: string): string {
    return (
        `The cluster configuration cannot be read: ${problem}. ${unchecked.charAt(0).toUpperCase()}${unchecked.slice(1)} cannot be checked. ` +
        "It must be the ParallelCluster v3 YAML or v2 INI file the program renders: a hand edit or a transformation broke it."
    );
}

function buildModel(format: "v2" | "v3", value: Plain): ClusterConfigurationModel {
    return format === "v3" ? v3Model(value) : v2Model(value);
}

type Parsed = { readonly ok: true; readonly value: Plain } | { readonly ok: false; readonly problem: string };

function parseYaml(text: string): Parsed {
    try {
        const value = YAML.parse(text) as Plain;
        return isObject(value) ? { ok: true, value } : { ok: false, problem: "its text is not a YAML mapping" };
    } catch (error) {
        return { ok: false, problem: `its text is not valid YAML (${(error as Error).message.split("\n")[0]})` };
    }
}

function parseIni(text: string): Parsed {
    try {
        return { ok: true, value: parseIniSections(text) };
    } catch (error) {
        return { ok: false, problem: `its text is not valid INI (${(error as Error).message})` };
    }
}

/** The v2 document is ordered `[[section, [[key, value], ...]], ...]`; brought to `{ section: { key: value } }`. */
function v2DocumentSections(document: Plain): Plain {
    if (!isList(document)) {
        return document === UNKNOWN ? UNKNOWN : undefined;
    }
    const sections: Record<string, Record<string, Plain>> = {};
    for (const section of document) {
        const name = at(section, 0);
        const entries = list(at(section, 1));
        if (typeof name !== "string" || entries === undefined || entries === UNKNOWN) {
            continue;
        }
        const values: Record<string, Plain> = (sections[name] ??= {});
        for (const entry of entries) {
            const key = at(entry, 0);
            if (typeof key === "string") {
                values[key] = at(entry, 1);
            }
        }
    }
    return sections;
}

// ---------------------------------------------------------------------------------------------
// ParallelCluster 3 (YAML)
// ---------------------------------------------------------------------------------------------

function v3Model(document: Plain): ClusterConfigurationModel {
    const head = at(document, "HeadNode");
    const headNodeSubnetId = str(at(head, "Networking", "SubnetId"));
    const queues = list(at(document, "Scheduling", "SlurmQueues"));
    const queueList = queues === UNKNOWN || queues === undefined ? [] : queues;
    const nodes: ClusterNode[] = [v3Node("the head node", "HeadNode", head)];
    const subnetIds: Maybe<string>[] = [headNodeSubnetId];
    queueList.forEach((queue, index) => {
        const name = str(at(queue, "Name"));
        const label = typeof name === "string" ? `queue ${name}` : `queue ${index + 1}`;
        nodes.push(v3Node(label, `Scheduling.SlurmQueues[${index}]`, queue));
        subnetIds.push(...strings(list(at(queue, "Networking", "SubnetIds"))));
    });
    // Login node pools are nodes like any other: the same policies, script, arguments and reads.
    const pools = list(at(document, "LoginNodes", "Pools"));
    (pools === UNKNOWN || pools === undefined ? [] : pools).forEach((pool, index) => {
        const name = str(at(pool, "Name"));
        const label = typeof name === "string" ? `login node pool ${name}` : `login node pool ${index + 1}`;
        nodes.push(loginPoolNode(label, `LoginNodes.Pools[${index}]`, pool));
        subnetIds.push(...strings(list(at(pool, "Networking", "SubnetIds"))));
    });
    return {
        format: "v3",
        region: str(at(document, "Region")),
        vpcId: undefined,
        headNodeSubnetId,
        subnetIds,
        imdsSupport: str(at(document, "Imds", "ImdsSupport")),
        nodes,
        fileSystems: v3FileSystems(at(document, "SharedStorage")),
        sshSources: v3SshSources(document),
    };
}

/** A login node pool without its own AllowedIps takes the head node's (cluster_config.py, LoginNodesSsh). */
function v3SshSources(document: Plain): SshSource[] {
    const sources: SshSource[] = [{ label: "the head node", path: "HeadNode.Ssh.AllowedIps", allowedIps: str(at(document, "HeadNode", "Ssh", "AllowedIps")) }];
    const pools = list(at(document, "LoginNodes", "Pools"));
    (pools === UNKNOWN || pools === undefined ? [] : pools).forEach((pool, index) => {
        const allowedIps = str(at(pool, "Ssh", "AllowedIps"));
        if (allowedIps !== undefined) {
            const name = str(at(pool, "Name"));
            sources.push({ label: `login node pool ${typeof name === "string" ? name : index + 1}`, path: `LoginNodes.Pools[${index}].Ssh.AllowedIps`, allowedIps });
        }
    });
    return sources;
}

function v3Node(label: string, path: string, node: Plain): ClusterNode {
    const policies = list(at(node, "Iam", "AdditionalIamPolicies"));
    const s3Access = list(at(node, "Iam", "S3Access"));
    const action = at(node, "CustomActions", "OnNodeConfigured");
    const args = list(at(action, "Args"));
    return {
        label,
        iamPoliciesPath: `${path}.Iam.AdditionalIamPolicies`,
        iamPolicies: policies === UNKNOWN ? UNKNOWN : (policies ?? []).map((entry) => str(at(entry, "Policy"))),
        scriptPath: `${path}.CustomActions.OnNodeConfigured.Script`,
        script: str(at(action, "Script")),
        argsPath: `${path}.CustomActions.OnNodeConfigured.Args`,
        args: args === UNKNOWN ? UNKNOWN : args === undefined ? undefined : strings(args),
        s3ReadPath: `${path}.Iam.S3Access`,
        s3Read: s3Access === UNKNOWN ? UNKNOWN : (s3Access ?? []).map(s3AccessArn),
        s3WritePath: `${path}.Iam.S3Access`,
        s3Write: s3Access === UNKNOWN ? UNKNOWN : (s3Access ?? []).filter((entry) => at(entry, "EnableWriteAccess") === true).map(s3AccessArn),
    };
}

/** A login node pool: no S3Access in its schema, so its reads come from its managed policies. */
function loginPoolNode(label: string, path: string, pool: Plain): ClusterNode {
    const node = v3Node(label, path, pool);
    return { ...node, s3ReadPath: node.iamPoliciesPath, s3Read: [], s3ReadPolicyArns: node.iamPolicies };
}

/** `S3Access: {BucketName, KeyName}` as the object ARN glob ParallelCluster grants (KeyName defaults to all keys). */
function s3AccessArn(entry: Plain): Maybe<string> {
    const bucket = str(at(entry, "BucketName"));
    const key = at(entry, "KeyName");
    if (bucket === UNKNOWN || key === UNKNOWN) {
        return UNKNOWN;
    }
    if (bucket === undefined) {
        return undefined;
    }
    return `arn:aws:s3:::${bucket}/${typeof key === "string" ? key : "*"}`;
}

function v3FileSystems(storage: Plain): FileSystem[] {
    const entries = list(storage);
    if (entries === undefined || entries === UNKNOWN) {
        return [];
    }
    return entries
        .filter((entry) => at(entry, "StorageType") === "FsxLustre")
        .map((entry, index) => {
            const name = str(at(entry, "Name"));
            const settings = at(entry, "FsxLustreSettings");
            return {
                name: typeof name === "string" ? name : `SharedStorage ${index + 1}`,
                mountDir: str(at(entry, "MountDir")),
                deploymentType: str(at(settings, "DeploymentType")),
                existing: at(settings, "FileSystemId") !== undefined,
            };
        });
}

// ---------------------------------------------------------------------------------------------
// ParallelCluster 2 (INI)
// ---------------------------------------------------------------------------------------------

function v2Model(sections: Plain): ClusterConfigurationModel {
    const template = str(at(sections, "global", "cluster_template"));
    const clusterSection = `cluster ${typeof template === "string" ? template : "default"}`;
    const cluster = at(sections, clusterSection);
    const value = (key: string) => str(at(cluster, key));
    const vpcName = value("vpc_settings");
    const vpc = typeof vpcName === "string" ? at(sections, `vpc ${vpcName}`) : undefined;
    const fsxName = value("fsx_settings");
    const args = value("post_install_args");
    const policies = value("additional_iam_policies");
    const readResource = value("s3_read_resource");
    const writeResource = value("s3_read_write_resource");
    const where = (key: string) => `[${clusterSection}] ${key}`;
    const node: ClusterNode = {
        label: "the cluster section (head node and every queue)",
        iamPoliciesPath: where("additional_iam_policies"),
        iamPolicies: policies === UNKNOWN ? UNKNOWN : splitList(policies),
        scriptPath: where("post_install"),
        script: value("post_install"),
        argsPath: where("post_install_args"),
        args: args === undefined ? undefined : [args === UNKNOWN ? UNKNOWN : unquote(args)],
        s3ReadPath: where("s3_read_resource"),
        s3Read: readResource === UNKNOWN ? UNKNOWN : splitList(readResource),
        s3WritePath: where("s3_read_write_resource"),
        s3Write: writeResource === UNKNOWN ? UNKNOWN : writeResource === undefined ? [] : splitList(writeResource),
    };
    const fileSystems: FileSystem[] = [];
    if (typeof fsxName === "string") {
        const fsx = at(sections, `fsx ${fsxName}`);
        fileSystems.push({
            name: fsxName,
            mountDir: str(at(fsx, "shared_dir")),
            deploymentType: str(at(fsx, "deployment_type")),
            existing: at(fsx, "fsx_fs_id") !== undefined,
        });
    }
    const headNodeSubnetId = str(at(vpc, "master_subnet_id"));
    return {
        format: "v2",
        region: str(at(sections, "aws", "aws_region_name")),
        vpcId: str(at(vpc, "vpc_id")),
        headNodeSubnetId,
        subnetIds: [headNodeSubnetId, str(at(vpc, "compute_subnet_id"))],
        imdsSupport: undefined,
        nodes: [node],
        fileSystems,
        sshSources: [{ label: "the head node", path: `[vpc ${typeof vpcName === "string" ? vpcName : "?"}] ssh_from`, allowedIps: str(at(vpc, "ssh_from")) }],
    };
}

function splitList(value: string | undefined): string[] {
    return (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
}

/** configparser keeps quotes; the node's script strips them (and the `ini` package already does). */
function unquote(value: string): string {
    const trimmed = value.trim();
    return /^(["']).*\1$/s.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

function strings(values: Maybe<readonly Plain[]>): Maybe<string>[] {
    if (values === UNKNOWN) {
        return [UNKNOWN];
    }
    return (values ?? []).map(str);
}

function describe(value: Plain): string {
    return value === UNKNOWN ? "unknown" : JSON.stringify(value) ?? "missing";
}
