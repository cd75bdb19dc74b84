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

/**
 * The workaround of known issue aws/aws-parallelcluster#7491 (login nodes through the custom resource fail
 * on 3.7.0-3.15.1; releases.ts), as the provider stack's AdditionalIamPolicies takes it: a managed policy
 * added to its Lambda's role (cluster.yaml: "only used if CustomLambdaRole isn't provided", which the
 * program never sets). IAM Allows add up, so an Allow of the two actions the published policy grants only
 * under `ForAllValues:StringEquals aws:TagKeys` lifts the failure (aws-tf/terraform-aws-parallelcluster
 * PR #60). The smallest grant that does it: those two actions only, no tag condition (the tag condition is
 * what fails), and only in the cluster's region through `aws:RequestedRegion`, a global condition key every
 * request carries (ParallelCluster's own policies scope by it). Not by resource ARN: whether CreateListener
 * authorizes against the listener or the load balancer ARN could not be confirmed, and a pattern that
 * misses it would deny the call the workaround exists to allow; the published statement uses `*` too.
 */
export function loginNodesListenerPolicy(region: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LoginNodesListenerWithoutTagCondition",
                Effect: "Allow",
                Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateTargetGroup"],
                Resource: "*",
                Condition: { StringEquals: { "aws:RequestedRegion": region } },
            },
        ],
    };
}
