/**
 * The pcluster-access Pulumi program: validates the stack config (nothing is registered when it is
 * invalid), builds the stack's one component and exports what administrators and CI need. A stack is an
 * environment (a cluster with its users, or subscribed to a pool of users), or a pool of users that
 * several cluster stacks subscribe to (pcluster-access:pool, no cluster: docs/pool.md). Each kind exports
 * only its own outputs (the module's exports are the stack outputs).
 */
import * as pulumi from "@pulumi/pulumi";
import { UserPool } from "./components/access/pool";
import { loadStackConfig, type EnvironmentConfig, type PoolConfig } from "./components/config";
import { ParallelClusterEnvironment } from "./components/environment";

function environmentOutputs(config: EnvironmentConfig) {
    // An announced rename keeps every resource: children named `${name}-...` inherit the alias (Pulumi maps
    // the parent's old name prefix onto theirs). An unannounced one is refused by EnvironmentName's check.
    const renamed = config.cluster.renamedFrom === undefined ? {} : { aliases: [{ name: config.cluster.renamedFrom }] };
    const environment = new ParallelClusterEnvironment(config.cluster.name, { config }, renamed);
    return {
        /** The ParallelCluster configuration file, as the cluster stack deploys it (and as `pcluster` would read it). */
        clusterConfiguration: environment.clusterConfiguration,
        clusterConfigurationUrl: environment.clusterConfigurationUrl,
        clusterConfigurationFile: environment.clusterConfigurationFile,
        /** With cluster.service pcs: the AWS PCS cluster, its login node group and queues, and each launch template's user data; null otherwise. */
        pcs: environment.pcs ?? null,
        /** The access backend: `{backend: roster, rosterUrl}` (the document the nodes' agents apply; with `pool` when subscribed) or `{backend: opsworks, opsworksStackId}`. */
        access: environment.access,
        postInstallUrl: environment.postInstallUrl,
        /** IAM user, SSH username, ssh, sudo and access state of every cluster user (roster backend: UID, groups, key fingerprints). */
        users: environment.users,
        /** Roster backend: each key's SHA256 fingerprint (as sshd logs a login) to its IAM user: the login audit's join (docs/node-status.md). */
        keyFingerprints: environment.users.apply((rows) =>
            Object.fromEntries(rows.flatMap((row) => (row.fingerprints ?? []).map((fingerprint) => [fingerprint, row.iamUser]))),
        ),
        /** Roster backend: what `pulumi up`'s last wait for every running node to report the roster found; null otherwise. */
        nodeRollout: environment.nodeRollout ?? null,
        fsx: environment.fsx,
        /** With cluster.deploy: the cluster's name, status, head node and login node pools; null otherwise. */
        cluster: environment.cluster ?? null,
        /** With cluster.deploy: per IAM user with access, what to hand them to log in; null otherwise. */
        logins: environment.logins ?? null,
    };
}

function poolOutputs(config: PoolConfig) {
    // The pool's resources are named after its stack (`users`, say): it has no cluster to be named after.
    const pool = new UserPool(pulumi.getStack(), { config });
    return {
        /** What the subscribed cluster stacks read: bucket, public key, each cluster's document and user table. */
        pool: pool.output,
        /** The pool's users, with each one's access and sudo per cluster. */
        users: pool.users,
    };
}

const stack = loadStackConfig();
export = stack.kind === "pool" ? poolOutputs(stack.config) : environmentOutputs(stack.config);
