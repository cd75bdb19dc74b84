/**
 * The CloudFormation template of the cluster stack: one `Custom::PclusterCluster` whose
 * ClusterConfiguration is the rendered ParallelCluster 3 document as an object (the Lambda reads it as a
 * mapping: it calls `.get("Tags")` on it), and outputs only for attributes the Lambda always returns
 * (reference/cluster-custom-resource.md: reading an attribute it did not return fails the stack).
 */

import { createHash } from "node:crypto";

/** The logical id of the cluster in the template. */
export const CLUSTER_LOGICAL_ID = "PclusterCluster";
export const CLUSTER_RESOURCE_TYPE = "Custom::PclusterCluster";

/** CloudFormation's limit for an inline template body (bytes); larger templates go through S3 (up to 1 MB). */
export const TEMPLATE_BODY_LIMIT = 51_200;

/** Stack output name to the custom resource attribute it reads (describe-cluster, flattened). */
export const CLUSTER_TEMPLATE_OUTPUTS: Readonly<Record<string, string>> = {
    ClusterStatus: "clusterStatus",
    HeadNodePrivateIp: "headNode.privateIpAddress",
    HeadNodeInstanceId: "headNode.instanceId",
    ValidationMessages: "validationMessages",
};

export interface ClusterTemplateInputs<T> {
    readonly serviceToken: T;
    readonly clusterName: string;
    /** The rendered ParallelCluster 3 configuration, as an object. */
    readonly configuration: unknown;
}

export function buildClusterTemplate<T>(inputs: ClusterTemplateInputs<T>): Record<string, unknown> {
    return {
        AWSTemplateFormatVersion: "2010-09-09",
        Description: `ParallelCluster cluster ${inputs.clusterName}, created and updated by its pcluster-access Pulumi stack`,
        Resources: {
            [CLUSTER_LOGICAL_ID]: {
                Type: CLUSTER_RESOURCE_TYPE,
                Properties: {
                    ServiceToken: inputs.serviceToken,
                    ClusterName: inputs.clusterName,
                    ClusterConfiguration: inputs.configuration,
                },
            },
        },
        Outputs: Object.fromEntries(
            Object.entries(CLUSTER_TEMPLATE_OUTPUTS).map(([output, attribute]) => [
                output,
                { Description: `describe-cluster's ${attribute}`, Value: { "Fn::GetAtt": [CLUSTER_LOGICAL_ID, attribute] } },
            ]),
        ),
    };
}

/** The template as CloudFormation receives it: compact JSON, so 50 queues fit the body limit. */
export function serializeClusterTemplate(template: Record<string, unknown>): string {
    return JSON.stringify(template);
}

/** Whether CloudFormation takes the template inline (templateBody); otherwise it goes by URL from S3. */
export function fitsTemplateBody(body: string): boolean {
    return Buffer.byteLength(body, "utf8") <= TEMPLATE_BODY_LIMIT;
}

/**
 * The S3 key a template is stored under: named by its content, so a changed template is a new URL and
 * CloudFormation sees the change (a stack whose TemplateURL is unchanged is not updated).
 */
export function templateObjectKey(body: string): string {
    return `cluster-templates/${createHash("sha256").update(body).digest("hex").slice(0, 16)}.json`;
}

/** The https URL CloudFormation reads a template from (a regional virtual-hosted S3 URL). */
export function templateObjectUrl(bucket: string, region: string, key: string): string {
    return `https://${bucket}.s3.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}/${key}`;
}
