/**
 * The nudge: on a block or revoke, ask every node of the cluster to sync now through AWS Systems Manager
 * Run Command (SendCommand with the AWS-RunShellScript document, targets by ParallelCluster's cluster-name
 * tag), instead of waiting for its next cron tick. Best effort: only instances the SSM agent manages are
 * reached (docs/node-status.md: which images carry the agent, and the IAM the nodes need), and a failed call
 * is reported, never thrown: each node's own interval stays the fallback.
 */
import { CLUSTER_NAME_TAG } from "./read";

/** What a node runs: one ordinary sync cycle of the installed agent (it takes its own lock). */
export const NUDGE_COMMAND = "/opt/pcluster-access/current/roster-agent.sh sync";

export interface NudgeResult {
    /** SendCommand's command id, when the call was accepted. */
    readonly commandId?: string;
    /** Why no command was sent (the error's name and message). */
    readonly problem?: string;
}

export async function nudgeNodes(where: { readonly region: string; readonly cluster: string; readonly maxAttempts?: number }): Promise<NudgeResult> {
    const { SSMClient, SendCommandCommand } = await import("@aws-sdk/client-ssm");
    const client = new SSMClient({ region: where.region, maxAttempts: where.maxAttempts ?? 3 });
    try {
        const sent = await client.send(
            new SendCommandCommand({
                DocumentName: "AWS-RunShellScript",
                Targets: [{ Key: `tag:${CLUSTER_NAME_TAG}`, Values: [where.cluster] }],
                Parameters: { commands: [NUDGE_COMMAND], executionTimeout: ["120"] },
                Comment: "pcluster-access: apply the roster now (a block or revoke)",
                // Every node at once: the sync is one conditional S3 read and a local apply.
                MaxConcurrency: "100%",
                // A node that fails keeps its cron schedule; one failure must not stop the others.
                MaxErrors: "100%",
                TimeoutSeconds: 60,
            }),
        );
        return { commandId: sent.Command?.CommandId ?? "" };
    } catch (error) {
        return { problem: `${(error as { name?: string }).name ?? "Error"}: ${(error as Error).message}` };
    }
}
