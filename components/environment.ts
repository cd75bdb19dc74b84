/**
 * A multi-user ParallelCluster environment whose SSH users are IAM users: network, FSx settings, the
 * private bucket with the node scripts, the access backend that delivers the users to the nodes
 * (components/access: roster by default, or the article's OpsWorks) and the cluster configuration that
 * ties them together.
 */
import * as pulumi from "@pulumi/pulumi";
import { backendObjects, buildAccess, type AccessLocation, type UserLogin, type UserRow } from "./access";
import { ClusterConfiguration } from "./cluster/clusterConfiguration";
import type { EnvironmentConfig } from "./config/model";
import { s3ReadPolicy } from "./access/s3ReadPolicy";
import { previousDeployment } from "./cluster/previousDeployment";
import { DeployedCluster, type LoginNodeAddress } from "./cluster/deployedCluster";
import { EnvironmentName } from "./environmentName";
import { FsxSettings } from "./fsxSettings";
import { Network } from "./network";
import { PostInstallAsset } from "./postInstallAsset";
import { PcsCluster, type PcsSummary } from "./pcs/pcsCluster";

export interface ParallelClusterEnvironmentArgs {
    /** The validated stack config (components/config). */
    readonly config: EnvironmentConfig;
    /** Managed policies for every node. Default: the access backend's (OpsWorks: the two the article requires). */
    readonly iamPolicyArns?: readonly string[];
}

export interface ClusterSummary {
    readonly name: string;
    /** Read back on the next run: an update needs the release that created the cluster. */
    readonly parallelClusterVersion: string;
    readonly status: string;
    readonly headNode: { readonly privateIp: string; readonly instanceId: string };
    /** Each login node pool's load balancer address, in config order. */
    readonly loginNodes: readonly LoginNodeAddress[];
    readonly validationMessages: string;
}

export class ParallelClusterEnvironment extends pulumi.ComponentResource {
    /** The ParallelCluster configuration; undefined on AWS PCS, which has none. */
    readonly clusterConfiguration?: pulumi.Output<string>;
    readonly clusterConfigurationUrl?: pulumi.Output<string>;
    readonly clusterConfigurationFile?: string;
    /** With cluster.service pcs: the PCS cluster, its node groups and queues, and each launch template's user data. */
    readonly pcs?: pulumi.Output<PcsSummary>;
    /** The backend and where its users live: the roster document's URL, or the OpsWorks stack's id. */
    readonly access: pulumi.Output<AccessLocation>;
    readonly postInstallUrl: pulumi.Output<string>;
    readonly users: pulumi.Output<UserRow[]>;
    readonly fsx: pulumi.Output<string>;
    /** The deployed cluster's name, status and addresses; undefined unless cluster.deploy. */
    readonly cluster?: pulumi.Output<ClusterSummary>;
    /** Per user, the line they run to log in; undefined unless cluster.deploy. */
    readonly logins?: pulumi.Output<Record<string, UserLogin>>;
    /** Roster backend: what `pulumi up`'s last wait for the nodes to report the roster found; undefined otherwise. */
    readonly nodeRollout?: pulumi.Output<unknown>;

