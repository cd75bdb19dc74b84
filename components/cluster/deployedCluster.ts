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
import { LOGIN_NODES_LISTENER_ISSUE } from "../config/releases";
import { PROVIDER_CAPABILITIES, loginNodesListenerPolicy, providerStackName, providerTemplateUrl } from "./providerTemplate";
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
     * replaces it. On a release with known issue #7491 and login node pools, with the workaround's policy.
     */
    private providerStack(name: string, args: DeployedClusterArgs, releaseChecked: pulumi.Output<string>): aws.cloudformation.Stack {
        const version = args.deployment.parallelClusterVersion;
        const fix = args.deployment.loginNodesListenerFix ? this.loginNodesListenerFix(name, args.region, version) : undefined;
        return new aws.cloudformation.Stack(
            `${name}-provider-${version}`,
            {
                name: releaseChecked.apply((checked) => providerStackName(args.clusterName, checked)),
                templateUrl: providerTemplateUrl(args.region, version),
                capabilities: [...PROVIDER_CAPABILITIES],
                ...(fix === undefined ? {} : { parameters: { AdditionalIamPolicies: fix.arn } }),
            },
            { parent: this, protect: true },
        );
    }

    /** The policy the provider stack's Lambda needs on 3.7.0-3.15.1 to create login nodes; the plan says why. */
    private loginNodesListenerFix(name: string, region: string, version: string): aws.iam.Policy {
        const policyName = `${name}-login-listener-fix`;
        void pulumi.log.info(
            `cluster.loginNodes: ParallelCluster ${version}'s provider stack cannot create login nodes as published (known issue ${LOGIN_NODES_LISTENER_ISSUE.reference}, ` +
                `${LOGIN_NODES_LISTENER_ISSUE.affects}: its policy allows elasticloadbalancing:CreateListener and CreateTargetGroup only for requests tagged with ` +
                `parallelcluster:cluster-name alone, and ParallelCluster adds more tags). The program adds the IAM policy ${policyName} (those two actions, in ${region} only, ` +
                `without the tag condition) to the provider stack's AdditionalIamPolicies. ParallelCluster ${LOGIN_NODES_LISTENER_ISSUE.fixedIn} and later need no workaround.`,
            this,
        );
        return new aws.iam.Policy(
            policyName,
            {
                description: `Workaround of aws/aws-parallelcluster#7491 for the ParallelCluster ${version} provider stack: login node listeners and target groups without the tag condition.`,
                policy: JSON.stringify(loginNodesListenerPolicy(region)),
            },
            { parent: this },
        );
    }
}
