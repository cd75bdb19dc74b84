/**
 * The pack on an AWS PCS environment (Pulumi.pcs.yaml): a passing baseline, deployed and in a first preview, then
 * one planted defect per failing case with the exact message: a node group that cannot read the roster, one given
 * another environment's key, a login group open to the world, a node role that may write the roster.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { EC2_LAUNCH_TEMPLATE, EC2_SECURITY_GROUP, IAM_POLICY, IAM_ROLE_POLICY } from "../../policy/lib/resourceTypes";
import { mockPublicKey } from "../../scripts/offline/mockCloud";
import { REPO_ROOT } from "../support/devConfig";
import { allViolations, check, violations } from "./support/check";
import type { ResourceEdit, VariantOptions } from "./support/variants";

const PCS_STACK_FILE = path.join(REPO_ROOT, "Pulumi.pcs.yaml");
const WIRING = "required-roster-wiring";
const KEY = "required-roster-signing-key";
const SSH = "prohibited-pcs-ssh-open-to-world";
const WRITE = "prohibited-pcs-node-roster-write";
const SUDO_ADVICE = /^discouraged-sudo-users: /;

function checkPcs(options: VariantOptions = {}) {
    return check({ stackFile: PCS_STACK_FILE, ...options });
}

/** Edits a policy document (JSON text, or an output of it) of resources of `type` whose name ends with `suffix`. */
function editDocument(type: string, suffix: string, change: (statements: Record<string, unknown>[]) => Record<string, unknown>[]): ResourceEdit {
    return {
        type,
        nameSuffix: suffix,
        edit: (props) => ({
            ...props,
            policy: pulumi.output(props.policy as pulumi.Input<string>).apply((text) => {
                const document = JSON.parse(text) as { Statement: Record<string, unknown>[] };
                return JSON.stringify({ ...document, Statement: change(document.Statement) });
            }),
        }),
    };
}

/** Edits the login launch template's user data text. */
function editUserData(suffix: string, change: (text: string) => string): ResourceEdit {
    return {
        type: EC2_LAUNCH_TEMPLATE,
        nameSuffix: suffix,
        edit: (props) => ({
            ...props,
            userData: pulumi.output(props.userData as pulumi.Input<string>).apply((encoded) => Buffer.from(change(Buffer.from(encoded, "base64").toString()), "utf8").toString("base64")),
        }),
    };
}

