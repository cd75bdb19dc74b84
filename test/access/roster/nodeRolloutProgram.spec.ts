/**
 * `pulumi up`'s wait for the nodes, under Pulumi's mock runtime: what the program gives the NodeRollout (the
 * Roster's generation, the cluster, the settings, who is blocked or revoked), what nodes carry for it, and
 * what it says about the wait's result: success as info, stragglers as a warning, a block or revoke not
 * everywhere in capitals, an earlier run's result or no wait not at all. (The wait itself, against moto:
 * nodeRollout.spec.ts.)
 */
import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { agentBundle } from "../../../components/access/roster/agentBundle";
import { ROLLOUT_TYPE } from "../../../components/access/roster/nodeStatus/rolloutResource";
import { SSM_CORE_POLICY_ARN } from "../../../components/access/roster/nodeStatus/wiring";
import { DEV_STACK_FILE } from "../../support/devConfig";
import { named, ofType, runDev, type DevRaw } from "../../support/program";

const runRoster = (change?: (raw: DevRaw) => void, cloud = {}) => runDev(change, cloud, undefined, undefined, DEV_STACK_FILE);

function result(fields: Record<string, unknown>): Record<string, unknown> {
    return { generation: 1, complete: true, live: 40, onGeneration: 40, stragglers: [], waitedSeconds: 31, finishedAt: new Date(Date.now() + 60_000).toISOString(), newlyRestricted: [], nudge: null, note: null, ...fields };
}

describe("pulumi up's wait for the nodes, under mocks", () => {
    it("follows the Roster with its generation, the cluster, the defaults and nobody restricted; says nothing when nothing was waited for", async () => {
        const run = await runRoster();
        const [rollout] = ofType(run, ROLLOUT_TYPE);
        const roster = named(run, "hpc-dev-users-roster");
        const bucket = named(run, "hpc-dev-scripts-bucket").outputs.bucket;
        assert.deepEqual(
            { ...rollout.inputs, __provider: undefined, result: undefined },
            {
                __provider: undefined,
                result: undefined,
                region: "eu-west-1",
                bucket,
                rosterKey: "roster.txt",
                environment: "hpc-dev",
                cluster: "hpc-dev",
                generation: roster.outputs.generation,
                agentSha256: agentBundle().sha256,
                syncIntervalSeconds: 60,
                awaitSeconds: 120,
                strict: false,
                nudge: false,
                restricted: [],
            },
        );
        assert.ok(rollout.dependencies.includes(roster.urn));
        assert.deepEqual(run.diagnostics.filter((d) => /generation|nodes/.test(d.message)), []);
        assert.equal((run.stackOutputs.nodeRollout as { note: string }).note, "not waited: the offline plan has no nodes");
    });

    it("passes the blocked and revoked users, the settings, and with nudge gives every node AmazonSSMManagedInstanceCore", async () => {
        const run = await runRoster((raw) => {
            raw.roster.awaitNodes = 300;
            raw.roster.awaitNodesStrict = true;
            raw.roster.nudge = true;
            raw.users[1].access = "blocked";
        });
        const [rollout] = ofType(run, ROLLOUT_TYPE);
        assert.deepEqual([rollout.inputs.awaitSeconds, rollout.inputs.strict, rollout.inputs.nudge, rollout.inputs.restricted], [300, true, true, ["bob"]]);
        const doc = YAML.parse(String(run.stackOutputs.clusterConfiguration));
        for (const node of [doc.HeadNode, ...doc.Scheduling.SlurmQueues, ...doc.LoginNodes.Pools]) {
            assert.ok(node.Iam.AdditionalIamPolicies.some((policy: { Policy: string }) => policy.Policy === SSM_CORE_POLICY_ARN), JSON.stringify(node.Iam));
        }
    });

    it("says info when every node reported, and warns naming the stragglers; a block or revoke in capitals", async () => {
        const ok = await runRoster(undefined, { nodeRollout: () => result({}) });
        assert.ok(ok.diagnostics.some((d) => d.severity === "info" && /^roster generation 1 applied on 40\/40 live nodes at /.test(d.message)), JSON.stringify(ok.diagnostics));
        const late = await runRoster(undefined, {
            nodeRollout: () => result({ complete: false, onGeneration: 38, newlyRestricted: ["bob"], stragglers: ["i-0abc (Compute): never reported", "i-0def (Compute): last seen 3 h ago, generation 0"] }),
        });
        const warning = late.diagnostics.find((d) => d.severity === "warning" && d.message.includes("HAS NOT REACHED"));
        assert.equal(
            warning?.message,
            "THE BLOCK OR REVOKE OF bob HAS NOT REACHED EVERY LIVE NODE: 38/40 nodes on generation 1 after 31 s.\n" +
                "i-0abc (Compute): never reported\ni-0def (Compute): last seen 3 h ago, generation 0\n" +
                "npm run status shows every node; set roster.awaitNodesStrict to make this an error.",
        );
        const old = await runRoster(undefined, { nodeRollout: () => result({ complete: false, finishedAt: "2026-01-01T00:00:00.000Z" }) });
        assert.deepEqual(old.diagnostics.filter((d) => /nodes/.test(d.message)), []);
    });
});
