/**
 * The article's environment as stack config (raw, before validation), and its rendering wiring with the
 * article's own placeholders, so a rendered v2 file can be compared with the article's key by key.
 */
import type { RawConfigInput } from "../../components/config";
import { opsworksNodeAccess } from "../../components/access/opsworks";
import type { ClusterWiring } from "../../components/cluster/render/wiring";
import { ed25519PublicKey } from "./keys";

export function articleQueue(name: string, instanceType: string) {
    return {
        name,
        computeResources: [{ instanceType, maxCount: 10 }],
        efa: true,
        placementGroup: "DYNAMIC",
        disableHyperthreading: true,
        capacityType: "ondemand",
    };
}

export function articleRawConfig(format: "v2" | "v3"): RawConfigInput {
    return {
        region: "eu-west-1",
        cluster: {
            name: "hpc-article",
            format,
            // v3: Amazon Linux 2023 (centos7 left ParallelCluster 3 in 3.10.0, alinux2 in 3.16.0).
            os: format === "v2" ? "centos7" : "alinux2023",
            keyName: "<YOUR-SSH-KEY>",
            headNode: { instanceType: "t3.large", rootVolumeSize: 340 },
            computeRootVolumeSize: 340,
            queues: [
                articleQueue("compute", "c5n.18xlarge"),
                articleQueue("standard", "m5n.24xlarge"),
                articleQueue("highmem", "r5n.24xlarge"),
            ],
            fsx: { name: "scratchfs", mountDir: "/fsx", storageCapacity: 1200, deploymentType: "SCRATCH_2" },
        },
        network: { existing: { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: ["subnet-0fedcba9876543210"] } },
        access: { backend: "opsworks" },
        opsworks: { stackName: "hpc-article-users" },
        users: [{ iamUser: "alice", sshPublicKey: ed25519PublicKey() }],
    };
}

/** The article's placeholders in place of the values other components produce. */
export const ARTICLE_WIRING: ClusterWiring = {
    region: "eu-west-1",
    vpcId: "<YOUR-VPC-ID>",
    headNodeSubnetId: "<YOUR-CONTROLLER-SUBNET-ID>",
    computeSubnetIds: ["<YOUR_COMPUTE-SUBNET-ID>"],
    primaryComputeSubnetId: "<YOUR_COMPUTE-SUBNET-ID>",
    scriptReadResourceArn: "arn:aws:s3:::<YOUR-S3-BUCKET-NAME>/*",
    access: opsworksNodeAccess("<YOUR-OPSWORKS-STACK-ID>", "<YOUR-S3-BUCKET-NAME>", "s3://<YOUR-S3-BUCKET-NAME>/post-install.sh"),
};