    constructor(name: string, args: ParallelClusterEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:index:ParallelClusterEnvironment", name, {}, opts);
        const { config } = args;
        const parent = { parent: this };

        new EnvironmentName({ clusterName: config.cluster.name, ...(config.cluster.renamedFrom === undefined ? {} : { renamedFrom: config.cluster.renamedFrom }) }, parent);
        const network = new Network(`${name}-network`, { settings: config.network }, parent);
        const fsx = new FsxSettings(`${name}-fsx`, { settings: config.cluster.fsx }, parent);
        const asset = new PostInstallAsset(`${name}-scripts`, { extraObjects: backendObjects(config.access) }, parent);
        const access = buildAccess(
            name,
            config.access,
            {
                users: config.users,
                region: config.region,
                environment: config.cluster.name,
                vpcId: network.vpcId,
                headNodeSubnetId: network.headNodeSubnetId,
                bucket: asset.bucketName,
                scriptUrl: asset.scriptUrl,
                bucketGuards: asset.guards,
            },
            this,
        );
        const nodeAccess = args.iamPolicyArns === undefined ? access.nodeAccess : { ...access.nodeAccess, iamPolicyArns: args.iamPolicyArns };
        this.access = access.location;
        this.postInstallUrl = asset.scriptUrl;
        this.users = access.users;
        this.fsx = fsx.summary;
        this.nodeRollout = access.nodeRollout;
        if (config.pcs !== undefined) {
            // AWS PCS: no ParallelCluster configuration; the node groups' launch templates carry what post-install does.
            const built = new PcsCluster(
                `${name}-pcs`,
                {
                    cluster: config.cluster,
                    pcs: config.pcs,
                    region: config.region,
                    vpcId: network.vpcId,
                    loginSubnetId: network.headNodeSubnetId,
                    computeSubnetIds: network.computeSubnetIds,
                    computeSubnetCount: config.network.mode === "create" ? config.network.availabilityZones : config.network.computeSubnetIds.length,
                    access: nodeAccess,
                },
                parent,
            );
            this.pcs = built.summary;
            this.registerOutputs({ access: this.access, postInstallUrl: this.postInstallUrl, users: this.users, pcs: this.pcs });
            return;
        }
        // Login node pools take no S3Access: they read what every node reads through a managed policy.
        const loginNodeReads = config.cluster.loginNodes.length === 0 ? undefined : s3ReadPolicy(`${name}-login-node-reads`, nodeAccess.s3Reads, this);
        // Only a deployed cluster has a previous deployment worth reading back.
        const previous = config.cluster.deployment.deploy ? previousDeployment(name, this) : undefined;
        const configuration = new ClusterConfiguration(
            `${name}-cluster-config`,
            {
                cluster: { ...config.cluster, fsx: fsx.settings },
                bucket: asset.bucketName,
                ...(previous === undefined ? {} : { deployedText: previous.apply((deployed) => deployed.configurationText) }),
                wiring: {
                    region: config.region,
                    vpcId: network.vpcId,
                    headNodeSubnetId: network.headNodeSubnetId,
                    computeSubnetIds: network.computeSubnetIds,
                    primaryComputeSubnetId: network.primaryComputeSubnetId,
                    scriptReadResourceArn: asset.readResourceArn,
                    access: nodeAccess,
                    ...(loginNodeReads === undefined ? {} : { loginNodeIamPolicyArns: [loginNodeReads.arn] }),
                },
            },
            parent,
        );

        if (config.cluster.deployment.deploy) {
            const deployed = new DeployedCluster(
                `${name}-cluster`,
                {
                    clusterName: config.cluster.name,
                    region: config.region,
                    deployment: config.cluster.deployment,
                    configuration: configuration.document,
                    bucket: asset.bucketName,
                    bucketGuards: asset.guards,
                    previous: previous ?? {},
                    loginPools: config.cluster.loginNodes.map((pool) => pool.name),
                },
                parent,
            );
            this.cluster = pulumi.output({
                name: deployed.clusterName,
                parallelClusterVersion: deployed.parallelClusterVersion,
                status: deployed.status,
                headNode: { privateIp: deployed.headNodePrivateIp, instanceId: deployed.headNodeInstanceId },
                loginNodes: deployed.loginNodes,
                validationMessages: deployed.validationMessages,
            });
            // Users land on the first login node pool; the backend says who and how.
            this.logins = access.logins(
                pulumi.all([deployed.loginNodes, deployed.headNodeInstanceId]).apply(([pools, headNodeInstanceId]) => ({
                    region: config.region,
                    clusterName: config.cluster.name,
                    ...(pools[0] === undefined ? {} : { host: pools[0].address }),
                    headNodeInstanceId,
                })),
            );
        }
        this.clusterConfiguration = configuration.text;
        this.clusterConfigurationUrl = configuration.url;
        this.clusterConfigurationFile = configuration.fileName;
        this.registerOutputs({
            clusterConfiguration: this.clusterConfiguration,
            clusterConfigurationUrl: this.clusterConfigurationUrl,
            access: this.access,
            postInstallUrl: this.postInstallUrl,
            users: this.users,
            cluster: this.cluster,
            logins: this.logins,
            nodeRollout: this.nodeRollout,
        });
    }
}
