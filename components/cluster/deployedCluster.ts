/**
 * The cluster itself, owned by the Pulumi stack through ParallelCluster's CloudFormation custom resource
 * (reference/cluster-custom-resource.md): the provider stack (ParallelCluster's published template for
 * the release, unless an existing provider's ServiceToken is given) and a cluster stack whose one
 * resource is `Custom::PclusterCluster` with the rendered configuration. CloudFormation, not Pulumi,
 * then calls ParallelCluster to create, update and delete the cluster.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildClusterTemplate, fitsTemplateBody, serializeClusterTemplate, templateObjectKey, templateObjectUrl } from "./clusterTemplate";
import { HEAD_NODE_ALARM_TAGGING_ISSUE, LOGIN_NODES_LISTENER_ISSUE } from "../config/releases";
import { PROVIDER_CAPABILITIES, headNodeAlarmTaggingPolicy, loginNodesListenerPolicy, providerStackName, providerTemplateUrl } from "./providerTemplate";
import { releaseChangeProblem, type PreviousDeployment } from "./previousDeployment";
import type { DeploymentSettings } from "../config/model";

/**
 * A custom resource may run for an hour; an update that fails after that long is rolled back by a second
 * run of up to an hour. Pulumi's default (30 minutes) would give up on a cluster still being created.
 */
export const CLUSTER_STACK_TIMEOUTS: pulumi.CustomTimeouts = { create: "180m", update: "180m", delete: "180m" };

/** Set once when the stack is created and never changed: ParallelCluster cannot update a cluster's tags. */
export const CLUSTER_STACK_TAG = "pcluster-access:cluster";

export interface DeployedClusterArgs {
    /** ParallelCluster's name for the cluster (its own CloudFormation stack's name). */
    readonly clusterName: string;
    readonly region: string;
    readonly deployment: DeploymentSettings;
    /** The rendered ParallelCluster 3 configuration document (the object the policies read). */
    readonly configuration: pulumi.Input<unknown>;
    /** The environment's bucket: the template is stored there, and read from there when too large to send inline. */
    readonly bucket: pulumi.Input<string>;
    /** The bucket's guards (PostInstallAsset.guards): the template is written only once the bucket is private and encrypted. */
    readonly bucketGuards: readonly pulumi.Resource[];
    /** What the stack deployed last (components/cluster/previousDeployment.ts). */
    readonly previous: pulumi.Input<PreviousDeployment>;
    /** Names of the configuration's login node pools, in order. */
    readonly loginPools: readonly string[];
}

/** Where users of a login node pool connect: the pool's load balancer. */
export interface LoginNodeAddress {
    readonly pool: string;
    readonly address: string;
}

export class DeployedCluster extends pulumi.ComponentResource {
    readonly clusterName: string;
    /** The ParallelCluster release that creates and updates the cluster. */
    readonly parallelClusterVersion: string;
    /** The provider's Lambda, which the custom resource calls. */
    readonly serviceToken: pulumi.Output<string>;
    /** describe-cluster's clusterStatus when CloudFormation last finished (CREATE_COMPLETE or UPDATE_COMPLETE). */
    readonly status: pulumi.Output<string>;
    readonly headNodePrivateIp: pulumi.Output<string>;
    readonly headNodeInstanceId: pulumi.Output<string>;
    /** ParallelCluster's validation warnings of the last create or update (JSON, cut to 2 KB by the Lambda). */
    readonly validationMessages: pulumi.Output<string>;
    /** Each login node pool's load balancer DNS name, in config order. */
    readonly loginNodes: pulumi.Output<LoginNodeAddress[]>;

