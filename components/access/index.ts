/**
 * The access backends behind one small interface: each builds its resources under the environment and
 * says what it needs from every node (NodeAccess), which the renderer consumes. `pcluster-access:access`
 * picks one: roster (default) or opsworks (the article's).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { UserRow } from "./userRow";
import type { AccessSettings, UserSettings } from "../config/model";
import type { NodeAccess } from "./nodeAccess";
import { buildOpsWorksAccess } from "./opsworks";
import type { AssetObject } from "../postInstallAsset";
import { AGENT_KEY, rosterNodeAccess, RosterUsers } from "./roster";
import { agentBundle } from "./roster/agentBundle";

export type { NodeAccess, S3Read, ImdsRequirement } from "./nodeAccess";

export interface AccessBackend {
    /** What every node needs. */
    readonly nodeAccess: NodeAccess;
    /** The user table (plan, stack output). */
    readonly users: pulumi.Output<UserRow[]>;
    /** The backend and where its users live (the `access` stack output). */
    readonly location: pulumi.Output<AccessLocation>;
    /** The EC2 Instance Connect Endpoint's id (roster backend with roster.instanceConnect). */
    readonly instanceConnectEndpointId?: pulumi.Output<string>;
}

/** The roster document's URL, or the OpsWorks stack's id. */
export type AccessLocation = { readonly backend: "roster"; readonly rosterUrl: string } | { readonly backend: "opsworks"; readonly opsworksStackId: string };

/** What the backends build from, besides their settings. */
export interface AccessContext {
    readonly users: readonly UserSettings[];
    readonly region: string;
    /** The environment's name (the cluster's). */
    readonly environment: string;
    readonly vpcId: pulumi.Input<string>;
    readonly headNodeSubnetId: pulumi.Input<string>;
    /** The environment's private bucket, where the scripts (and the roster) live. */
    readonly bucket: pulumi.Input<string>;
    readonly scriptUrl: pulumi.Input<string>;
    /** The bucket's guards: objects are written after them. */
    readonly bucketGuards: pulumi.Resource[];
}

/** Objects a backend needs uploaded beside post-install.sh: the roster backend's node agent bundle. */
export function backendObjects(settings: AccessSettings): AssetObject[] {
    return settings.backend === "roster" ? [{ id: "roster-agent", key: AGENT_KEY, content: agentBundle().bytes, contentType: "application/x-tar" }] : [];
}

/** Builds the chosen backend's resources under `parent`, named from `name`. */
export function buildAccess(name: string, settings: AccessSettings, context: AccessContext, parent: pulumi.Resource): AccessBackend {
    if (settings.backend === "opsworks") {
        const built = buildOpsWorksAccess(
            name,
            {
                settings: settings.opsworks,
                users: context.users,
                region: context.region,
                vpcId: context.vpcId,
                headNodeSubnetId: context.headNodeSubnetId,
                bucket: context.bucket,
                scriptUrl: context.scriptUrl,
            },
            parent,
        );
        return {
            nodeAccess: built.nodeAccess,
            users: built.users,
            location: built.stackId.apply((opsworksStackId): AccessLocation => ({ backend: "opsworks", opsworksStackId })),
        };
    }
    const users = new RosterUsers(
        `${name}-users`,
        {
            users: context.users,
            settings: settings.roster,
            region: context.region,
            environment: context.environment,
            bucket: context.bucket,
            after: context.bucketGuards,
            network: { vpcId: context.vpcId, subnetId: context.headNodeSubnetId },
        },
        { parent },
    );
    return {
        nodeAccess: rosterNodeAccess(context.bucket, context.environment, settings.roster.syncIntervalSeconds, users.publicKey),
        users: users.table,
        location: users.rosterUrl.apply((rosterUrl): AccessLocation => ({ backend: "roster", rosterUrl })),
        ...(users.instanceConnectEndpointId === undefined ? {} : { instanceConnectEndpointId: users.instanceConnectEndpointId }),
    };
}
