/**
 * The pcluster-access Pulumi program: validates the stack config (nothing is registered when it is
 * invalid), builds the environment and exports what administrators and CI need.
 */
import { loadEnvironmentConfig } from "./components/config";
import { ParallelClusterEnvironment } from "./components/environment";

const config = loadEnvironmentConfig();
// An announced rename keeps every resource: children named `${name}-...` inherit the alias (Pulumi maps
// the parent's old name prefix onto theirs). An unannounced one is refused by EnvironmentName's check.
const renamed = config.cluster.renamedFrom === undefined ? {} : { aliases: [{ name: config.cluster.renamedFrom }] };
const environment = new ParallelClusterEnvironment(config.cluster.name, { config }, renamed);

/** The ParallelCluster configuration file, as the cluster stack deploys it (and as `pcluster` would read it). */
export const clusterConfiguration = environment.clusterConfiguration ?? null;
export const clusterConfigurationUrl = environment.clusterConfigurationUrl ?? null;
export const clusterConfigurationFile = environment.clusterConfigurationFile ?? null;
/** With cluster.service pcs: the AWS PCS cluster, its login node group and queues, and each launch template's user data; null otherwise. */
export const pcs = environment.pcs ?? null;
/** The access backend: `{backend: roster, rosterUrl}` (the document the nodes' agents apply) or `{backend: opsworks, opsworksStackId}`. */
export const access = environment.access;
export const postInstallUrl = environment.postInstallUrl;
/** IAM user, SSH username, ssh, sudo and access state of every cluster user. */
export const users = environment.users;
export const fsx = environment.fsx;
/** With cluster.deploy: the cluster's name, status, head node and login node pools; null otherwise. */
export const cluster = environment.cluster ?? null;
/** With cluster.deploy: per IAM user with access, the command they run to log in; null otherwise. */
export const logins = environment.logins ?? null;
