/**
 * The roster signing policies on the dev stack (roster backend): a passing baseline, deployed and in a
 * first preview, then one planted defect per failing case with the exact message.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_ACCOUNT_ID, mockPublicKey } from "../../scripts/offline/mockCloud";
import { runPolicyPack } from "../../scripts/offline/policyHarness";
import type { RegisteredResource } from "../../scripts/offline/runProgram";
import { KMS_KEY, ROSTER } from "../../policy/lib/resourceTypes";
import { DEV_STACK_FILE } from "../support/devConfig";
import { named } from "../support/program";
import { check, violations } from "./support/check";
import { editV3, nodeOf, type Node } from "./support/edits";
import type { ResourceEdit, VariantOptions } from "./support/variants";

const KEY = "required-roster-signing-key";
const NODE_USE = "prohibited-node-signing-key-use";
const RETENTION = "required-signing-key-retention";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const SIGNING_KEY = "hpc-dev-users-signing-key";

function checkRoster(options: VariantOptions = {}) {
    return check({ stackFile: DEV_STACK_FILE, ...options });
}

function editArgs(node: string, change: (args: unknown[]) => void): ResourceEdit {
    return editV3((document) => change(((nodeOf(document, node).CustomActions as Node).OnNodeConfigured as Node).Args as unknown[]));
}

/** Edits the signing key's policy statements as the program registers them. */
function editKeyPolicy(change: (statements: Record<string, unknown>[]) => Record<string, unknown>[]): ResourceEdit {
    return {
        type: KMS_KEY,
        edit: (props) => ({
            ...props,
            policy: pulumi.output(props.policy as pulumi.Input<string>).apply((text) => {
                const policy = JSON.parse(text) as { Statement: Record<string, unknown>[] };
                return JSON.stringify({ ...policy, Statement: change(policy.Statement) });
            }),
        }),
    };
}

const tail = (key: string) => `...${key.slice(-16)}`;

