/**
 * What this stack deployed last, read back from its own outputs through a StackReference to itself
 * (outputs of the last successful `pulumi up`): the cluster's ParallelCluster release and the
 * configuration text ParallelCluster got. The program refuses a release change ParallelCluster cannot
 * apply, and hands the text to the policies so they can advise on updates that need the fleet stopped.
 * Empty on a stack's first deploy and when the cluster was not deployed.
 */
import * as pulumi from "@pulumi/pulumi";

export interface PreviousDeployment {
    readonly parallelClusterVersion?: string;
    readonly configurationText?: string;
}

export function previousDeployment(name: string, parent: pulumi.Resource): pulumi.Output<PreviousDeployment> {
    const self = new pulumi.StackReference(`${name}-previous`, { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}` }, { parent });
    return pulumi.all([self.getOutput("cluster"), self.getOutput("clusterConfiguration")]).apply(([cluster, text]): PreviousDeployment => {
        const version = (cluster as { parallelClusterVersion?: unknown } | null | undefined)?.parallelClusterVersion;
        return typeof version === "string" && typeof text === "string" ? { parallelClusterVersion: version, configurationText: text } : {};
    });
}

/** Why the cluster cannot move from the previous release to `version`, or undefined when it can. */
export function releaseChangeProblem(clusterName: string, previous: PreviousDeployment, version: string): string | undefined {
    const was = previous.parallelClusterVersion;
    if (was === undefined || was === version) {
        return undefined;
    }
    return (
        `cluster.parallelClusterVersion: the cluster '${clusterName}' was created with ParallelCluster ${was}, and ParallelCluster updates a cluster only with the release ` +
        "that created it (a new release is a new provider stack, whose ServiceToken CloudFormation will not move the cluster to). " +
        `Keep ${was}, or set cluster.deploy: false and run pulumi up (this deletes the cluster), then set ${version} and deploy again.`
    );
}