    constructor(name: string, args: DeployedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:cluster:DeployedCluster", name, {}, opts);
        const { clusterName, deployment } = args;
        this.clusterName = clusterName;
        // Refused before anything is created (the previous outputs are known in a preview): both stacks wait on it.
        const releaseChecked = pulumi.output(args.previous).apply((previous) => {
            const problem = releaseChangeProblem(clusterName, previous, deployment.parallelClusterVersion);
            if (problem !== undefined) {
                throw new pulumi.ResourceError(problem, this);
            }
            // Known issue #7287: creating is what fails; a cluster this stack created before keeps running and updating.
            if (deployment.creationBlocked !== undefined) {
                if (previous.parallelClusterVersion === undefined) {
                    throw new pulumi.ResourceError(`cluster.parallelClusterVersion: ${deployment.creationBlocked} Nothing was created.`, this);
                }
                void pulumi.log.warn(`cluster.parallelClusterVersion: ${deployment.creationBlocked} This stack created '${clusterName}' before: it is updated, not refused.`, this);
            }
            return deployment.parallelClusterVersion;
        });
        this.serviceToken =
            deployment.serviceToken !== undefined ? pulumi.output(deployment.serviceToken) : this.providerStack(name, args, releaseChecked).outputs.apply((outputs) => outputs.ServiceToken);
        this.parallelClusterVersion = deployment.parallelClusterVersion;

        const template = pulumi
            .all([this.serviceToken, args.configuration, releaseChecked])
            .apply(([serviceToken, configuration]) => serializeClusterTemplate(buildClusterTemplate({ serviceToken, clusterName, configuration })));
        // Stored always (people and CI can read what CloudFormation got), named by content; sent inline when
        // it fits CloudFormation's template body limit, by URL otherwise (50 queues can exceed it).
        const stored = new aws.s3.BucketObjectv2(
            `${name}-template`,
            { bucket: args.bucket, key: template.apply(templateObjectKey), content: template, contentType: "application/json", serverSideEncryption: "AES256" },
            { parent: this, dependsOn: [...args.bucketGuards] },
        );
        const fits = template.apply(fitsTemplateBody);
        const stack = new aws.cloudformation.Stack(
            `${name}-stack`,
            {
                // ParallelCluster names its own stack after the cluster: this one must differ.
                name: `${clusterName}-deployment`,
                templateBody: pulumi.all([template, fits]).apply(([body, inline]) => (inline ? body : undefined)),
                templateUrl: pulumi.all([stored.bucket, stored.key, fits]).apply(([bucket, key, inline]) => (inline ? undefined : templateObjectUrl(bucket, args.region, key))),
                tags: { [CLUSTER_STACK_TAG]: clusterName },
            },
            { parent: this, customTimeouts: CLUSTER_STACK_TIMEOUTS, ignoreChanges: ["tags"] },
        );
        const output = (key: string) => stack.outputs.apply((outputs) => outputs[key]);
        this.status = output("ClusterStatus");
        this.headNodePrivateIp = output("HeadNodePrivateIp");
        this.headNodeInstanceId = output("HeadNodeInstanceId");
        this.validationMessages = output("ValidationMessages");
        this.loginNodes = pulumi.all(args.loginPools.map((pool) => this.loginNodeAddress(clusterName, pool, stack)));
        this.registerOutputs({
            serviceToken: this.serviceToken,
            status: this.status,
            headNodePrivateIp: this.headNodePrivateIp,
            headNodeInstanceId: this.headNodeInstanceId,
            validationMessages: this.validationMessages,
            loginNodes: this.loginNodes,
        });
    }

    /**
     * A pool's address is not among the custom resource's attributes that always exist (describe-cluster
     * lists pools only once their load balancer is found), so it is looked up after the cluster stack by
     * the tags ParallelCluster puts on the pool's load balancer (login_nodes_status.py).
     */
    private loginNodeAddress(clusterName: string, pool: string, stack: aws.cloudformation.Stack): pulumi.Output<LoginNodeAddress> {
        const balancer = aws.lb.getLoadBalancerOutput(
            { tags: { "parallelcluster:cluster-name": clusterName, "parallelcluster:login-nodes-pool": pool } },
            { parent: this, dependsOn: [stack] },
        );
        return balancer.dnsName.apply((address) => ({ pool, address }));
    }

