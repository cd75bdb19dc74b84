/**
 * The roster backend's policies on the dev stack (roster backend): a passing baseline, deployed and in a
 * first preview, then one change per failing case with the exact message. The article's stack (OpsWorks)
 * is out of their reach, and the OpsWorks policies are out of the roster's.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ROSTER } from "../../policy/lib/resourceTypes";
import { DEV_STACK_FILE, setFormat } from "../support/devConfig";
import { mockPublicKey } from "../../scripts/offline/mockCloud";
import { named } from "../support/program";
import { allViolations, check, violations } from "./support/check";
import { editV2, editV3, nodeOf, type Node } from "./support/edits";
import type { ResourceEdit, VariantOptions } from "./support/variants";

const WIRING = "required-roster-wiring";
const UIDS = "required-roster-uids";
const IMDS = "prohibited-imds-v1-without-need";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const ROSTER_OBJECT = "hpc-dev-users-roster";

function checkRoster(options: VariantOptions = {}) {
    return check({ stackFile: DEV_STACK_FILE, ...options });
}

/** Edits the roster's users as the program registers them. */
function editRosterUsers(change: (users: Record<string, unknown>[]) => Record<string, unknown>[]): ResourceEdit {
    return { type: ROSTER, edit: (props) => ({ ...props, users: pulumi.output(props.users as pulumi.Input<Record<string, unknown>[]>).apply(change) }) };
}

function editArgs(node: string, change: (args: unknown[]) => void): ResourceEdit {
    return editV3((document) => change(((nodeOf(document, node).CustomActions as Node).OnNodeConfigured as Node).Args as unknown[]));
}

