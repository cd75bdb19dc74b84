/**
 * A pool stack's one component (pcluster-access:pool): the users, project groups, UID/GID allocation and
 * signing key every subscribed cluster shares, in a bucket of the pool's own. One Roster allocates once and
 * writes one signed document per cluster (pool/<cluster>/roster.txt, its `environment` line the cluster's
 * name, so a node of one cluster refuses another's), so a revoke, a block or a key rotation is one `pulumi
 * up` of the pool and reaches every cluster at its nodes' next sync. A cluster in another account gets a
 * bucket policy statement letting its node roles read exactly its own document and the agent bundle.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PoolConfig } from "../../config/model";
import { PostInstallAsset } from "../../postInstallAsset";
import type { UserRow } from "../userRow";
import { agentBundle } from "../roster/agentBundle";
import { todayUtc } from "../roster/clock";
import { partitionOf } from "../../awsIds";
import { AGENT_KEY, RosterUsers } from "../roster/rosterUsers";
import { clusterRows, crossAccountReadStatement, POOL_OUTPUT_FORMAT, poolDocumentKey, type PoolOutput } from "./poolOutput";

export interface UserPoolArgs {
    readonly config: PoolConfig;
    /** Today (YYYY-MM-DD, UTC). Default: the clock's. */
    readonly today?: string;
}

export class UserPool extends pulumi.ComponentResource {
    /** What subscribed cluster stacks read (the `pool` stack output). */
    readonly output: pulumi.Output<PoolOutput>;
    /** The pool's user table, with each user's access and sudo per cluster. */
    readonly users: pulumi.Output<UserRow[]>;

    constructor(name: string, args: UserPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:pool:UserPool", name, {}, opts);
        const { config } = args;
        const partition = partitionOf(config.region);
        const crossAccount = config.clusters.filter((cluster) => cluster.account !== undefined);
        const asset = new PostInstallAsset(
            `${name}-scripts`,
            {
                extraObjects: [{ id: "roster-agent", key: AGENT_KEY, content: agentBundle().bytes, contentType: "application/x-tar" }],
                ...(crossAccount.length === 0
                    ? {}
                    : { policyStatements: (bucketArn: string) => crossAccount.map((cluster) => crossAccountReadStatement({ partition, bucketArn, account: cluster.account!, cluster: cluster.name, agentKey: AGENT_KEY })) }),
            },
            { parent: this },
        );
        const users = new RosterUsers(
            `${name}-users`,
            {
                users: config.users,
                settings: config.roster,
                region: config.region,
                environment: name,
                bucket: asset.bucketName,
                after: asset.guards,
                today: args.today ?? todayUtc(),
                clusters: config.clusters,
            },
            { parent: this },
        );
        this.users = users.table;
        this.output = pulumi.all([asset.bucketName, users.publicKey, users.table]).apply(([bucket, publicKey, rows]): PoolOutput => ({
            format: POOL_OUTPUT_FORMAT,
            bucket,
            region: config.region,
            agentUrl: `s3://${bucket}/${AGENT_KEY}`,
            publicKey,
            syncIntervalSeconds: config.roster.syncIntervalSeconds,
            clusters: Object.fromEntries(
                config.clusters.map((cluster) => [
                    cluster.name,
                    {
                        region: cluster.region,
                        ...(cluster.account === undefined ? {} : { account: cluster.account }),
                        rosterUrl: `s3://${bucket}/${poolDocumentKey(cluster.name)}`,
                        users: clusterRows(rows, cluster.allowed, cluster.sudo).map(({ clusters: _clusters, ...row }) => row),
                    },
                ]),
            ),
        }));
        this.registerOutputs({ output: this.output, users: this.users });
    }
}
