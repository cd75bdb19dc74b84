/**
 * An AWS PCS cluster with the environment's users: the PCS cluster (its Slurm controller is AWS's), a compute
 * node group and a queue per configured queue, a login node group, the launch templates whose user data mounts
 * the shared /home and installs the roster agent (userData.ts), the node roles PCS requires and the security
 * groups, and, unless the config names one, an encrypted EFS file system for /home.
 *
 * PCS's requirements, each from its source:
 * - instance profile: the role's name starts with AWSPCS or its path is /aws-pcs/, and it may call
 *   pcs:RegisterComputeNodeGroupInstance (PCS API reference, ComputeNodeGroup.iamInstanceProfileArn; PCS user
 *   guide, "Create an instance profile for AWS PCS").
 * - security group: the cluster's group lets its members reach each other on every port and anything outbound
 *   (aws-samples/aws-hpc-recipes, recipes/pcs/getting_started/assets/pcs-cluster-sg.yaml); SSH to login nodes
 *   comes through a group of its own, from cluster.sshAllowedIps only.
 * - user data: MIME multi-part, shell parts run after registration and before slurmd (userData.ts).
 * - AMI: one with the PCS agent and Slurm of the cluster's version; by default AWS's sample AMI
 *   `aws-pcs-sample_ami-<os>-<arch>-slurm-<version>` (PCS user guide, "Using sample AMIs"), which AWS says is
 *   for demonstration, not production.
 */
import * as aws from "@pulumi/aws";
import * as pcs from "@pulumi/aws-native/pcs";
import * as pulumi from "@pulumi/pulumi";
import type { NodeAccess } from "../access/nodeAccess";
import { CLUSTER_NAME_TAG } from "../access/roster/instanceConnect";
import { s3ReadPolicy } from "../access/s3ReadPolicy";
import type { ClusterSettings, PcsSettings } from "../config/model";
import { PCS_LOGIN_GROUP } from "../config/pcsRules";
import { homeMount, nodeUserData, type HomeMount, type PcsNodeType } from "./userData";

/** The node kinds, each with a role, an instance profile and a launch template of its own. */
const KINDS: readonly { readonly kind: "login" | "compute"; readonly nodeType: PcsNodeType }[] = [
    { kind: "login", nodeType: "LoginNode" },
    { kind: "compute", nodeType: "ComputeFleet" },
];

export interface PcsClusterArgs {
    /** The validated cluster (queues, key pair, sshAllowedIps); decides which resources exist, so plain. */
    readonly cluster: ClusterSettings;
    readonly pcs: PcsSettings;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** Where the login nodes run: the network's public subnet (the head node's under ParallelCluster). */
    readonly loginSubnetId: pulumi.Input<string>;
    readonly computeSubnetIds: pulumi.Input<string[]>;
    /** How many compute subnets there are (one EFS mount target each); known from the config. */
    readonly computeSubnetCount: number;
    /** What every node needs from the access backend: its S3 reads and the six words. */
    readonly access: NodeAccess;
}

/** One queue as the plan and the stack output show it. */
export interface PcsQueueSummary {
    readonly name: string;
    readonly nodeGroup: string;
    readonly instanceTypes: readonly string[];
    readonly minInstances: number;
    readonly maxInstances: number;
    readonly purchaseOption: "ONDEMAND" | "SPOT";
}

export interface PcsSummary {
    readonly name: string;
    readonly id: string;
    readonly slurmVersion: string;
    readonly loginNodeGroup: { readonly name: string; readonly instanceType: string; readonly count: number };
    readonly queues: readonly PcsQueueSummary[];
    /** Each launch template's user data by node kind (login, compute), as the nodes receive it. */
    readonly userData: Readonly<Record<string, string>>;
}

/** The sample AMI name pattern for `settings` (al2023 from Slurm 25.11, amzn2 before: aws-hpc-recipes' AMI lookup). */
export function sampleAmiName(settings: Pick<PcsSettings, "slurmVersion" | "architecture">): string {
    const [major, minor] = settings.slurmVersion.split(".").map(Number);
    const os = major > 25 || (major === 25 && minor >= 11) ? "al2023" : "amzn2";
    return `aws-pcs-sample_ami-${os}-${settings.architecture}-slurm-${settings.slurmVersion}*`;
}

export class PcsCluster extends pulumi.ComponentResource {
    readonly summary: pulumi.Output<PcsSummary>;