describe("roster backend policies", () => {
    for (const preview of [false, true]) {
        it(`the dev stack passes every mandatory policy${preview ? " in a first preview" : ""}`, async () => {
            const { report } = await checkRoster({ preview });
            assert.deepEqual(report.violations.filter((violation) => violation.enforcementLevel === "mandatory"), []);
        });
    }

    it("the article's stack (OpsWorks) is out of the roster policies' reach", async () => {
        const { report } = await check();
        assert.deepEqual([WIRING, UIDS, IMDS].flatMap((policy) => violations(report, policy)), []);
    });

    describe(WIRING, () => {
        let bucket: string;
        let publicKey: string;
        before(async () => {
            const { run } = await checkRoster();
            bucket = String(named(run, "hpc-dev-scripts-bucket").outputs.bucket);
            publicKey = mockPublicKey(String(named(run, "hpc-dev-users-signing-key").outputs.arn));
        });
        const wanted = () => `roster s3://${bucket}/roster.txt s3://${bucket}/agent.tar INTERVAL_SECONDS hpc-dev PUBKEY`;

        it("reports a queue that does not run in roster mode", async () => {
            const { report } = await checkRoster({ edits: [editArgs("compute", (args) => args.splice(0, args.length, "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee"))] });
            assert.deepEqual(violations(report, WIRING), [
                [
                    "mandatory",
                    `Queue compute passes "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee" to the post-install script (Scheduling.SlurmQueues[0].CustomActions.OnNodeConfigured.Args), not the roster backend's arguments. ` +
                        `They must be: ${wanted()}; otherwise the node runs no roster agent and gets none of this environment's users.`,
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("reports another environment's roster (which the node may not read either), name and a bad interval", async () => {
            const { report } = await checkRoster({
                edits: [
                    editArgs("HeadNode", (args) => {
                        args[1] = "s3://other-env-bucket/roster.txt";
                        args[3] = "90";
                        args[4] = "hpc-prod";
                    }),
                ],
            });
            const path = "HeadNode.CustomActions.OnNodeConfigured.Args";
            assert.deepEqual(violations(report, WIRING), [
                ["mandatory", `The head node reads the roster "s3://other-env-bucket/roster.txt" (${path}), not this environment's s3://${bucket}/roster.txt: its users would be another roster's. Pass s3://${bucket}/roster.txt.`, CONFIG_OBJECT],
                ["mandatory", `The head node passes the sync interval "90" (${path}); it must be whole seconds, a multiple of 60 from 60 to 3600 (a cron step).`, CONFIG_OBJECT],
                ["mandatory", `The head node passes the environment name "hpc-prod" (${path}), not hpc-dev: the agent refuses every roster of this environment. Pass hpc-dev.`, CONFIG_OBJECT],
                [
                    "mandatory",
                    "The head node may not read arn:aws:s3:::other-env-bucket/roster.txt: nothing in HeadNode.Iam.S3Access covers it, so the agent cannot fetch it. " +
                        "To fix, add {BucketName: other-env-bucket, KeyName: roster.txt, EnableWriteAccess: false} to HeadNode.Iam.S3Access.",
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("reports a queue that may not read the roster", async () => {
            const { report } = await checkRoster({
                edits: [editV3((document) => { const iam = nodeOf(document, "highmem").Iam as Node; iam.S3Access = (iam.S3Access as Node[]).filter((entry) => entry.KeyName !== "roster.txt"); })],
            });
            assert.deepEqual(violations(report, WIRING), [
                [
                    "mandatory",
                    `Queue highmem may not read arn:aws:s3:::${bucket}/roster.txt: nothing in Scheduling.SlurmQueues[2].Iam.S3Access covers it, so the agent cannot fetch it. ` +
                        `To fix, add {BucketName: ${bucket}, KeyName: roster.txt, EnableWriteAccess: false} to Scheduling.SlurmQueues[2].Iam.S3Access.`,
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("reports a login node pool with another agent, which its managed policy does not let it read", async () => {
            const { report } = await checkRoster({
                edits: [editV3((document) => { ((((document.LoginNodes as Node).Pools as Node[])[0].CustomActions as Node).OnNodeConfigured as Node).Args = ["roster", `s3://${bucket}/roster.txt`, "s3://elsewhere/agent.sh", "60", "hpc-dev", publicKey]; })],
            });
            const path = "LoginNodes.Pools[0]";
            assert.deepEqual(violations(report, WIRING), [
                [
                    "mandatory",
                    `Login node pool login runs the agent "s3://elsewhere/agent.sh" (${path}.CustomActions.OnNodeConfigured.Args), not this environment's s3://${bucket}/agent.tar. Pass s3://${bucket}/agent.tar.`,
                    CONFIG_OBJECT,
                ],
                [
                    "mandatory",
                    `Login node pool login may not read arn:aws:s3:::elsewhere/agent.sh: nothing in ${path}.Iam.AdditionalIamPolicies covers it, so the agent cannot fetch it. ` +
                        `To fix, list in ${path}.Iam.AdditionalIamPolicies a managed policy of this stack that allows s3:GetObject on it (login node pools take no S3Access).`,
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("reads v2's post_install_args as the node word-splits them", async () => {
            const v2 = (raw: Parameters<typeof setFormat>[0]) => { setFormat(raw, "v2"); raw.cluster.os = "centos7"; };
            const passing = await checkRoster({ change: v2 });
            assert.deepEqual(violations(passing.report, WIRING), []);
            const v2Key = mockPublicKey(String(named(passing.run, "hpc-dev-users-signing-key").outputs.arn));
            const args = `roster s3://${bucket}/roster.txt s3://${bucket}/agent.tar 60 hpc-test ${v2Key}`;
            const { report } = await checkRoster({ change: v2, edits: [editV2("cluster default", "post_install_args", args, `"${args}"`)] });
            assert.deepEqual(violations(report, WIRING), [
                [
                    "mandatory",
                    'The cluster section (head node and every queue) passes the environment name "hpc-test" ([cluster default] post_install_args), not hpc-dev: the agent refuses every roster of this environment. Pass hpc-dev.',
                    CONFIG_OBJECT,
                ],
            ]);
        });
    });

    describe(UIDS, () => {
        it("reports a number outside 1000-60000 that got past the config", async () => {
            const { report } = await checkRoster({ edits: [editRosterUsers((users) => users.map((user) => (user.iamUser === "bob" ? { ...user, uid: 401 } : user)))] });
            assert.deepEqual(violations(report, UIDS), [
                [
                    "mandatory",
                    "user bob has number 401, outside 1000-60000: lower numbers belong to the images' system accounts and ParallelCluster's service accounts, higher ones are not handed out by useradd. Give a uid (or gid) in that range in the stack config.",
                    ROSTER_OBJECT,
                ],
            ]);
        });

        it("reports two users on one number, from the explicit uids, in a first preview", async () => {
            const { report } = await checkRoster({ preview: true, edits: [editRosterUsers((users) => users.map((user) => (user.iamUser === "alice" ? user : { ...user, uid: 5000 })))] });
            assert.deepEqual(violations(report, UIDS), [
                [
                    "mandatory",
                    "user bob and user adam.black share number 5000: they would own each other's files on shared storage. Every user and project group needs its own number; give them distinct uid/gid values in the stack config.",
                    ROSTER_OBJECT,
                ],
            ]);
        });
    });

    describe(IMDS, () => {
        it("reports IMDSv1 turned on where no node registers with OpsWorks", async () => {
            const { report } = await checkRoster({ edits: [editV3((document) => (document.Imds = { ImdsSupport: "v1.0" }))] });
            assert.deepEqual(violations(report, IMDS), [
                [
                    "mandatory",
                    "Imds.ImdsSupport is v1.0, but no node needs IMDSv1 (none registers with OpsWorks): it lets anything on a node that can make an HTTP request read the node's IAM credentials. " +
                        "Remove the Imds section (ParallelCluster 3.7+ then requires IMDSv2) or set Imds: {ImdsSupport: v2.0}.",
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("accepts an explicit v2.0", async () => {
            const { report } = await checkRoster({ edits: [editV3((document) => (document.Imds = { ImdsSupport: "v2.0" }))] });
            assert.deepEqual(violations(report, IMDS), []);
        });
    });

    describe("user policies on the roster", () => {
        it("advise on a revoked roster user, and refuse an empty key of an allowed one in a preview (the provider would refuse it at up)", async () => {
            const { report } = await checkRoster({
                preview: true,
                change: (raw) => { raw.users[1].access = "revoked"; },
                edits: [editRosterUsers((users) => users.map((user) => (user.iamUser === "adam.black" ? { ...user, keys: [""] } : user)))],
            });
            assert.deepEqual(violations(report, "discouraged-access-revocation"), [
                [
                    "advisory",
                    "bob (bob) is revoked in the roster: the agent removes the account, its keys and sudo on every node (the home directory and the UID stay). If you only mean to stop logins, set access: blocked, which keeps the account.",
                    ROSTER_OBJECT,
                ],
            ]);
            const [[level, message, name]] = violations(report, "required-valid-ssh-public-key");
            assert.deepEqual([level, name], ["mandatory", ROSTER_OBJECT]);
            assert.equal(
                message,
                "The SSH public key of roster user adamblack (adam.black) is empty. The roster needs a key for every allowed user, and every node's agent refuses a roster " +
                    "that breaks its rules, so no change would reach any node. Paste the one line of the user's .pub file, or set access: blocked.",
            );
            assert.equal(allViolations(report).filter((line) => line.startsWith("required-valid-ssh-public-key")).length, 1);
        });
    });
});
