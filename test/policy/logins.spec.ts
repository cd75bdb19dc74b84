/**
 * Issue 16's policies on the dev stack with EC2 Instance Connect on: a passing baseline, then one planted
 * defect per case with the exact message.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ROSTER } from "../../policy/lib/resourceTypes";
import { DEV_STACK_FILE } from "../support/devConfig";
import { ed25519PublicKey } from "../support/keys";
import { named } from "../support/program";
import type { DevRaw } from "../support/program";
import { check, violations } from "./support/check";
import type { ResourceEdit } from "./support/variants";

const SCOPE = "required-instance-connect-scope";
const ENDING = "discouraged-access-ending-soon";
const USER_POLICY = "aws:iam/userPolicy:UserPolicy";

/** YYYY-MM-DD, `days` from today (UTC). */
function inDays(days: number): string {
    return new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

function withInstanceConnect(change?: (raw: DevRaw) => void) {
    return (raw: DevRaw) => {
        raw.roster.instanceConnect = true;
        change?.(raw);
    };
}

/** Edits alice's grant document as the program registers it. */
function editGrant(change: (document: { Statement: Record<string, any>[] }) => void, nameSuffix = "alice-instance-connect"): ResourceEdit {
    return {
        type: USER_POLICY,
        nameSuffix,
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

describe("logins policies (issue 16)", () => {
    describe(SCOPE, () => {
        it("passes the dev stack with Instance Connect on, deployed and in a first preview", async () => {
            for (const preview of [false, true]) {
                const { report } = await check({ stackFile: DEV_STACK_FILE, change: withInstanceConnect(), preview });
                assert.deepEqual(violations(report, SCOPE), [], `preview: ${preview}`);
            }
        });

        it("reports a grant on every cluster's instances, or another cluster's", async () => {
            const { report } = await check({
                stackFile: DEV_STACK_FILE,
                change: withInstanceConnect(),
                edits: [editGrant((document) => delete document.Statement[0].Condition.StringEquals["aws:ResourceTag/parallelcluster:cluster-name"])],
            });
            const message =
                "the inline policy hpc-dev-users-alice-instance-connect lets its holder push SSH keys with EC2 Instance Connect to instances beyond this cluster's: it must require StringEquals aws:ResourceTag/parallelcluster:cluster-name = hpc-dev (ParallelCluster's tag on every instance of the cluster). Grant through roster.instanceConnect, which writes it.";
            assert.deepEqual(violations(report, SCOPE), [["mandatory", message, "hpc-dev-users-alice-instance-connect"]]);
            const other = await check({
                stackFile: DEV_STACK_FILE,
                change: withInstanceConnect(),
                edits: [editGrant((document) => (document.Statement[0].Condition.StringEquals["aws:ResourceTag/parallelcluster:cluster-name"] = "hpc-prod"))],
            });
            assert.deepEqual(violations(other.report, SCOPE), [["mandatory", message, "hpc-dev-users-alice-instance-connect"]]);
        });

        it("reports a grant as another user's login name, or any", async () => {
            const { report } = await check({
                stackFile: DEV_STACK_FILE,
                change: withInstanceConnect(),
                edits: [editGrant((document) => (document.Statement[0].Condition.StringEquals["ec2:osuser"] = "bob"))],
            });
            assert.deepEqual(violations(report, SCOPE), [
                [
                    "mandatory",
                    "the inline policy hpc-dev-users-alice-instance-connect lets its holder push SSH keys with EC2 Instance Connect as bob; alice's login name is alice. A grant must require StringEquals ec2:osuser = its own user's login name, on that user's IAM user. Grant through roster.instanceConnect, which writes it.",
                    "hpc-dev-users-alice-instance-connect",
                ],
            ]);
            const any = await check({
                stackFile: DEV_STACK_FILE,
                change: withInstanceConnect(),
                edits: [editGrant((document) => delete document.Statement[0].Condition.StringEquals["ec2:osuser"], "adam.black-instance-connect")],
            });
            assert.deepEqual(violations(any.report, SCOPE), [
                [
                    "mandatory",
                    "the inline policy hpc-dev-users-adam.black-instance-connect lets its holder push SSH keys with EC2 Instance Connect as any OS user; adam.black's login name is adamblack. A grant must require StringEquals ec2:osuser = its own user's login name, on that user's IAM user. Grant through roster.instanceConnect, which writes it.",
                    "hpc-dev-users-adam.black-instance-connect",
                ],
            ]);
        });

        it("reports a grant to a blocked user, and a tunnel through any endpoint or to any port", async () => {
            const blocked: ResourceEdit = {
                type: ROSTER,
                edit: (props) => ({ ...props, users: pulumi.output(props.users as pulumi.Input<Record<string, unknown>[]>).apply((users) => users.map((user) => (user.iamUser === "alice" ? { ...user, state: "blocked" } : user))) }),
            };
            const { report } = await check({
                stackFile: DEV_STACK_FILE,
                change: withInstanceConnect(),
                edits: [
                    blocked,
                    editGrant((document) => {
                        document.Statement[2].Resource = "*";
                        delete document.Statement[2].Condition.NumericEquals;
                    }),
                ],
            });
            const found = violations(report, SCOPE);
            const endpoint = String(named((await check({ stackFile: DEV_STACK_FILE, change: withInstanceConnect() })).run, "hpc-dev-users-instance-connect").outputs.arn);
            assert.deepEqual(found, [
                [
                    "mandatory",
                    "the inline policy hpc-dev-users-alice-instance-connect grants EC2 Instance Connect to alice (alice), who is blocked in the roster: blocked and revoked users must have no grant. Remove it (the program grants allowed users only).",
                    "hpc-dev-users-alice-instance-connect",
                ],
                [
                    "mandatory",
                    `the inline policy hpc-dev-users-alice-instance-connect lets its holder open EC2 Instance Connect tunnels through * to any port; a grant must name only this environment's endpoint (${endpoint}) and require NumericEquals ec2-instance-connect:remotePort = 22.`,
                    "hpc-dev-users-alice-instance-connect",
                ],
            ]);
        });

        it("reads wildcard actions in any policy of the stack, managed ones too", async () => {
            const { report } = await check({
                stackFile: DEV_STACK_FILE,
                change: withInstanceConnect(),
                edits: [
                    {
                        type: "aws:iam/policy:Policy",
                        nameSuffix: "login-node-reads",
                        edit: (props) => ({ ...props, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2-instance-connect:*", Resource: "*" }] }) }),
                    },
                ],
            });
            assert.deepEqual(
                violations(report, SCOPE).map(([, message]) => message.slice(0, message.indexOf(":"))),
                [
                    "the managed policy hpc-dev-login-node-reads lets its holder push SSH keys with EC2 Instance Connect to instances beyond this cluster's",
                    "the managed policy hpc-dev-login-node-reads lets its holder push SSH keys with EC2 Instance Connect as any OS user; a principal is not a user of this roster. A grant must require StringEquals ec2",
                    "the managed policy hpc-dev-login-node-reads lets its holder open EC2 Instance Connect tunnels through * to any port; a grant must name only this environment's endpoint (arn",
                ],
            );
        });
    });

    describe(ENDING, () => {
        it("reports nothing for the dev stack, whose users have no end date", async () => {
            const { report } = await check({ stackFile: DEV_STACK_FILE });
            assert.deepEqual(violations(report, ENDING), []);
        });

        it("lists the users and keys whose date is within 30 days, not later ones nor ones already past", async () => {
            const ADAM_LAPTOP = ed25519PublicKey("adam@laptop");
            const soon = inDays(10);
            const keyDate = inDays(30);
            const previousRoster = {
                allocation: { users: { alice: { uid: 2001, name: "alice" }, bob: { uid: 2002, name: "bob" }, "adam.black": { uid: 2003, name: "adamblack" } }, groups: { cfd: 2004, genomics: 2005 }, retiredUsers: {}, retiredGroups: {}, retiredNumbers: [] },
                users: [],
            };
            const change = (raw: DevRaw) => {
                raw.users[0].expires = soon;
                raw.users[1].expires = "2020-01-01";
                raw.users[2].expires = inDays(31);
                // A second key of adam.black's own: one key given to two users is refused (test/config/keysUnique.spec.ts).
                raw.users[2].sshPublicKeys = [raw.users[2].sshPublicKey, { key: ADAM_LAPTOP, expires: keyDate }];
                delete raw.users[2].sshPublicKey;
            };
            const { report } = await check({ stackFile: DEV_STACK_FILE, change, cloud: { previousRoster } });
            const fix = "If that is intended, nothing to do; to extend it, set a later expires in the stack config.";
            assert.deepEqual(violations(report, ENDING), [
                ["advisory", `alice (alice) loses access on ${soon}, in 10 days: from 00:00 UTC that day the nodes refuse the account. ${fix}`, "hpc-dev-users-roster"],
                ["advisory", `Key 2 (ssh-ed25519) of adam.black (adamblack) ends on ${keyDate}, in 30 days: from 00:00 UTC that day sshd refuses it. ${fix}`, "hpc-dev-users-roster"],
            ]);
            // The window is configurable.
            const wider = await check({ stackFile: DEV_STACK_FILE, change, cloud: { previousRoster }, config: { [ENDING]: { windowDays: 31 } } });
            assert.deepEqual(violations(wider.report, ENDING).map(([, message]) => message.split(" ").slice(0, 3).join(" ")), ["alice (alice) loses", "adam.black (adamblack) loses", "Key 2 (ssh-ed25519)"]);
        });
    });
});
