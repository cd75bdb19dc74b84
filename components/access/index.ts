/**
 * The access backends behind one seam (backend.ts's AccessBackend): each lives in its own folder, builds its
 * resources under the environment, says what it needs from every node (NodeAccess, which the renderer
 * consumes), gives the user table and answers how each user logs in. `pcluster-access:access` picks one:
 * roster (default), roster subscribed to a pool stack (`pool`: the pool's stack reference), or opsworks (the
 * article's).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AccessSettings } from "../config/model";
import type { AssetObject } from "../postInstallAsset";
import type { AccessBackend, AccessContext } from "./backend";
import { buildOpsWorksAccess } from "./opsworks";
import { buildPoolAccess } from "./pool";
import { AGENT_KEY, agentBundle, buildRosterAccess } from "./roster";

export type { AccessBackend, AccessContext, AccessLocation } from "./backend";
export type { LoginTarget, UserLogin } from "./logins";
export type { NodeAccess, S3Read, ImdsRequirement } from "./nodeAccess";
export type { UserRow } from "./userRow";

/** Objects a backend needs uploaded beside post-install.sh: the roster backend's node agent bundle. */
export function backendObjects(settings: AccessSettings): AssetObject[] {
    return settings.backend === "roster" ? [{ id: "roster-agent", key: AGENT_KEY, content: agentBundle().bytes, contentType: "application/x-tar" }] : [];
}

/** Builds the chosen backend's resources under `parent`, named from `name`. */
export function buildAccess(name: string, settings: AccessSettings, context: AccessContext, parent: pulumi.Resource): AccessBackend {
    switch (settings.backend) {
        case "opsworks":
            return buildOpsWorksAccess(name, settings.opsworks, context, parent);
        case "pool":
            return buildPoolAccess(name, settings.pool, context, parent);
        default:
            return buildRosterAccess(name, settings.roster, context, parent);
    }
}
