/**
 * The seam every access backend sits behind (access/index.ts picks one): what it builds from, and what it
 * answers: what every node needs, the user table, where its users live, and how each user logs in.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { UserSettings } from "../config/model";
import type { LoginTarget, UserLogin } from "./logins";
import type { NodeAccess } from "./nodeAccess";
import type { UserRow } from "./userRow";

export interface AccessBackend {
    /** What every node needs. */
    readonly nodeAccess: NodeAccess;
    /** The user table (plan, stack output). */
    readonly users: pulumi.Output<UserRow[]>;
    /** The backend and where its users live (the `access` stack output). */
    readonly location: pulumi.Output<AccessLocation>;
    /** Per IAM user who may log in on the deployed cluster at `target`, how they connect (the `logins` stack output). */
    logins(target: pulumi.Output<LoginTarget>): pulumi.Output<Record<string, UserLogin>>;
}

/** The roster document's URL (and, subscribed to a pool, the pool's stack reference), or the OpsWorks stack's id. */
export type AccessLocation =
    | { readonly backend: "roster"; readonly rosterUrl: string; readonly pool?: string }
    | { readonly backend: "opsworks"; readonly opsworksStackId: string };

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