describe("roster signing policies", () => {
    for (const preview of [false, true]) {
        it(`the dev stack passes all three${preview ? " in a first preview" : ""}`, async () => {
            const { report } = await checkRoster({ preview });
            assert.deepEqual([KEY, NODE_USE, RETENTION].flatMap((policy) => violations(report, policy)), []);
        });
    }

    it("the article's stack (OpsWorks, no roster, no key) is out of their reach", async () => {
        const { report } = await check();
        assert.deepEqual([KEY, NODE_USE, RETENTION].flatMap((policy) => violations(report, policy)), []);
    });

    describe(KEY, () => {
        let publicKey: string;
        before(async () => {
            publicKey = mockPublicKey(String(named((await checkRoster()).run, SIGNING_KEY).outputs.arn));
        });
        const fix = () => `Pass ${publicKey} (this environment's signing key's public key, base64 DER SubjectPublicKeyInfo) as the sixth argument.`;

        it("reports a queue given another key, and the head node given none or a word that is no key", async () => {
            const other = mockPublicKey("another environment's key");
            const { report } = await checkRoster({
                edits: [
                    editArgs("compute", (args) => (args[5] = other)),
                    editArgs("highmem", (args) => (args[5] = "not-a-key")),
                    editArgs("HeadNode", (args) => args.splice(5)),
                ],
            });
            assert.deepEqual(violations(report, KEY), [
                ["mandatory", `The head node is given no PUBKEY (HeadNode.CustomActions.OnNodeConfigured.Args, the sixth word): its agent can verify no roster and refuses them all. ${fix()}`, CONFIG_OBJECT],
                [
                    "mandatory",
                    `Queue compute is given the public key ${tail(other)} (Scheduling.SlurmQueues[0].CustomActions.OnNodeConfigured.Args), not ${tail(publicKey)}, the key this environment signs its roster with: ` +
                        `its agent would refuse every roster this environment writes, or apply one signed by someone else. ${fix()}`,
                    CONFIG_OBJECT,
                ],
                [
                    "mandatory",
                    `Queue highmem is given the PUBKEY "not-a-key" (Scheduling.SlurmQueues[2].CustomActions.OnNodeConfigured.Args), which is not base64 of a P-256 public key (DER SubjectPublicKeyInfo): its agent refuses every roster. ${fix()}`,
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("reports a signing key that is not ECC_NIST_P256 for SIGN_VERIFY", async () => {
            const { report } = await checkRoster({ edits: [{ type: KMS_KEY, edit: (props) => ({ ...props, customerMasterKeySpec: "RSA_2048" }) }] });
            assert.deepEqual(violations(report, KEY), [
                [
                    "mandatory",
                    "The roster's signing key is RSA_2048 for SIGN_VERIFY. It must be ECC_NIST_P256 for SIGN_VERIFY: the nodes check ECDSA P-256 / SHA-256 signatures with openssl, and no other key makes them.",
                    SIGNING_KEY,
                ],
            ]);
        });

        it("reports a roster signed with a key the stack does not manage", async () => {
            const foreign = `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/00000000-0000-4000-a000-000000000000`;
            const { report } = await checkRoster({ edits: [{ type: ROSTER, edit: (props) => ({ ...props, signingKeyArn: foreign }) }] });
            assert.deepEqual(violations(report, KEY), [
                [
                    "mandatory",
                    `The roster is signed with ${foreign}, which is not a KMS key of this stack: nothing ties the nodes' public key to a key this environment controls. ` +
                        "Sign it with the environment's own key (the RosterSigningKey the roster backend creates).",
                    "hpc-dev-users-roster",
                ],
            ]);
        });
    });

    describe(NODE_USE, () => {
        it("reports an Allow of kms:Sign to the account (IAM could then grant it to a node role) and to everyone", async () => {
            const { report } = await checkRoster({
                edits: [
                    editKeyPolicy((statements) => [
                        ...statements,
                        { Sid: "Wide", Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${MOCK_ACCOUNT_ID}:root`, "*"] }, Action: "kms:*", Resource: "*" },
                    ]),
                ],
            });
            const message = (who: string, principal: string) =>
                `The roster's signing key policy lets ${who} sign (statement "Wide", principal ${principal}): a node, or anyone with a foothold on one, could sign a roster every node applies. Allow kms:Sign to the deploying role only.`;
            assert.deepEqual(violations(report, NODE_USE), [
                ["mandatory", message("the whole account (any IAM policy, a node role's included, could then grant kms:Sign)", `arn:aws:iam::${MOCK_ACCOUNT_ID}:root`), SIGNING_KEY],
                ["mandatory", message("everyone", "*"), SIGNING_KEY],
            ]);
            // An Allow of everything but another action (NotAction) allows kms:Sign too.
            const notAction = await checkRoster({
                edits: [editKeyPolicy((statements) => [...statements, { Sid: "Wide", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` }, NotAction: "kms:Decrypt", Resource: "*" }])],
            });
            assert.deepEqual(violations(notAction.report, NODE_USE), [
                ["mandatory", message("the whole account (any IAM policy, a node role's included, could then grant kms:Sign)", `arn:aws:iam::${MOCK_ACCOUNT_ID}:root`), SIGNING_KEY],
            ]);
        });

        it("reports a key policy without the Deny statements for node roles and instance credentials", async () => {
            const { report } = await checkRoster({ edits: [editKeyPolicy((statements) => statements.filter((statement) => statement.Effect !== "Deny"))] });
            assert.deepEqual(violations(report, NODE_USE), [
                [
                    "mandatory",
                    "The roster's signing key policy does not deny ParallelCluster's node roles (arn:aws:iam::ACCOUNT:role/parallelcluster/*). " +
                        'Add a statement denying "kms:*" to principal "*" with Condition ArnLike aws:PrincipalArn on that path: an explicit Deny wins over any Allow or grant.',
                    SIGNING_KEY,
                ],
                [
                    "mandatory",
                    "The roster's signing key policy does not deny EC2 instance credentials. " +
                        'Add a statement denying "kms:*" to principal "*" with Condition Null {"aws:EC2InstanceSourceVPC": "false"} (the key is present only on instance-role credentials), except the deploying role.',
                    SIGNING_KEY,
                ],
            ]);
        });

        it("reports the node roles' Deny narrowed to kms:Sign: a node that may change the key policy or make a grant can give itself signing (issue 27)", async () => {
            const narrowed = (actions: string | string[]) =>
                editKeyPolicy((statements) => statements.map((statement) => (statement.Effect === "Deny" ? { ...statement, Action: actions } : statement)));
            const message = (whom: string, missing: string) =>
                `The roster's signing key policy denies ${whom} kms:Sign but not ${missing}: with any of these a node can give itself signing ` +
                "(a key policy or grant of its own, a replica with its own policy, a tag or alias an attribute-based policy trusts, a disabled key enabled again). " +
                'Deny "kms:*" there, as the program does (components/access/roster/keyPolicy.ts).';
            const all = "kms:PutKeyPolicy, kms:CreateGrant, kms:ReplicateKey, kms:TagResource, kms:UntagResource, kms:CreateAlias, kms:UpdateAlias, kms:DeleteAlias, kms:EnableKey, kms:CancelKeyDeletion";
            const onlySign = await checkRoster({ edits: [narrowed("kms:Sign")] });
            assert.deepEqual(violations(onlySign.report, NODE_USE), [
                ["mandatory", message("ParallelCluster's node roles", all), SIGNING_KEY],
                ["mandatory", message("EC2 instance credentials", all), SIGNING_KEY],
            ]);
            // Wildcards count: kms:*Alias covers the three alias actions, kms:*Grant CreateGrant.
            const wildcards = await checkRoster({ edits: [narrowed(["kms:Sign", "kms:PutKeyPolicy", "kms:*Grant", "kms:*Alias", "kms:TagResource", "kms:UntagResource", "kms:ReplicateKey"])] });
            assert.deepEqual(violations(wildcards.report, NODE_USE), [
                ["mandatory", message("ParallelCluster's node roles", "kms:EnableKey, kms:CancelKeyDeletion"), SIGNING_KEY],
                ["mandatory", message("EC2 instance credentials", "kms:EnableKey, kms:CancelKeyDeletion"), SIGNING_KEY],
            ]);
            // NotAction reads as IAM reads it: a Deny of everything but kms:EnableKey leaves only that open.
            const notAction = await checkRoster({
                edits: [editKeyPolicy((statements) => statements.map((statement) => (statement.Effect === "Deny" ? { ...statement, Action: undefined, NotAction: "kms:EnableKey" } : statement)))],
            });
            assert.deepEqual(violations(notAction.report, NODE_USE), [
                ["mandatory", message("ParallelCluster's node roles", "kms:EnableKey"), SIGNING_KEY],
                ["mandatory", message("EC2 instance credentials", "kms:EnableKey"), SIGNING_KEY],
            ]);
            // Stopped in a first preview too: the key policy is known before anything exists.
            const preview = await checkRoster({ preview: true, edits: [narrowed("kms:Sign")] });
            assert.deepEqual(violations(preview.report, NODE_USE), violations(onlySign.report, NODE_USE));
        });

        it("reports a grant on the key", async () => {
            const { run } = await checkRoster();
            const key = named(run, SIGNING_KEY);
            const grant: RegisteredResource = {
                ...key,
                urn: key.urn.replace(/aws:kms\/key:Key::.*$/, "aws:kms/grant:Grant::node-grant"),
                type: "aws:kms/grant:Grant",
                name: "node-grant",
                dependencies: [],
                inputs: {},
                outputs: { keyId: key.outputs.arn, granteePrincipal: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/parallelcluster/hpc-dev/RoleHeadNode`, operations: ["Sign"] },
            };
            const report = await runPolicyPack([...run.resources, grant]);
            assert.deepEqual(violations(report, NODE_USE), [
                [
                    "mandatory",
                    `The grant node-grant lets arn:aws:iam::${MOCK_ACCOUNT_ID}:role/parallelcluster/hpc-dev/RoleHeadNode use the roster's signing key outside its key policy. Remove it: only the key policy decides who signs.`,
                    "node-grant",
                ],
            ]);
        });
    });

    describe(RETENTION, () => {
        it("reports a key that is not protected, disabled, or with a shorter deletion waiting period", async () => {
            const { report } = await checkRoster({
                edits: [{ type: KMS_KEY, edit: (props) => ({ ...props, isEnabled: false, deletionWindowInDays: 7 }), options: (opts) => ({ ...opts, protect: false }) }],
            });
            assert.deepEqual(violations(report, RETENTION), [
                [
                    "mandatory",
                    "The roster's signing key is not protected: a replacement, a removal from the program or pulumi destroy would schedule its deletion, and a key pending deletion signs nothing, so every node keeps its last roster. " +
                        "Register it with protect: true (and retainOnDelete: true).",
                    SIGNING_KEY,
                ],
                ["mandatory", "The roster's signing key is disabled: it signs nothing, and no change of users reaches the nodes. Set isEnabled: true.", SIGNING_KEY],
                [
                    "mandatory",
                    "The roster's signing key has a deletion waiting period of 7 days. Set deletionWindowInDays: 30 (KMS's longest), to have the most time to cancel a deletion scheduled by hand.",
                    SIGNING_KEY,
                ],
            ]);
        });
    });
});
