/**
 * The pcluster-access Pulumi program: validates the stack config (nothing is registered when it is
 * invalid), builds the stack's one component and exports what administrators and CI need. A stack is an
 * environment (a cluster with its users, or subscribed to a pool of users), or a pool of users that
 * several cluster stacks subscribe to (pcluster-access:pool, no cluster: docs/pool.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { UserPool } from "./components/access/pool";
import { loadStackConfig, type EnvironmentConfig } from "./components/config";
import { ParallelClusterEnvironment } from "./components/environment";

function environmentOf(config: EnvironmentConfig): ParallelClusterEnvironment {
    // An announced rename keeps every resource: children named `${name}-...` inherit the alias (Pulumi maps
    // the parent's old name prefix onto theirs). An unannounced one is refused by EnvironmentName's check.
    const renamed = config.cluster.renamedFrom === undefined ? {} : { aliases: [{ name: config.cluster.renamedFrom }] };
    return new ParallelClusterEnvironment(config.cluster.name, { config }, renamed);
}

const stack = loadStackConfig();
const environment = stack.kind === "environment" ? environmentOf(stack.config) : undefined;
// The pool's resources are named after its stack (`users`, say): it has no cluster to be named after.
const userPool = stack.kind === "pool" ? new UserPool(pulumi.getStack(), { config: stack.config }) : undefined;

/** The ParallelCluster configuration file, as the cluster stack deploys it (and as `pcluster` would read it). */
export const clusterConfiguration = environment?.clusterConfiguration;
export const clusterConfigurationUrl = environment?.clusterConfigurationUrl;
export const clusterConfigurationFile = environment?.clusterConfigurationFile;
/** The access backend: `{backend: roster, rosterUrl}` (the document the nodes' agents apply; with `pool` when subscribed) or `{backend: opsworks, opsworksStackId}`. */
export const access = environment?.access;
export const postInstallUrl = environment?.postInstallUrl;
/** IAM user, SSH username, ssh, sudo and access state of every cluster user (a pool: with each user's access per cluster). */
export const users = environment?.users ?? userPool?.users;
export const fsx = environment?.fsx;
/** With cluster.deploy: the cluster's name, status, head node and login node pools; null otherwise. */
export const cluster = environment === undefined ? undefined : (environment.cluster ?? null);
/** With cluster.deploy: per IAM user with access, what to hand them to log in; null otherwise. */
export const logins = environment === undefined ? undefined : (environment.logins ?? null);
/** A pool stack: what its subscribed cluster stacks read (bucket, public key, each cluster's document and user table). */
export const pool = userPool?.output;