    constructor(name: string, args: PcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:pcs:PcsCluster", name, {}, opts);
        const parent = { parent: this };
        const { cluster, pcs: settings } = args;

        const clusterGroup = new aws.ec2.SecurityGroup(
            `${name}-cluster-sg`,
            {
                vpcId: args.vpcId,
                description: `AWS PCS cluster ${cluster.name}: its controller and nodes reach each other; anything outbound`,
                ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true, description: "PCS controller and nodes" }],
                egress: [
                    { protocol: "-1", fromPort: 0, toPort: 0, self: true, description: "PCS controller and nodes" },
                    { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "S3, the PCS endpoint, package mirrors" },
                ],
            },
            parent,
        );
        const prefixList = cluster.sshAllowedIps.startsWith("pl-");
        const loginGroup = new aws.ec2.SecurityGroup(
            `${name}-login-sg`,
            {
                vpcId: args.vpcId,
                description: `AWS PCS cluster ${cluster.name}: SSH to its login nodes from cluster.sshAllowedIps`,
                ingress: [
                    {
                        protocol: "tcp",
                        fromPort: 22,
                        toPort: 22,
                        ...(prefixList ? { prefixListIds: [cluster.sshAllowedIps] } : { cidrBlocks: [cluster.sshAllowedIps] }),
                        description: "SSH from cluster.sshAllowedIps",
                    },
                ],
            },
            parent,
        );

        const home = this.homes(name, args, clusterGroup);

        const amiId =
            settings.amiId ??
            aws.ec2
                .getAmiOutput({ owners: ["amazon"], mostRecent: true, filters: [{ name: "name", values: [sampleAmiName(settings)] }] }, parent)
                .apply((ami) => ami.id);
        if (settings.amiId === undefined) {
            void pulumi.log.warn(
                `pcs.amiId: not set, so every node group runs AWS's newest PCS sample AMI (${sampleAmiName(settings)}), which AWS provides for demonstration, not production. Build your own (PCS user guide, "Custom AMIs") and set pcs.amiId.`,
                this,
            );
        }

        const pcsCluster = new pcs.Cluster(
            `${name}-cluster`,
            {
                name: cluster.name,
                size: settings.size,
                scheduler: { type: "SLURM", version: settings.slurmVersion },
                networking: { subnetIds: [pulumi.output(args.computeSubnetIds).apply((ids) => ids[0])], securityGroupIds: [clusterGroup.id] },
                tags: { "pcluster-access:environment": cluster.name },
            },
            parent,
        );

        const words = pulumi.all(args.access.postInstallArgs.map((word) => pulumi.output(word)));
        const userData: Record<string, pulumi.Output<string>> = {};
        const templates: Record<string, aws.ec2.LaunchTemplate> = {};
        const profiles: Record<string, aws.iam.InstanceProfile> = {};
        for (const { kind, nodeType } of KINDS) {
            const role = new aws.iam.Role(
                `${name}-${kind}-role`,
                {
                    // PCS refuses an instance profile whose role neither starts with AWSPCS nor lies under /aws-pcs/.
                    name: `AWSPCS-${cluster.name}-${kind}`,
                    path: "/aws-pcs/",
                    description: `AWS PCS ${kind} nodes of ${cluster.name}: register with PCS, read the roster and the agent`,
                    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
                },
                parent,
            );
            new aws.iam.RolePolicy(
                `${name}-${kind}-register`,
                {
                    role: role.name,
                    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["pcs:RegisterComputeNodeGroupInstance"], Resource: "*" }] }),
                },
                parent,
            );
            const reads = s3ReadPolicy(`${name}-${kind}-reads`, args.access.s3Reads, this);
            new aws.iam.RolePolicyAttachment(`${name}-${kind}-reads`, { role: role.name, policyArn: reads.arn }, parent);
            // What the backend asks of every node beyond its reads (the managed policies ParallelCluster's nodes carry).
            args.access.iamPolicyArns.forEach((policyArn, i) => new aws.iam.RolePolicyAttachment(`${name}-${kind}-policy-${i}`, { role: role.name, policyArn }, parent));
            profiles[kind] = new aws.iam.InstanceProfile(`${name}-${kind}-profile`, { name: `AWSPCS-${cluster.name}-${kind}`, path: "/aws-pcs/", role: role.name }, parent);
            userData[kind] = pulumi.all([words, home]).apply(([resolved, mount]) => nodeUserData({ nodeType, region: args.region, home: mount, words: resolved }));
            templates[kind] = new aws.ec2.LaunchTemplate(
                `${name}-${kind}-template`,
                {
                    description: `AWS PCS ${kind} nodes of ${cluster.name}: mount /home and run the roster agent`,
                    userData: userData[kind].apply((text) => Buffer.from(text).toString("base64")),
                    vpcSecurityGroupIds: kind === "login" ? [clusterGroup.id, loginGroup.id] : [clusterGroup.id],
                    keyName: cluster.keyName,
                    // IMDSv2 only, as under ParallelCluster; the roster agent and the AWS CLI use tokens.
                    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
                    // The EC2 Instance Connect grants (roster.instanceConnect) reach only instances with this tag, which
                    // ParallelCluster puts on every node of a cluster; PCS nodes get it here so the same grants work.
                    tagSpecifications: [{ resourceType: "instance", tags: { [CLUSTER_NAME_TAG]: cluster.name, "pcluster-access:environment": cluster.name, "pcluster-access:node": kind } }],
                },
                parent,
            );
        }

        const nodeGroup = (group: string, kind: "login" | "compute", instanceTypes: readonly string[], min: number, max: number, subnets: pulumi.Input<pulumi.Input<string>[]>, purchase: "ONDEMAND" | "SPOT") =>
            new pcs.ComputeNodeGroup(
                `${name}-${group}-nodes`,
                {
                    clusterId: pcsCluster.awsId,
                    name: group,
                    amiId,
                    customLaunchTemplate: { templateId: templates[kind].id, version: templates[kind].latestVersion.apply(String) },
                    iamInstanceProfileArn: profiles[kind].arn,
                    instanceConfigs: instanceTypes.map((instanceType) => ({ instanceType })),
                    scalingConfiguration: { minInstanceCount: min, maxInstanceCount: max },
                    subnetIds: subnets,
                    purchaseOption: purchase,
                    tags: { "pcluster-access:environment": cluster.name, "pcluster-access:node": kind },
                },
                parent,
            );
        const login = nodeGroup(PCS_LOGIN_GROUP, "login", [settings.loginNodes.instanceType], settings.loginNodes.count, settings.loginNodes.count, [args.loginSubnetId], "ONDEMAND");
        const queues = cluster.queues.map((queue) => {
            const instanceTypes = [...new Set(queue.computeResources.map((resource) => resource.instanceType))];
            const min = queue.computeResources.reduce((sum, resource) => sum + resource.minCount, 0);
            const max = queue.computeResources.reduce((sum, resource) => sum + resource.maxCount, 0);
            const purchaseOption = queue.capacityType === "spot" ? "SPOT" : "ONDEMAND";
            const group = nodeGroup(queue.name, "compute", instanceTypes, min, max, args.computeSubnetIds, purchaseOption);
            new pcs.Queue(`${name}-${queue.name}-queue`, { clusterId: pcsCluster.awsId, name: queue.name, computeNodeGroupConfigurations: [{ computeNodeGroupId: group.awsId }] }, parent);
            return pulumi.output({ name: queue.name, nodeGroup: queue.name, instanceTypes, minInstances: min, maxInstances: max, purchaseOption } satisfies PcsQueueSummary);
        });

        this.summary = pulumi.all([pcsCluster.awsId, login.awsId, pulumi.all(queues), pulumi.all(userData)]).apply(([id, , queueSummaries, texts]) => ({
            name: cluster.name,
            id,
            slurmVersion: settings.slurmVersion,
            loginNodeGroup: { name: PCS_LOGIN_GROUP, instanceType: settings.loginNodes.instanceType, count: settings.loginNodes.count },
            queues: queueSummaries,
            userData: texts,
        }));
        this.registerOutputs({ summary: this.summary });
    }

    /** /home's file system: the one the config names, or an encrypted EFS file system with a mount target per compute subnet. */
    private homes(name: string, args: PcsClusterArgs, clusterGroup: aws.ec2.SecurityGroup): pulumi.Output<HomeMount> {
        const homes = args.pcs.homes;
        if (homes.mode !== "create") {
            return pulumi.output(homeMount(homes, args.region));
        }
        const fileSystem = new aws.efs.FileSystem(
            `${name}-homes`,
            { encrypted: true, tags: { Name: `${args.cluster.name}-homes`, "pcluster-access:environment": args.cluster.name } },
            // Users' files: never deleted with the program (a destroy leaves it; delete it yourself once copied).
            { parent: this, retainOnDelete: true },
        );
        const nfs = new aws.ec2.SecurityGroup(
            `${name}-homes-sg`,
            {
                vpcId: args.vpcId,
                description: `${args.cluster.name} homes: NFS from the PCS cluster's nodes only`,
                ingress: [{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: [clusterGroup.id], description: "NFS from PCS nodes" }],
            },
            { parent: this },
        );
        const subnets = pulumi.output(args.computeSubnetIds);
        const targets = Array.from(
            { length: args.computeSubnetCount },
            (_, i) => new aws.efs.MountTarget(`${name}-homes-${i}`, { fileSystemId: fileSystem.id, subnetId: subnets.apply((ids) => ids[i]), securityGroups: [nfs.id] }, { parent: this }),
        );
        // Nodes mount it by DNS name, which resolves only once a mount target exists in their zone.
        return pulumi.all([fileSystem.id, ...targets.map((target) => target.id)]).apply(([id]) => homeMount(args.pcs.homes, args.region, id));
    }
}
