/**
 * Whether the stack's region offers every instance type the cluster names, asked of AWS in a preview
 * (ec2:DescribeInstanceTypeOfferings through the provider's getInstanceTypeOfferings, location type
 * "region"): a well-formed type the region does not have (c5nn.18xlarge, or a family the region lacks)
 * is refused before ParallelCluster would fail on it halfway through a deploy. The form of each type is
 * checked offline first (config/instanceTypes.ts). Which zones offer it is ParallelCluster's own
 * validation at create time (InstanceTypeValidator), not repeated here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings } from "../config/model";

/** Each instance type the cluster names, with its key path. */
export function clusterInstanceTypes(cluster: ClusterSettings): { path: string; instanceType: string }[] {
    return [
        // An AWS PCS cluster has no head node.
        ...(cluster.headNode === undefined ? [] : [{ path: "cluster.headNode.instanceType", instanceType: cluster.headNode.instanceType }]),
        ...cluster.queues.flatMap((queue, q) =>
            queue.computeResources.map((resource, r) => ({ path: `cluster.queues[${q}].computeResources[${r}].instanceType`, instanceType: resource.instanceType })),
        ),
        ...cluster.loginNodes.map((pool, p) => ({ path: `cluster.loginNodes[${p}].instanceType`, instanceType: pool.instanceType })),
    ];
}

/** Resolves when the region offers every type; fails the preview naming each key whose type it does not. */
export function checkInstanceTypesOffered(cluster: ClusterSettings, region: string, parent: pulumi.Resource): pulumi.Output<void> {
    const wanted = clusterInstanceTypes(cluster);
    const types = [...new Set(wanted.map((entry) => entry.instanceType))].sort();
    return aws.ec2
        .getInstanceTypeOfferingsOutput({ locationType: "region", filters: [{ name: "instance-type", values: types }] }, { parent })
        .apply((offerings) => {
            const offered = new Set(offerings.instanceTypes);
            const missing = wanted.filter((entry) => !offered.has(entry.instanceType));
            if (missing.length > 0) {
                throw new pulumi.ResourceError(
                    missing
                        .map(
                            (entry) =>
                                `${entry.path}: ${region} does not offer ${entry.instanceType} (aws ec2 describe-instance-type-offerings --region ${region} ` +
                                `--filters Name=instance-type,Values=${entry.instanceType} lists nothing). Choose a type the region offers, or deploy in a region that has it.`,
                        )
                        .join("\n"),
                    parent,
                );
            }
        });
}
