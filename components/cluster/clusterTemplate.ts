/**
 * The CloudFormation template of the cluster stack: one `Custom::PclusterCluster` whose
 * ClusterConfiguration is the rendered ParallelCluster 3 document as an object (the Lambda reads it as a
 * mapping: it calls `.get("Tags")` on it), and outputs only for attributes the Lambda always returns
 * (reference/cluster-custom-resource.md: reading an attribute it did not return fails the stack).
 */

/** The logical id of the cluster in the template. */
export const CLUSTER_LOGICAL_ID = "PclusterCluster";
export const CLUSTER_RESOURCE_TYPE = "Custom::PclusterCluster";

/** CloudFormation's limit for an inline template body (bytes). */
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

/** Why a template body cannot be sent inline, or undefined when it can. */
export function templateSizeProblem(body: string): string | undefined {
    const bytes = Buffer.byteLength(body, "utf8");
    return bytes <= TEMPLATE_BODY_LIMIT
        ? undefined
        : `the cluster stack's template is ${bytes} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit for a template body. ` +
              "Use fewer queues, or shorter names (placement groups above all); 50 queues with 25-character names fit.";
}
