/**
 * The contract between a pool stack and the cluster stacks that subscribe to it: the pool's `pool` stack
 * output (what a subscriber reads through its stack reference), where each cluster's document lives, each
 * cluster's user table, and the read grant a cluster in another account gets. Pure, so both sides and the
 * policies agree on one shape.
 */
import type { UserRow } from "../userRow";

/** Raised when the shape changes incompatibly; a subscriber refuses an output it does not know. */
export const POOL_OUTPUT_FORMAT = 1;

/** What a subscribed cluster needs from the pool, by cluster name. */
export interface PoolClusterOutput {
    readonly region: string;
    /** Undefined: the pool's account. */
    readonly account?: string;
    /** `s3://bucket/pool/<cluster>/roster.txt`: this cluster's own document. */
    readonly rosterUrl: string;
    /** The user table as this cluster's nodes apply it. */
    readonly users: readonly UserRow[];
}

/** The pool stack's `pool` output. */
export interface PoolOutput {
    readonly format: number;
    /** The pool's bucket and its region (documents and the agent bundle). */
    readonly bucket: string;
    readonly region: string;
    /** `s3://bucket/agent.tar`: the agent every node runs (its hash is in every document). */
    readonly agentUrl: string;
    /** Base64 DER SubjectPublicKeyInfo of the pool's signing key: every subscribed node's PUBKEY. */
    readonly publicKey: string;
    readonly syncIntervalSeconds: number;
    readonly clusters: Readonly<Record<string, PoolClusterOutput>>;
}

/** Where a cluster's document lives in the pool's bucket. */
export function poolDocumentKey(cluster: string): string {
    return `pool/${cluster}/roster.txt`;
}

/** The prefix every cluster document lives under (the Roster's `key` in a pool). */
export const POOL_PREFIX = "pool/";

/**
 * ParallelCluster's node roles of one cluster, as an ARN pattern: it creates them under the path
 * `/parallelcluster/<cluster name>/` (aws-parallelcluster cli/src/pcluster/templates/cluster_stack.py,
 * `_cluster_scoped_iam_path`: IAM_ROLE_PATH + the cluster's stack name, which is the cluster's name).
 */
export function nodeRoleArnPattern(partition: string, account: string, cluster: string): string {
    return `arn:${partition}:iam::${account}:role/parallelcluster/${cluster}/*`;
}

/**
 * The bucket policy statement that lets one cluster in another account read exactly its own document and
 * the agent bundle: the account as principal, narrowed to that cluster's node roles by aws:PrincipalArn.
 * (A bucket policy naming an account delegates to the account; the account's IAM then decides which of
 * its principals may act, and the condition keeps it to this cluster's node roles: IAM User Guide,
 * "Cross-account policy evaluation logic"; "AWS global condition context keys", aws:PrincipalArn.)
 */
export function crossAccountReadStatement(args: { partition: string; bucketArn: string; account: string; cluster: string; agentKey: string }): Record<string, unknown> {
    return {
        Sid: `ReadOwnDocument${args.cluster.replace(/[^A-Za-z0-9]/g, "")}`,
        Effect: "Allow",
        Principal: { AWS: `arn:${args.partition}:iam::${args.account}:root` },
        Action: "s3:GetObject",
        Resource: [`${args.bucketArn}/${poolDocumentKey(args.cluster)}`, `${args.bucketArn}/${args.agentKey}`],
        Condition: { ArnLike: { "aws:PrincipalArn": nodeRoleArnPattern(args.partition, args.account, args.cluster) } },
    };
}

/**
 * One cluster's user table from the pool's: a user the pool allows is allowed there only when the cluster
 * lists them, and has sudo there only where it gives it (as the cluster's document says: planner.ts).
 */
export function clusterRows(rows: readonly UserRow[], allowed: readonly string[], sudo: readonly string[]): UserRow[] {
    return rows.map((row) => {
        if (row.access === "revoked") {
            return row;
        }
        const here = row.access === "allowed" && allowed.includes(row.iamUser);
        return { ...row, access: here ? "allowed" : "blocked", sudo: here && sudo.includes(row.iamUser) };
    });
}
