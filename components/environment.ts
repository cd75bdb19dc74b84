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
import { EnvironmentName } from "./environmentName";
import { FsxSettings } from "./fsxSettings";
import { Network } from "./network";
import { PostInstallAsset } from "./postInstallAsset";

export interface ParallelClusterEnvironmentArgs {
    /** The validated stack config (components/config). */
    readonly config: EnvironmentConfig;
    /** Managed policies for every node. Default: the access backend's (OpsWorks: the two the article requires). */
    readonly iamPolicyArns?: readonly string[];
}

export class ParallelClusterEnvironment extends pulumi.ComponentResource {
    readonly clusterConfiguration: pulumi.Output<string>;
    readonly clusterConfigurationUrl: pulumi.Output<string>;
    readonly clusterConfigurationFile: string;
    readonly opsworksStackId: pulumi.Output<string>;
    readonly postInstallUrl: pulumi.Output<string>;
    readonly users: pulumi.Output<UserRow[]>;
    readonly fsx: pulumi.Output<string>;

    constructor(name: string, args: ParallelClusterEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:index:ParallelClusterEnvironment", name, {}, opts);
        const { config } = args;
        const parent = { parent: this };

        new EnvironmentName({ clusterName: config.cluster.name, ...(config.cluster.renamedFrom === undefined ? {} : { renamedFrom: config.cluster.renamedFrom }) }, parent);
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
        });
    }
}
