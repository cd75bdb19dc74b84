/**
 * required-node-status-grant (issue 24) on the dev stack: a passing baseline (deployed and in a first
 * preview), then one planted defect per case with the exact message: a grant widened to every status record,
 * a node policy that can write the bucket's other objects, and nodes left without the grant.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { PoolOutput } from "../../components/access/pool";
import { runPolicyPack } from "../../scripts/offline/policyHarness";
import { DEV_STACK_FILE } from "../support/devConfig";
import { runPoolStack, runSubscriber } from "../support/pool";
import { check, violations } from "./support/check";
import type { ResourceEdit } from "./support/variants";

const NAME = "required-node-status-grant";
const POLICY = "aws:iam/policy:Policy";
const BUCKET = "hpc-dev-scripts-bucket-5b2c712";
const GRANT_ARN = "arn:aws:iam::123456789012:policy/pcluster-access-hpc-dev-eu-west-1-node-status";
const OWN = `arn:aws:s3:::${BUCKET}/status/\${ec2:SourceInstanceARN}.json`;
/** The dev stack's nodes in roster mode, as the configuration reader labels them. */
const NODES = ["the head node", "queue compute", "queue highmem", "queue standard", "login node pool login"];

/** Edits the node status policy's document as the program registers it. */
function editGrant(change: (document: { Statement: Record<string, unknown>[] }) => void): ResourceEdit {
    return {
        type: POLICY,
        nameSuffix: "node-status",
        edit: (props) => ({
            ...props,
            policy: pulumi.output(props.policy as pulumi.Input<string>).apply((text) => {
                const document = JSON.parse(text);
                change(document);
                return JSON.stringify(document);
            }),
        }),
    };
}

describe(`${NAME} (issue 24)`, () => {
    it("passes the dev stack (roster backend), deployed and in a first preview, and the article's (OpsWorks: no roster nodes)", async () => {
        for (const preview of [false, true]) {
            const { report } = await check({ stackFile: DEV_STACK_FILE, preview });
            assert.deepEqual(violations(report, NAME), [], `preview: ${preview}`);
        }
        assert.deepEqual(violations((await check({})).report, NAME), []);
    });

    it("asks no grant of a cluster subscribed to a pool of users (it reads the pool's bucket), nor of the pool stack", async () => {
        const pool = await runPoolStack("users");
        const cpu = await runSubscriber("hpc-cpu", pool.stackOutputs.pool as PoolOutput);
        assert.deepEqual(violations(await runPolicyPack(cpu.resources), NAME), []);
        assert.deepEqual(violations(await runPolicyPack(pool.resources), NAME), []);
    });

    it("reports a grant widened to every status record, on every node that carries it, and the missing own-record grant", async () => {
        const { report } = await check({ stackFile: DEV_STACK_FILE, edits: [editGrant((document) => (document.Statement[0].Resource = `arn:aws:s3:::${BUCKET}/status/*`))] });
        const found = violations(report, NAME);
        const nodes = found.filter(([, message]) => message.includes("another node's status record")).map(([, message]) => message.split(" carries ")[0]);
        assert.deepEqual(nodes.sort(), [...NODES].sort());
        assert.deepEqual(found[0], [
            "mandatory",
            `${found[0][1].split(" carries ")[0]} carries ${GRANT_ARN}, which lets it write arn:aws:s3:::${BUCKET}/status/*: a node could overwrite another node's status record and hide it. ` +
                `Grant s3:PutObject on ${OWN} only (IAM puts the requesting instance's ARN in).`,
            "hpc-dev-node-status",
        ]);
        assert.equal(found.filter(([, message]) => message.includes("carries no policy of this stack that grants")).length, NODES.length);
    });

    it("reports a node policy that lets nodes write the roster, the agent and the post-install script", async () => {
        const { report } = await check({
            stackFile: DEV_STACK_FILE,
            edits: [editGrant((document) => document.Statement.push({ Sid: "Oops", Effect: "Allow", Action: "s3:*", Resource: `arn:aws:s3:::${BUCKET}/*` }))],
        });
        const found = violations(report, NAME).filter(([, message]) => message.startsWith("the head node carries"));
        assert.deepEqual(
            found.map(([, message]) => /could replace or delete (\S+),|(another node's status record)/.exec(message)?.slice(1).find((x) => x !== undefined)),
            ["roster.txt", "agent.tar", "post-install.sh", "another node's status record"],
        );
        assert.equal(
            found[0][1],
            `the head node carries ${GRANT_ARN}, which lets it write arn:aws:s3:::${BUCKET}/*: a node could replace or delete roster.txt, which every node reads. ` +
                `Nodes may write only their own status record (${OWN}); remove the write from that policy.`,
        );
    });

    it("reports every node without the grant", async () => {
        const { report } = await check({ stackFile: DEV_STACK_FILE, edits: [editGrant((document) => (document.Statement[0].Action = "s3:GetObject"))] });
        const found = violations(report, NAME);
        assert.equal(found.length, NODES.length);
        assert.match(
            found[0][1],
            new RegExp(`^.+ \\(.+AdditionalIamPolicies\\) carries no policy of this stack that grants s3:PutObject on ${OWN.replace(/[$.{}]/g, "\\$&")}: its agent cannot report what it applied, `),
        );
    });
});
