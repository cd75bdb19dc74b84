/**
 * What node status adds to the roster backend (docs/node-status.md): the nodes' grant to write their own
 * record, the lifecycle that keeps the versioned bucket from piling up old records, the wait after each
 * roster write (with the nudge when configured), the warning or info line about it, and the login audit's
 * saved queries.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RosterSettings, UserSettings } from "../../../config/model";
import { loginAuditQueries } from "../loginAudit";
import { nodeStatusPolicy } from "./grant";
import { STATUS_PREFIX } from "./record";
import { NodeRollout, rolloutDiagnostic, type RolloutResult } from "./rolloutResource";

/**
 * AWS's managed policy for Systems Manager's core functions, which Run Command needs on each node
 * (docs/node-status.md; ParallelCluster does not attach it: aws/aws-parallelcluster#2436).
 */
export const SSM_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** When this program run started: the wait's result from an earlier run says nothing now. */
const RUN_STARTED = Date.now();

/** What `pulumi up`'s last wait found, as the `nodeRollout` stack output shows it. */
export type RolloutSummary = Pick<RolloutResult, "generation" | "complete" | "live" | "onGeneration" | "stragglers" | "finishedAt" | "nudge" | "note">;

export interface NodeStatusArgs {
    readonly settings: RosterSettings;
    readonly users: readonly UserSettings[];
    readonly region: string;
    readonly environment: string;
    readonly bucket: pulumi.Input<string>;
    readonly rosterKey: string;
    /** What every node reads (post-install.sh, the agent, the roster): no node may write them. */
    readonly readKeys: readonly string[];
    readonly agentSha256: string;
    /** The Roster: the wait comes after each of its writes. */
    readonly roster: pulumi.Resource;
    readonly generation: pulumi.Output<number>;
}

export interface NodeStatus {
    /** Managed policies every node carries for node status (and the nudge). */
    readonly iamPolicyArns: pulumi.Input<string>[];
    readonly rollout: pulumi.Output<RolloutSummary>;
}

export function buildNodeStatus(name: string, args: NodeStatusArgs, parent: pulumi.Resource): NodeStatus {
    const grant = nodeStatusPolicy(`${name}-node-status`, { bucket: args.bucket, readKeys: args.readKeys, environment: args.environment, region: args.region }, parent);
    // Every record write is a new version of a versioned bucket: keep a day of them, for a look back, and no more.
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-status-versions`,
        { bucket: args.bucket, rules: [{ id: "node-status-old-versions", status: "Enabled", filter: { prefix: STATUS_PREFIX }, noncurrentVersionExpiration: { noncurrentDays: 1 } }] },
        { parent },
    );
    loginAuditQueries(`${name}-audit`, args.environment, parent);
    const rollout = new NodeRollout(
        `${name}-rollout`,
        {
            region: args.region,
            bucket: args.bucket,
            rosterKey: args.rosterKey,
            environment: args.environment,
            cluster: args.environment,
            generation: args.generation,
            agentSha256: args.agentSha256,
            syncIntervalSeconds: args.settings.syncIntervalSeconds,
            awaitSeconds: args.settings.awaitNodes,
            strict: args.settings.awaitNodesStrict,
            nudge: args.settings.nudge,
            restricted: args.users.filter((user) => user.access !== "allowed").map((user) => user.sshUsername),
        },
        { parent, dependsOn: [args.roster] },
    );
    const summary = rollout.result.apply((result): RolloutSummary => {
        const diagnostic = rolloutDiagnostic(result, RUN_STARTED);
        if (diagnostic !== undefined) {
            void pulumi.log[diagnostic.level](diagnostic.message, rollout);
        }
        const { generation, complete, live, onGeneration, stragglers, finishedAt, nudge, note } = result;
        return { generation, complete, live, onGeneration, stragglers, finishedAt, nudge, note };
    });
    return { iamPolicyArns: [grant.arn, ...(args.settings.nudge ? [SSM_CORE_POLICY_ARN] : [])], rollout: summary };
}
