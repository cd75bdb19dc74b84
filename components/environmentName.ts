/**
 * The environment's name, kept in state under a name that never changes, so a change of `cluster.name` is
 * seen: every other resource is named after the cluster, and a silent rename would make `pulumi up` build
 * a second environment (IAM users that already exist, a new VPC, bucket and OpsWorks stack) and delete
 * this one. The provider's `check` sees the previous name and refuses a rename that `cluster.renamedFrom`
 * does not announce; `up` runs a preview first, so it stops there before changing anything.
 */
import * as pulumi from "@pulumi/pulumi";

export const ENVIRONMENT_NAME_TYPE = "pulumi-nodejs:dynamic/pcluster:EnvironmentName";

/** Not derived from the cluster name on purpose: it is what survives a rename. */
export const ENVIRONMENT_NAME_RESOURCE = "pcluster-access-environment-name";

export interface EnvironmentNameInputs {
    readonly clusterName: string;
    /** The name this environment had before, when the config announces a rename. */
    readonly renamedFrom?: string;
}

/** The problem with going from `previous` to `next`, or undefined when it is no rename or an announced one. */
export function renameProblem(previous: string | undefined, next: EnvironmentNameInputs): string | undefined {
    if (previous === undefined || previous === next.clusterName || next.renamedFrom === previous) {
        return undefined;
    }
    return (
        `cluster.name changed from '${previous}' to '${next.clusterName}'. Every resource of this environment is named after the cluster, ` +
        "so `up` would build a second environment (creating IAM users that already exist, a new VPC, bucket and OpsWorks stack) and delete this one. " +
        `To rename this environment, also set cluster.renamedFrom: ${previous} (the same resources, under the new name). ` +
        `For a separate environment, create a new Pulumi stack instead and set cluster.name back to '${previous}' here.`
    );
}

/** The provider is serialized into state: its methods use only renameProblem, a plain function. */
export const environmentNameProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<EnvironmentNameInputs>, news: EnvironmentNameInputs) {
        const problem = renameProblem(olds.clusterName, news);
        return { inputs: news, failures: problem === undefined ? [] : [{ property: "clusterName", reason: problem }] };
    },
    async diff(_id: string, olds: EnvironmentNameInputs, news: EnvironmentNameInputs) {
        return { changes: olds.clusterName !== news.clusterName || olds.renamedFrom !== news.renamedFrom };
    },
    async create(inputs: EnvironmentNameInputs) {
        return { id: "environment", outs: inputs };
    },
    async update(_id: string, _olds: EnvironmentNameInputs, news: EnvironmentNameInputs) {
        return { outs: news };
    },
};

export class EnvironmentName extends pulumi.dynamic.Resource {
    declare readonly clusterName: pulumi.Output<string>;

    constructor(args: EnvironmentNameInputs, opts?: pulumi.CustomResourceOptions) {
        super(environmentNameProvider, ENVIRONMENT_NAME_RESOURCE, { ...args }, opts, "pcluster", "EnvironmentName");
    }
}
