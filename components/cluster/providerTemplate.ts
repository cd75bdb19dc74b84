/**
 * Where ParallelCluster publishes the provider of its CloudFormation custom resource, per release and
 * region (reference/cluster-custom-resource.md; the same URL its own cluster-1-click.yaml nests), and
 * what creating that stack needs: it is a SAM template (Transform) that creates IAM roles and policies.
 */
import { partitionOf } from "../awsIds";

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
 * program never sets). It is AWS's own published mitigation (aws-parallelcluster wiki, "(3.7.0-3.15.1)
 * Cannot deploy login nodes with ParallelCluster API, UI, CloudFormation Custom Resource and Terraform"):
 * elasticloadbalancing:CreateListener when the request carries the `parallelcluster:cluster-name` tag,
 * whatever other tags it carries (the published policy wants that tag alone: that is the failure). No more
 * than that: not CreateTargetGroup (the wiki grants it no exception; aws-tf/terraform-aws-parallelcluster
 * PR #60 granted both actions with no tag condition), and only in the cluster's region
 * (`aws:RequestedRegion`, a global condition key every request carries), which narrows it further. Not by
 * resource ARN, as the published statement (`*`).
 */
export function loginNodesListenerPolicy(region: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LoginNodesListenerWithClusterNameTag",
                Effect: "Allow",
                Action: ["elasticloadbalancing:CreateListener"],
                Resource: "*",
                Condition: {
                    Null: { "aws:RequestTag/parallelcluster:cluster-name": "false" },
                    StringEquals: { "aws:RequestedRegion": region },
                },
            },
        ],
    };
}

/**
 * The workaround of known issue aws/aws-parallelcluster#7331 (HeadNodeAlarm fails on cloudwatch:TagResource
 * through the custom resource, 3.8.0-3.15.1; releases.ts): what PR #7296 adds to ParallelCluster's own
 * policy ("Add tag and untag permissions": cloudwatch:TagResource and UntagResource), limited to this
 * cluster's alarms. ParallelCluster names them after the cluster ("[cluster-name]-[component-name]-[metric]",
 * CHANGELOG 3.8.0; the composite HeadNodeAlarm `<cluster>-HeadNode`), and CloudWatch authorizes TagResource
 * against the alarm's ARN.
 */
export function headNodeAlarmTaggingPolicy(region: string, clusterName: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ClusterAlarmsTagging",
                Effect: "Allow",
                Action: ["cloudwatch:TagResource", "cloudwatch:UntagResource"],
                Resource: `arn:${partitionOf(region)}:cloudwatch:${region}:*:alarm:${clusterName}-*`,
            },
        ],
    };
}