    /**
     * ParallelCluster's provider for this release; protected, and named by release so a new one never
     * replaces it. On a release with known issues the program works around (#7491 with login node pools,
     * #7331), with the workarounds' policies in its AdditionalIamPolicies (a comma list).
     */
    private providerStack(name: string, args: DeployedClusterArgs, releaseChecked: pulumi.Output<string>): aws.cloudformation.Stack {
        const version = args.deployment.parallelClusterVersion;
        const fixes = [
            ...(args.deployment.loginNodesListenerFix ? [this.loginNodesListenerFix(name, args.region, version, releaseChecked)] : []),
            ...(args.deployment.headNodeAlarmTaggingFix ? [this.headNodeAlarmTaggingFix(name, args.region, args.clusterName, version, releaseChecked)] : []),
        ];
        return new aws.cloudformation.Stack(
            `${name}-provider-${version}`,
            {
                name: releaseChecked.apply((checked) => providerStackName(args.clusterName, checked)),
                templateUrl: providerTemplateUrl(args.region, version),
                capabilities: [...PROVIDER_CAPABILITIES],
                ...(fixes.length === 0 ? {} : { parameters: { AdditionalIamPolicies: pulumi.all(fixes.map((fix) => fix.arn)).apply((arns) => arns.join(",")) } }),
            },
            { parent: this, protect: true },
        );
    }

    /** The policy the provider stack's Lambda needs on 3.7.0-3.15.1 to create login nodes; the plan says why. */
    private loginNodesListenerFix(name: string, region: string, version: string, releaseChecked: pulumi.Output<string>): aws.iam.Policy {
        const policyName = `${name}-login-listener-fix`;
        void pulumi.log.info(
            `cluster.loginNodes: ParallelCluster ${version}'s provider stack cannot create login nodes as published (known issue ${LOGIN_NODES_LISTENER_ISSUE.reference}, ` +
                `${LOGIN_NODES_LISTENER_ISSUE.affects}: its policy allows elasticloadbalancing:CreateListener only for requests tagged with ` +
                `parallelcluster:cluster-name alone, and ParallelCluster adds more tags). The program adds AWS's published mitigation, the IAM policy ${policyName} ` +
                `(CreateListener when that tag is present, in ${region} only), to the provider stack's AdditionalIamPolicies. ` +
                `ParallelCluster ${LOGIN_NODES_LISTENER_ISSUE.fixedIn} and later need no workaround.`,
            this,
        );
        return new aws.iam.Policy(
            policyName,
            {
                description: `Workaround of aws/aws-parallelcluster#7491 for the ParallelCluster ${version} provider stack: AWS's published mitigation (login node listeners).`,
                // Written only once the release is accepted: a refused plan creates nothing.
                policy: releaseChecked.apply(() => JSON.stringify(loginNodesListenerPolicy(region))),
            },
            { parent: this },
        );
    }

    /** The policy the provider stack's Lambda needs on 3.8.0-3.15.1 to create the head node's alarm; the plan says why. */
    private headNodeAlarmTaggingFix(name: string, region: string, clusterName: string, version: string, releaseChecked: pulumi.Output<string>): aws.iam.Policy {
        const policyName = `${name}-alarm-tagging-fix`;
        void pulumi.log.info(
            `cluster.parallelClusterVersion: ParallelCluster ${version}'s provider stack cannot create the head node's alarm as published (known issue ` +
                `${HEAD_NODE_ALARM_TAGGING_ISSUE.reference}, ${HEAD_NODE_ALARM_TAGGING_ISSUE.affects}: CloudFormation tags it, and the provider's policy lacks cloudwatch:TagResource). ` +
                `The program adds the IAM policy ${policyName} (cloudwatch:TagResource and UntagResource on the alarms of '${clusterName}', as PR #7296 grants) ` +
                `to the provider stack's AdditionalIamPolicies. ParallelCluster ${HEAD_NODE_ALARM_TAGGING_ISSUE.fixedIn} and later need no workaround.`,
            this,
        );
        return new aws.iam.Policy(
            policyName,
            {
                description: `Workaround of aws/aws-parallelcluster#7331 for the ParallelCluster ${version} provider stack: tagging the cluster's CloudWatch alarms.`,
                policy: releaseChecked.apply(() => JSON.stringify(headNodeAlarmTaggingPolicy(region, clusterName))),
            },
            { parent: this },
        );
    }
}
