/**
 * `pulumi up` waits for the roster to land (token pulumi-nodejs:dynamic/roster:NodeRollout): a dynamic
 * resource after the Roster whose create and update run when the Roster writes a new generation. It nudges
 * the nodes on a block or revoke (nudge.ts), then polls the node status (awaitNodes.ts) until every running
 * instance of the cluster reports that generation, or `roster.awaitNodes` seconds pass. Progress goes to
 * the provider's stdout, which the CLI shows under the resource (pulumi/pulumi#18253: a dynamic provider's
 * console output is passed through; its pulumi.log is not); the outcome is the resource's `result`, which
 * the program turns into a warning an administrator cannot miss (rolloutDiagnostic), and, for a block or
 * revoke with `roster.awaitNodesStrict`, an error that fails the update.
 */
import * as pulumi from "@pulumi/pulumi";
import { awaitGeneration } from "./awaitNodes";
import { stragglerLine } from "./fleet";
import { nudgeNodes } from "./nudge";
import { readNodeStatus, type RecordCache } from "./read";

export const ROLLOUT_TYPE = "pulumi-nodejs:dynamic/roster:NodeRollout";

export interface RolloutArgs {
    readonly region: pulumi.Input<string>;
    readonly bucket: pulumi.Input<string>;
    readonly rosterKey: pulumi.Input<string>;
    readonly environment: pulumi.Input<string>;
    /** The cluster's name: ParallelCluster's `parallelcluster:cluster-name` tag on its instances. */
    readonly cluster: pulumi.Input<string>;
    /** The generation the Roster wrote: a new one is what starts a wait. */
    readonly generation: pulumi.Input<number>;
    /** The agent the roster names. */
    readonly agentSha256: pulumi.Input<string>;
    readonly syncIntervalSeconds: pulumi.Input<number>;
    /** roster.awaitNodes: how long to wait, 0: not at all. */
    readonly awaitSeconds: pulumi.Input<number>;
    /** Seconds between two polls. Default 10. */
    readonly pollSeconds?: pulumi.Input<number>;
    /** roster.awaitNodesStrict: a block or revoke not reported by every live node fails the update. */
    readonly strict: pulumi.Input<boolean>;
    /** roster.nudge: on a block or revoke, SSM Run Command asks every node to sync now. */
    readonly nudge: pulumi.Input<boolean>;
    /** Login names of users who are blocked or revoked: one that was not before is a new block or revoke. */
    readonly restricted: pulumi.Input<pulumi.Input<string>[]>;
    readonly maxAttempts?: pulumi.Input<number>;
}

export interface RolloutInputs {
    readonly region: string;
    readonly bucket: string;
    readonly rosterKey: string;
    readonly environment: string;
    readonly cluster: string;
    readonly generation: number;
    readonly agentSha256: string;
    readonly syncIntervalSeconds: number;
    readonly awaitSeconds: number;
    readonly pollSeconds?: number;
    readonly strict: boolean;
    readonly nudge: boolean;
    readonly restricted: readonly string[];
    readonly maxAttempts?: number;
}

/** What the last wait found. */
export interface RolloutResult {
    readonly generation: number;
    /** Every live node reported the generation. */
    readonly complete: boolean;
    readonly live: number;
    readonly onGeneration: number;
    /** One line per live node that had not: stragglerLine's text. */
    readonly stragglers: readonly string[];
    readonly waitedSeconds: number;
    /** When the wait ended (ISO): the program warns only about a wait of this run. */
    readonly finishedAt: string;
    /** Users blocked or revoked by this write. */
    readonly newlyRestricted: readonly string[];
    /** `SSM command <id>`, `not sent: <why>`, or null (no block or revoke, or roster.nudge off). */
    readonly nudge: string | null;
    /** Why there was no wait (roster.awaitNodes: 0), or why the status could not be read. */
    readonly note: string | null;
}

export interface RolloutOutputs extends RolloutInputs {
    readonly result: RolloutResult;
}

