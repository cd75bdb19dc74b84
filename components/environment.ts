/**
 * A multi-user ParallelCluster environment whose SSH users are IAM users (the article's procedure):
 * network, FSx settings, the OpsWorks stack, the users, the post-install script and the cluster
 * configuration that ties them together.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildOpsWorksAccess } from "./access/opsworks";
import { ClusterConfiguration } from "./clusterConfiguration";
import type { UserRow } from "./clusterUsers";
import type { EnvironmentConfig } from "./config/model";
import { DeployedCluster } from "./deployedCluster";
import { FsxSettings } from "./fsxSettings";
import { Network } from "./network";
import { PostInstallAsset } from "./postInstallAsset";

export interface ParallelClusterEnvironmentArgs {
    /** The validated stack config (components/config). */
    readonly config: EnvironmentConfig;
    /** Managed policies for every node. Default: the access backend's (OpsWorks: the two the article requires). */
    readonly iamPolicyArns?: readonly string[];
}

export interface ClusterSummary {
    readonly name: string;
    readonly status: string;
    readonly headNode: { readonly privateIp: string; readonly instanceId: string };
    readonly validationMessages: string;
}

export class ParallelClusterEnvironment extends pulumi.ComponentResource {
    readonly clusterConfiguration: pulumi.Output<string>;
    readonly clusterConfigurationUrl: pulumi.Output<string>;
    readonly clusterConfigurationFile: string;
    readonly opsworksStackId: pulumi.Output<string>;
    readonly postInstallUrl: pulumi.Output<string>;
    readonly users: pulumi.Output<UserRow[]>;
    readonly fsx: pulumi.Output<string>;
    /** The deployed cluster's name, status and addresses; undefined unless cluster.deploy. */
    readonly cluster?: pulumi.Output<ClusterSummary>;
    /** Per user, the line they run to log in; undefined unless cluster.deploy. */
    readonly logins?: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ParallelClusterEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:index:ParallelClusterEnvironment", name, {}, opts);
        const { config } = args;
        const parent = { parent: this };

        const network = new Network(`${name}-network`, { settings: config.network }, parent);
        const fsx = new FsxSettings(`${name}-fsx`, { settings: config.cluster.fsx }, parent);
        const asset = new PostInstallAsset(`${name}-scripts`, {}, parent);
        const access = buildOpsWorksAccess(
            name,
            {
                settings: config.opsworks,
                users: config.users,
                region: config.region,
                vpcId: network.vpcId,
                headNodeSubnetId: network.headNodeSubnetId,
                bucket: asset.bucketName,
                scriptUrl: asset.scriptUrl,
            },
            this,
        );
        const nodeAccess = args.iamPolicyArns === undefined ? access.nodeAccess : { ...access.nodeAccess, iamPolicyArns: args.iamPolicyArns };
        const configuration = new ClusterConfiguration(
            `${name}-cluster-config`,
            {
                cluster: { ...config.cluster, fsx: fsx.settings },
                bucket: asset.bucketName,
                wiring: {
                    region: config.region,
                    vpcId: network.vpcId,
                    headNodeSubnetId: network.headNodeSubnetId,
                    computeSubnetIds: network.computeSubnetIds,
                    primaryComputeSubnetId: network.primaryComputeSubnetId,
                    scriptReadResourceArn: asset.readResourceArn,
                    access: nodeAccess,
                },
            },
            parent,
        );

        if (config.cluster.deployment.deploy) {
            const deployed = new DeployedCluster(
                `${name}-cluster`,
                { clusterName: config.cluster.name, region: config.region, deployment: config.cluster.deployment, configuration: configuration.document },
                parent,
            );
            this.cluster = pulumi.output({
                name: deployed.clusterName,
                status: deployed.status,
                headNode: { privateIp: deployed.headNodePrivateIp, instanceId: deployed.headNodeInstanceId },
                validationMessages: deployed.validationMessages,
            });
            this.logins = deployed.headNodePrivateIp.apply((address) =>
                Object.fromEntries(config.users.filter((user) => user.access === "allowed").map((user) => [user.iamUserName, `ssh ${user.sshUsername}@${address}`])),
            );
        }
        this.clusterConfiguration = configuration.text;
        this.clusterConfigurationUrl = configuration.url;
        this.clusterConfigurationFile = configuration.fileName;
        this.opsworksStackId = access.stackId;
        this.postInstallUrl = asset.scriptUrl;
        this.users = access.users;
        this.fsx = fsx.summary;
        this.registerOutputs({
            clusterConfiguration: this.clusterConfiguration,
            clusterConfigurationUrl: this.clusterConfigurationUrl,
            opsworksStackId: this.opsworksStackId,
            postInstallUrl: this.postInstallUrl,
            users: this.users,
            cluster: this.cluster,
            logins: this.logins,
        });
    }
}
