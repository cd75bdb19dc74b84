/**
 * The whole stack as stack policies see it, copied to plain data once (unknown values marked), with the
 * lookups the policies share: by type, and by dependency. Dependencies tie a guard resource to its
 * bucket even during a first preview, when the bucket's name is not known yet.
 */
import type { PolicyResource } from "@pulumi/policy";
import { readClusterConfiguration, type ReadConfiguration } from "./clusterConfiguration";
import { plainProps, str, type PlainObject } from "./known";
import { CLUSTER_CONFIGURATION } from "./resourceTypes";

export interface StackResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    /** Outputs (inputs during a preview of a resource not yet created). */
    readonly props: PlainObject;
    /** URNs of the resources this one depends on. */
    readonly dependencies: readonly string[];
    /** The `protect` resource option: Pulumi refuses to delete or replace it. */
    readonly protect: boolean;
}

export class StackResources {
    readonly all: readonly StackResource[];

    constructor(resources: readonly PolicyResource[]) {
        this.all = resources.map((resource) => ({
            type: resource.type,
            urn: resource.urn,
            name: resource.name,
            props: plainProps(resource.props),
            dependencies: resource.dependencies.map((dependency) => dependency.urn),
            protect: resource.opts?.protect === true,
        }));
    }

    ofType(type: string): StackResource[] {
        return this.all.filter((resource) => resource.type === type);
    }

    /** Every stored cluster configuration, read. */
    configurations(): { readonly resource: StackResource; readonly read: ReadConfiguration }[] {
        return this.ofType(CLUSTER_CONFIGURATION).map((resource) => ({ resource, read: readClusterConfiguration(resource.props) }));
    }

    /** Resources of a type that depend on `target`, or whose `property` names it (`targetName`). */
    attachedTo(type: string, target: StackResource, property: string, targetName: string | undefined): StackResource[] {
        return this.ofType(type).filter((resource) => {
            const named = str(resource.props[property]);
            return resource.dependencies.includes(target.urn) || (targetName !== undefined && named === targetName);
        });
    }
}