/** The wait itself; throws only for a strict block or revoke that did not reach every live node. */
async function rollout(news: RolloutInputs, olds: RolloutInputs | undefined): Promise<RolloutOutputs> {
    const before = new Set(olds?.restricted ?? []);
    const newlyRestricted = news.restricted.filter((name) => !before.has(name));
    const started = Date.now();
    const finish = (fields: Omit<RolloutResult, "generation" | "finishedAt" | "newlyRestricted" | "waitedSeconds">): RolloutOutputs => ({
        ...news,
        result: { generation: news.generation, newlyRestricted, finishedAt: new Date().toISOString(), waitedSeconds: Math.round((Date.now() - started) / 1000), ...fields },
    });
    let nudge: string | null = null;
    if (newlyRestricted.length > 0 && news.nudge) {
        const sent = await nudgeNodes(news);
        nudge = sent.commandId === undefined ? `not sent: ${sent.problem ?? ""}` : `SSM command ${sent.commandId}`;
        console.log(`nudge (block/revoke of ${newlyRestricted.join(", ")}): ${nudge}`);
    }
    if (news.awaitSeconds === 0) {
        return finish({ complete: false, live: 0, onGeneration: 0, stragglers: [], nudge, note: "not waited: roster.awaitNodes is 0" });
    }
    const cache: RecordCache = new Map();
    const expected = { environment: news.environment, generation: news.generation, agentSha256: news.agentSha256 };
    const waited = await awaitGeneration({
        read: () => readNodeStatus({ ...news, expected }, cache),
        timeoutMs: news.awaitSeconds * 1000,
        pollMs: (news.pollSeconds ?? 10) * 1000,
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log: (line) => console.log(line),
    });
    const now = Date.now();
    const stragglers = (waited.report?.behind ?? []).map((row) => stragglerLine(row, now));
    const result = finish({
        complete: waited.complete,
        live: waited.report?.live ?? 0,
        onGeneration: waited.report?.onGeneration ?? 0,
        stragglers,
        nudge,
        note: waited.error ?? null,
    });
    if (!waited.complete) {
        console.log(`not every node reported generation ${news.generation} within ${news.awaitSeconds} s:`);
        for (const line of waited.error === undefined ? stragglers : [waited.error, ...stragglers]) console.log(`  ${line}`);
        if (newlyRestricted.length > 0 && news.strict) {
            throw new Error(
                `the block or revoke of ${newlyRestricted.join(", ")} (roster generation ${news.generation}) has not reached every live node within ${news.awaitSeconds} s ` +
                    `(roster.awaitNodesStrict):\n${(waited.error === undefined ? stragglers : [waited.error, ...stragglers]).join("\n")}\n` +
                    "The roster is written; these nodes apply it at their next sync if they can. Check them (npm run status), then run pulumi up again to wait anew.",
            );
        }
    }
    return result;
}

export const rolloutProvider: pulumi.dynamic.ResourceProvider<RolloutInputs, RolloutOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        for (const property of ["region", "bucket", "rosterKey", "environment", "cluster", "agentSha256"] as const) {
            if (typeof news[property] !== "string" || news[property] === "") failures.push({ property, reason: `${property} must be a non-empty string` });
        }
        if (!Number.isInteger(news.generation) || news.generation < 1) failures.push({ property: "generation", reason: "generation must be a positive whole number" });
        if (!Number.isInteger(news.awaitSeconds) || news.awaitSeconds < 0) failures.push({ property: "awaitSeconds", reason: "awaitSeconds must be a whole number of seconds, 0 or more" });
        if (!Array.isArray(news.restricted)) failures.push({ property: "restricted", reason: "restricted must be a list of login names" });
        return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
        const keys = ["region", "bucket", "rosterKey", "environment", "cluster", "generation", "agentSha256", "syncIntervalSeconds", "awaitSeconds", "pollSeconds", "strict", "nudge", "maxAttempts"] as const;
        const changed = keys.some((key) => olds[key] !== news[key]) || JSON.stringify(olds.restricted) !== JSON.stringify(news.restricted);
        return { changes: changed, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
        return { id: `${inputs.bucket}/${inputs.cluster}`, outs: await rollout(inputs, undefined) };
    },

    async update(_id, olds, news) {
        // Only a new generation is something to wait for; a changed setting alone is kept with the last result.
        if (olds.generation === news.generation) {
            return { outs: { ...news, result: olds.result } };
        }
        return { outs: await rollout(news, olds) };
    },

    async delete() {
        // Nothing in the cloud: the wait leaves no trace but this resource's state.
    },
};

export class NodeRollout extends pulumi.dynamic.Resource {
    declare readonly result: pulumi.Output<RolloutResult>;

    constructor(name: string, args: RolloutArgs, opts?: pulumi.CustomResourceOptions) {
        super(rolloutProvider, name, { result: undefined, ...args }, opts, "roster", "NodeRollout");
    }
}

/**
 * What the program says about a wait's result: nothing about a wait of an earlier run (`startedAt`, ms), a
 * warning for stragglers (loudest for a block or revoke), an info line when every node reported.
 */
export function rolloutDiagnostic(result: RolloutResult | undefined, startedAt: number): { readonly level: "info" | "warn"; readonly message: string } | undefined {
    if (result === undefined || Date.parse(result.finishedAt) < startedAt || result.note?.startsWith("not waited") === true) {
        return undefined;
    }
    if (result.complete) {
        return { level: "info", message: `roster generation ${result.generation} applied on ${result.onGeneration}/${result.live} live nodes at ${result.finishedAt}` };
    }
    const what = result.newlyRestricted.length > 0 ? `THE BLOCK OR REVOKE OF ${result.newlyRestricted.join(", ")} HAS NOT REACHED EVERY LIVE NODE` : "not every live node has the new roster";
    const lines = [...(result.note === null ? [] : [result.note]), ...result.stragglers];
    return {
        level: "warn",
        message: `${what}: ${result.onGeneration}/${result.live} nodes on generation ${result.generation} after ${result.waitedSeconds} s.\n${lines.join("\n")}\nnpm run status shows every node; set roster.awaitNodesStrict to make this an error.`,
    };
}
