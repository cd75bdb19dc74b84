/**
 * The roster backend's numeric limits and defaults, in their own file so that the schema (which
 * applies the defaults) and the roster rules (which check against the limits) both import them
 * without importing each other.
 */

/**
 * Lowest and highest number the roster may hold. Below 1000 are the images' system accounts and
 * ParallelCluster's own service accounts (pcluster-admin 400, slurm 401, munge, ...: reference/accounts.md);
 * 60000 is useradd's UID_MAX default. 1000 itself is the image's default user (ec2-user, ubuntu, rocky).
 */
export const ID_FLOOR = 1000;
export const ID_CEILING = 60000;

export const ROSTER_DEFAULTS = {
    syncIntervalSeconds: 60,
    uidRange: { first: 2001, last: ID_CEILING },
    signingKeyVersion: 1,
    /** roster.awaitNodes' default is one sync interval plus this: the sync itself and its status write. */
    awaitMarginSeconds: 60,
    /** Two hours: a longer wait holds `pulumi up` (and its lock on the stack) past any useful point. */
    awaitNodesMax: 7200,
} as const;
