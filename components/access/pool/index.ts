/**
 * The pool: the roster backend's third shape. A pool stack (userPool.ts) owns the users, project groups,
 * UID/GID allocation and signing key; a cluster stack subscribes with `pcluster-access:access: {backend:
 * roster, pool: organization/project/stack}` and builds this backend, which creates no users: it reads the
 * pool's `pool` output through a stack reference and tells its nodes to read their own cluster's document
 * and the pool's agent from the pool's bucket, verified with the pool's public key.
 */
import * as pulumi from "@pulumi/pulumi";
import { POST_INSTALL_KEY } from "../../postInstallAsset";
import type { AccessBackend, AccessContext, AccessLocation } from "../backend";
import { sshLogin, type UserLogin } from "../logins";
import type { NodeAccess } from "../nodeAccess";
import { todayUtc } from "../roster/clock";
import { hasAccess } from "../roster/instanceConnect";
import { AGENT_KEY } from "../roster/rosterUsers";
import { POOL_OUTPUT_FORMAT, poolDocumentKey, type PoolClusterOutput, type PoolOutput } from "./poolOutput";

export { UserPool, type UserPoolArgs } from "./userPool";
export { clusterRows, crossAccountReadStatement, nodeRoleArnPattern, poolDocumentKey, POOL_OUTPUT_FORMAT, POOL_PREFIX, type PoolOutput } from "./poolOutput";

/** This cluster's part of the pool's output, or the error that names the fix. */
export function subscription(reference: string, cluster: string, region: string, output: unknown): { pool: PoolOutput; cluster: PoolClusterOutput } | string {
    const pool = output as Partial<PoolOutput> | undefined;
    if (pool === undefined || pool === null || typeof pool !== "object" || pool.clusters === undefined) {
        return `access.pool: the stack ${reference} has no pool output. Check the reference (organization/project/stack), and that the stack sets pcluster-access:pool and has been deployed (pulumi up there first).`;
    }
    if (pool.format !== POOL_OUTPUT_FORMAT) {
        return `access.pool: the pool ${reference} writes format ${String(pool.format)}, and this program reads format ${POOL_OUTPUT_FORMAT}. Run the same pcluster-access release in both stacks.`;
    }
    const mine = pool.clusters[cluster];
    if (mine === undefined) {
        return `access.pool: the pool ${reference} does not serve cluster ${cluster} (it serves: ${Object.keys(pool.clusters).join(", ") || "none"}). Add ${cluster} under pcluster-access:pool.clusters in that stack's config and run pulumi up there first.`;
    }
    if (mine.region !== region) {
        return `access.pool: the pool ${reference} expects cluster ${cluster} in ${mine.region}, but this stack's aws:region is ${region}. Set pool.clusters.${cluster}.region: ${region} in the pool, or deploy the cluster in ${mine.region}.`;
    }
    return { pool: pool as PoolOutput, cluster: mine };
}

/**
 * What a subscribed cluster's nodes need: post-install.sh from this stack's bucket; the agent and exactly
 * this cluster's document from the pool's bucket (never the whole bucket, never another cluster's document);
 * roster mode with this cluster's name and the pool's public key.
 */
export function poolNodeAccess(ownBucket: pulumi.Input<string>, cluster: string, pool: pulumi.Output<PoolOutput>): NodeAccess {
    return {
        iamPolicyArns: [],
        s3Reads: [
            { bucket: ownBucket, key: POST_INSTALL_KEY },
            { bucket: pool.bucket, key: AGENT_KEY },
            { bucket: pool.bucket, key: poolDocumentKey(cluster) },
        ],
        postInstallScript: pulumi.interpolate`s3://${ownBucket}/${POST_INSTALL_KEY}`,
        postInstallArgs: ["roster", pulumi.interpolate`s3://${pool.bucket}/${poolDocumentKey(cluster)}`, pool.agentUrl, pool.syncIntervalSeconds.apply(String), cluster, pool.publicKey],
    };
}

/** Builds a subscribed cluster's access under `parent`: a stack reference to the pool, no users of its own. */
export function buildPoolAccess(name: string, reference: string, context: AccessContext, parent: pulumi.Resource, today: string = todayUtc()): AccessBackend {
    const stack = new pulumi.StackReference(`${name}-pool`, { name: reference }, { parent });
    const resolved = stack.getOutput("pool").apply((output) => {
        const found = subscription(reference, context.environment, context.region, output);
        if (typeof found === "string") {
            throw new pulumi.ResourceError(found, parent);
        }
        return found;
    });
    const pool = resolved.apply((found) => found.pool);
    const rows = resolved.apply((found) => [...found.cluster.users]);
    return {
        nodeAccess: poolNodeAccess(context.bucket, context.environment, pool),
        users: rows,
        location: resolved.apply((found): AccessLocation => ({ backend: "roster", rosterUrl: found.cluster.rosterUrl, pool: reference })),
        logins: (target) =>
            pulumi.all([target, rows]).apply(([at, table]) =>
                Object.fromEntries(table.filter((row) => hasAccess(row, today)).map((row): [string, UserLogin] => [row.iamUser, sshLogin(row.sshUsername, at)])),
            ),
    };
}