describe("policies on an AWS PCS environment", function () {
    this.timeout(120_000);

    for (const preview of [false, true]) {
        it(`passes Pulumi.pcs.yaml${preview ? " in a first preview" : ""}: nothing but the sudo advice`, async () => {
            const { report } = await checkPcs({ preview });
            assert.deepEqual(allViolations(report).filter((line) => !SUDO_ADVICE.test(line)), []);
        });
    }

    it("stops a node group that cannot read the roster (its role's read policy names another object)", async () => {
        const { report } = await checkPcs({
            edits: [editDocument(IAM_POLICY, "-compute-reads", (statements) => statements.map((statement) => ({ ...statement, Resource: (statement.Resource as string[]).filter((arn) => !arn.endsWith("/roster.txt")) })))],
        });
        const found = violations(report, WIRING);
        assert.equal(found.length, 2, JSON.stringify(found));
        for (const [[level, message, name], group] of found.map((violation, i) => [violation, ["compute", "spot"][i]] as const)) {
            assert.equal(level, "mandatory");
            assert.equal(name, `hpc-pcs-pcs-${group}-nodes`);
            assert.match(
                message,
                new RegExp(`^PCS node group ${group} may not read arn:aws:s3:::hpc-pcs-scripts-bucket-[0-9a-f]+/roster\\.txt: nothing in the managed policies of its instance role AWSPCS-hpc-pcs-compute covers it, so the agent cannot fetch it\\. To fix, list in the managed policies of its instance role AWSPCS-hpc-pcs-compute a managed policy of this stack that allows s3:GetObject on it`),
            );
        }
        assert.deepEqual(violations(report, SSH), []);
    });

    it("stops a node group whose user data runs no roster agent, or names another environment", async () => {
        const none = await checkPcs({ edits: [editUserData("login-template", (text) => text.replace(/^export PCA_SETUP_WORDS=.*$/m, ""))] });
        const found = violations(none.report, WIRING);
        assert.deepEqual(found.map(([level, , name]) => [level, name]), [["mandatory", "hpc-pcs-pcs-login-nodes"]]);
        assert.match(
            found[0][1],
            /^PCS node group login passes no argument to the post-install script \(its launch template's user data, PCA_SETUP_WORDS\), not the roster backend's arguments\. They must be: roster s3:\/\/hpc-pcs-scripts-bucket-[0-9a-f]+\/roster\.txt s3:\/\/hpc-pcs-scripts-bucket-[0-9a-f]+\/agent\.tar INTERVAL_SECONDS hpc-pcs PUBKEY; otherwise the node runs no roster agent and gets none of this environment's users\.$/,
        );
        const other = await checkPcs({ edits: [editUserData("login-template", (text) => text.replace(/^(export PCA_SETUP_WORDS='roster \S+ \S+ 60 )hpc-pcs /m, "$1hpc-prod "))] });
        assert.deepEqual(violations(other.report, WIRING), [
            [
                "mandatory",
                "PCS node group login passes the environment name \"hpc-prod\" (its launch template's user data, PCA_SETUP_WORDS), not hpc-pcs: the agent refuses every roster of this environment. Pass hpc-pcs.",
                "hpc-pcs-pcs-login-nodes",
            ],
        ]);
    });

    it("stops a node group given another key than the environment's signing key", async () => {
        const otherKey = mockPublicKey("another environment's key");
        const { report } = await checkPcs({ edits: [editUserData("compute-template", (text) => text.replace(/^(export PCA_SETUP_WORDS='(?:\S+ ){5})\S+'$/m, `$1${otherKey}'`))] });
        const found = violations(report, KEY);
        assert.deepEqual(found.map(([level, , name]) => [level, name]), [["mandatory", "hpc-pcs-pcs-compute-nodes"], ["mandatory", "hpc-pcs-pcs-spot-nodes"]]);
        assert.match(found[0][1], /^PCS node group compute is given the public key \S+ \(its launch template's user data, PCA_SETUP_WORDS\), not \S+, the key this environment signs its roster with/);
    });

    it("stops a login group open to the world, and any node group whose cluster group is", async () => {
        const { report } = await checkPcs({
            edits: [{ type: EC2_SECURITY_GROUP, nameSuffix: "login-sg", edit: (props) => ({ ...props, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] }) }],
        });
        assert.deepEqual(violations(report, SSH), [
            [
                "mandatory",
                "PCS node group login accepts SSH from the whole internet: its launch template's security group hpc-pcs-pcs-login-sg allows port 22 from 0.0.0.0/0 or ::/0. Allow only the range your users connect from: set pcluster-access:cluster.sshAllowedIps (an office or VPN CIDR block, or a prefix list id).",
                "hpc-pcs-pcs-login-nodes",
            ],
        ]);
        const everything = await checkPcs({
            edits: [{ type: EC2_SECURITY_GROUP, nameSuffix: "cluster-sg", edit: (props) => ({ ...props, ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] }) }],
        });
        // The cluster group is on every node group's template.
        assert.deepEqual(violations(everything.report, SSH).map(([, , name]) => name), ["hpc-pcs-pcs-compute-nodes", "hpc-pcs-pcs-login-nodes", "hpc-pcs-pcs-spot-nodes"]);
    });

    it("stops a node role that may write the roster", async () => {
        const { report } = await checkPcs({
            edits: [editDocument(IAM_ROLE_POLICY, "login-register", (statements) => [...statements, { Effect: "Allow", Action: ["s3:Put*"], Resource: "arn:aws:s3:::*/*" }])],
        });
        const found = violations(report, WRITE);
        assert.equal(found.length, 1, JSON.stringify(found));
        assert.equal(found[0][2], "hpc-pcs-pcs-login-nodes");
        assert.match(found[0][1], /^PCS node group login may s3:PutObject on the roster arn:aws:s3:::hpc-pcs-scripts-bucket-[0-9a-f]+\/roster\.txt through its inline policy hpc-pcs-pcs-login-register: a node must only read it/);
    });
});
