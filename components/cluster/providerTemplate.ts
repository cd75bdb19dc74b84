/**
 * Where ParallelCluster publishes the provider of its CloudFormation custom resource, per release and
 * region (reference/cluster-custom-resource.md; the same URL its own cluster-1-click.yaml nests), and
 * what creating that stack needs: it is a SAM template (Transform) that creates IAM roles and policies.
 */

export const PROVIDER_CAPABILITIES: readonly string[] = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"];

/** AWS::URLSuffix of a region's partition. */
function urlSuffix(region: string): string {
    return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/** `https://<region>-aws-parallelcluster.s3.<region>.<suffix>/parallelcluster/<version>/templates/custom_resource/cluster.yaml`. */
export function providerTemplateUrl(region: string, version: string): string {
    return `https://${region}-aws-parallelcluster.s3.${region}.${urlSuffix(region)}/parallelcluster/${version}/templates/custom_resource/cluster.yaml`;
}

/**
 * The provider stack's CloudFormation name: the version is part of it, so a new release is a new stack
 * beside the old one, never the old one replaced in place (its ServiceToken would change under the
 * clusters that use it, which CloudFormation refuses).
 */
export function providerStackName(clusterName: string, version: string): string {
    return `${clusterName}-pcluster-provider-${version.replace(/\./g, "-")}`;
}
