/**
 * How users connect, as every backend answers it (AccessBackend.logins): the cluster says where it takes
 * logins, the backend says who may log in there and how.
 */

/** Where the deployed cluster takes logins. */
export interface LoginTarget {
    readonly region: string;
    /** ParallelCluster's name for the cluster (what `pcluster describe-cluster -n` takes). */
    readonly clusterName: string;
    /**
     * The host users connect to from outside the VPC: the first login node pool's load balancer; undefined
     * when the cluster has none (the head node's private address is never handed out: it does not route
     * from outside the VPC).
     */
    readonly host?: string;
    /** The head node's instance id: where an EC2 Instance Connect command lands. */
    readonly headNodeInstanceId: string;
}

/** How one user logs in: what the administrator hands on (`pulumi stack output logins`). */
export interface UserLogin {
    /** The host to use (the login nodes' load balancer); null when the cluster has no login node pool. */
    readonly host: string | null;
    /** Their user name on the cluster. */
    readonly user: string;
    /** `ssh user@host`, when there is a host. */
    readonly ssh?: string;
    /** With EC2 Instance Connect: the exact AWS CLI command (through the VPC's endpoint when there is one). */
    readonly instanceConnect?: string;
    /** What else they need: AWS credentials for Instance Connect, or a way in when there is no host. */
    readonly note?: string;
}

/** Without a login node pool: where the head node's public address is found, when it has one. */
export function noHostNote(clusterName: string): string {
    return (
        `${clusterName} has no login node pool, and the head node's private address does not route from outside the VPC: ` +
        `connect from inside the VPC, or to the head node's public address (pcluster describe-cluster -n ${clusterName} --query headNode.publicIpAddress), ` +
        "or add cluster.loginNodes."
    );
}

/** The login of `sshUsername` at `target`, without Instance Connect. */
export function sshLogin(sshUsername: string, target: LoginTarget): UserLogin {
    return target.host === undefined
        ? { host: null, user: sshUsername, note: noHostNote(target.clusterName) }
        : { host: target.host, user: sshUsername, ssh: `ssh ${sshUsername}@${target.host}` };
}
