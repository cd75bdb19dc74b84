/**
 * Issue 27: the promises that came with the signed roster, end dates and EC2 Instance Connect, guarded
 * between the stack config and the resources. Each defect is planted in the real program as it registers
 * its resources (a mistake in components/ between the config and the resource) and must be stopped by
 * the named mandatory policy; values a first preview cannot see are not judged, and the tests show it.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runPolicyPack } from "../../scripts/offline/policyHarness";
import { INSTANCE_CONNECT_ENDPOINT, ROSTER } from "../../policy/lib/resourceTypes";
import { DEV_STACK_FILE, REPO_ROOT } from "../support/devConfig";
import type { DevRaw } from "../support/program";
import { check, violations } from "./support/check";
import { setInputs } from "./support/edits";
import { runVariant, type ResourceEdit, type VariantOptions } from "./support/variants";

const END_DATES = "required-configured-end-dates";
const OPTIONS = "required-configured-roster-options";
const CLIENT_IP = "required-instance-connect-client-ip";
const ACCESS = "required-configured-roster-access";
const WIRING = "required-roster-wiring";
const ROSTER_RESOURCE = "hpc-dev-users-roster";
const ALICE_GRANT = "hpc-dev-users-alice-instance-connect";
const USER_POLICY = "aws:iam/userPolicy:UserPolicy";

const ALICE_ENDS = "2027-06-30";
const ALICE_KEY_ENDS = "2027-03-31";

/** The dev stack with EC2 Instance Connect on, alice's access ending on ALICE_ENDS and her key on ALICE_KEY_ENDS. */
function withDates(raw: DevRaw): void {
    raw.roster.instanceConnect = true;
    const alice = raw.users[0];
    alice.expires = ALICE_ENDS;
    alice.sshPublicKeys = [{ key: alice.sshPublicKey, expires: ALICE_KEY_ENDS }];
    delete alice.sshPublicKey;
}

function checkDated(options: VariantOptions = {}) {
    return check({ stackFile: DEV_STACK_FILE, change: withDates, ...options });
}

/** Changes alice's entry in the Roster's users as the program passes them. */
function editRosterAlice(change: (user: Record<string, unknown>) => Record<string, unknown>): ResourceEdit {
    return {
        type: ROSTER,
        edit: (props) => ({
            ...props,
            users: pulumi.output(props.users as pulumi.Input<Record<string, unknown>[]>).apply((users) => users.map((user) => (user.iamUser === "alice" ? change({ ...user }) : user))),
        }),
    };
}

/** Edits alice's Instance Connect grant document as the program registers it. */
function editAliceGrant(change: (statements: Record<string, any>[]) => void): ResourceEdit {
    return {
        type: USER_POLICY,
        nameSuffix: "alice-instance-connect",
        edit: (props) => ({
            ...props,
            policy: pulumi.output(props.policy as pulumi.Input<string>).apply((text) => {
                const document = JSON.parse(text) as { Statement: Record<string, any>[] };
                change(document.Statement);
                return JSON.stringify(document);
            }),
        }),
    };
}

const NEW_POLICIES = [END_DATES, OPTIONS, CLIENT_IP, WIRING, ACCESS];

describe("issue 27: the roster's promises, from the stack config to the resources", () => {
    for (const preview of [false, true]) {
        it(`the dev stack with end dates and Instance Connect passes every new guard${preview ? " in a first preview" : ""}`, async () => {
            const { report } = await checkDated({ preview });
            assert.deepEqual(NEW_POLICIES.flatMap((policy) => violations(report, policy)), []);
        });
    }

    describe(END_DATES, () => {
        const lostDate =
            `The roster gives alice (alice) no end date, but the stack config says expires: ${ALICE_ENDS}. The nodes apply the roster's date: the account would keep access after the configured date. ` +
            "The program must pass each user's expires to the Roster as configured (rosterInput, components/access/roster/).";

        for (const preview of [false, true]) {
            it(`stops a user's end date lost on the way to the roster${preview ? ", in a first preview too (the Roster's users are known)" : ""}`, async () => {
                const { report } = await checkDated({
                    preview,
                    edits: [
                        editRosterAlice((user) => {
                            delete user.expires;
                            return user;
                        }),
                    ],
                });
                assert.deepEqual(violations(report, END_DATES), [["mandatory", lostDate, ROSTER_RESOURCE]]);
            });
        }

        it("stops a key's end date lost or changed on the way to the roster", async () => {
            const { report } = await checkDated({
                edits: [editRosterAlice((user) => ({ ...user, keys: (user.keys as { key: string }[]).map((key) => ({ key: key.key, expires: "2027-12-31" })) }))],
            });
            assert.deepEqual(violations(report, END_DATES), [
                [
                    "mandatory",
                    `The roster gives key 1 of alice (alice) 2027-12-31, but the stack config says expires: ${ALICE_KEY_ENDS} for that key. ` +
                        "sshd on every node applies the roster's date (the key's expiry-time option). The program must pass each key's expires to the Roster as configured.",
                    ROSTER_RESOURCE,
                ],
            ]);
        });

        it("stops an Instance Connect grant whose aws:CurrentTime condition was dropped; not judged in a first preview, where the grant is unknown", async () => {
            const dropped = editAliceGrant((statements) => {
                for (const statement of statements) {
                    delete statement.Condition?.DateLessThan;
                }
            });
            const deployed = await checkDated({ edits: [dropped] });
            assert.deepEqual(violations(deployed.report, END_DATES), [
                [
                    "mandatory",
                    `The EC2 Instance Connect grant ${ALICE_GRANT} of alice (statement "PushKeyToThisClusterAsOwnUser") has no end, but the stack config ends alice's access on ${ALICE_ENDS}: ` +
                        `IAM would let them push keys and open tunnels after their date. Each statement must require DateLessThan aws:CurrentTime = ${ALICE_ENDS}T00:00:00Z (roster.instanceConnect writes it).`,
                    ALICE_GRANT,
                ],
            ]);
            const preview = await checkDated({ preview: true, edits: [dropped] });
            const grant = preview.run.resources.find((resource) => resource.name === ALICE_GRANT);
            assert.notEqual(typeof grant?.outputs.policy, "string", "the grant's document is unknown in a first preview");
            assert.deepEqual(violations(preview.report, END_DATES), []);
        });

        it("stops a grant that ends on another day than the user, and one that ends for a user with no end date", async () => {
            const later = await checkDated({ edits: [editAliceGrant((statements) => (statements[2].Condition.DateLessThan["aws:CurrentTime"] = "2028-01-01T00:00:00Z"))] });
            assert.deepEqual(violations(later.report, END_DATES), [
                [
                    "mandatory",
                    `The EC2 Instance Connect grant ${ALICE_GRANT} of alice (statement "TunnelThroughThisEndpointToSsh") ends at 2028-01-01T00:00:00Z, but the stack config ends alice's access on ${ALICE_ENDS}: ` +
                        `IAM would let them push keys and open tunnels after their date. Each statement must require DateLessThan aws:CurrentTime = ${ALICE_ENDS}T00:00:00Z (roster.instanceConnect writes it).`,
                    ALICE_GRANT,
                ],
            ]);
            const bob = await checkDated({
                edits: [
                    {
                        ...editAliceGrant((statements) => (statements[0].Condition.DateLessThan = { "aws:CurrentTime": "2027-01-01T00:00:00Z" })),
                        nameSuffix: "bob-instance-connect",
                    },
                ],
            });
            assert.deepEqual(violations(bob.report, END_DATES), [
                [
                    "mandatory",
                    'The EC2 Instance Connect grant hpc-dev-users-bob-instance-connect of bob (statement "PushKeyToThisClusterAsOwnUser") ends at 2027-01-01T00:00:00Z, but the stack config gives bob no end date: ' +
                        "the grant must end exactly when the user's access does. Remove the condition, or set the user's expires in the stack config.",
                    "hpc-dev-users-bob-instance-connect",
                ],
            ]);
        });

        it("without a visible stack config (pulumi policy publish, another runner), holds the grant to the roster's date", async () => {
            const run = await runVariant({
                stackFile: DEV_STACK_FILE,
                change: withDates,
                edits: [editAliceGrant((statements) => statements.forEach((statement) => delete statement.Condition?.DateLessThan))],
            });
            pulumi.runtime.setAllConfig({});
            const report = await runPolicyPack(run.resources);
            assert.deepEqual(violations(report, END_DATES), [
                [
                    "mandatory",
                    `The EC2 Instance Connect grant ${ALICE_GRANT} of alice (statement "PushKeyToThisClusterAsOwnUser") has no end, but the roster ends alice's access on ${ALICE_ENDS}: ` +
                        `IAM would let them push keys and open tunnels after their date. Each statement must require DateLessThan aws:CurrentTime = ${ALICE_ENDS}T00:00:00Z (roster.instanceConnect writes it).`,
                    ALICE_GRANT,
                ],
            ]);
        });
    });

    describe(OPTIONS, () => {
        for (const preview of [false, true]) {
            it(`stops option home-keys anywhere where the config keeps the default${preview ? ", in a first preview too" : ""}`, async () => {
                const { report } = await checkDated({ preview, edits: [setInputs(ROSTER, { options: { homeKeys: "anywhere", instanceConnect: true } })] });
                assert.deepEqual(violations(report, OPTIONS), [
                    [
                        "mandatory",
                        "The roster says option home-keys \"anywhere\", but the stack config asks for cluster (it has no other choice today): " +
                            "keys users add to their own ~/.ssh/authorized_keys would open their accounts from anywhere, not only from inside the cluster's network. " +
                            "The program must write homeKeys: cluster (the Roster's options, components/access/roster/).",
                        ROSTER_RESOURCE,
                    ],
                ]);
            });
        }

        it("stops option instance-connect not as configured, either way", async () => {
            const off = await checkDated({ edits: [setInputs(ROSTER, { options: { homeKeys: "cluster", instanceConnect: false } })] });
            assert.deepEqual(violations(off.report, OPTIONS), [
                [
                    "mandatory",
                    "The roster says option instance-connect off, but the stack config (roster.instanceConnect) says on: " +
                        "the nodes would drop EC2 Instance Connect's key command, and every Instance Connect login fails. " +
                        "The program must pass roster.instanceConnect to the Roster's options as configured.",
                    ROSTER_RESOURCE,
                ],
            ]);
            const on = await check({ stackFile: DEV_STACK_FILE, edits: [setInputs(ROSTER, { options: { homeKeys: "cluster", instanceConnect: true } })] });
            assert.deepEqual(violations(on.report, OPTIONS), [
                [
                    "mandatory",
                    "The roster says option instance-connect on, but the stack config (roster.instanceConnect) says off: " +
                        "the nodes would accept keys pushed through EC2 Instance Connect, a way in this environment does not grant. " +
                        "The program must pass roster.instanceConnect to the Roster's options as configured.",
                    ROSTER_RESOURCE,
                ],
            ]);
        });

        it("without a visible stack config, holds instance-connect to whether the stack has an endpoint", async () => {
            const run = await runVariant({ stackFile: DEV_STACK_FILE, edits: [setInputs(ROSTER, { options: { homeKeys: "cluster", instanceConnect: true } })] });
            pulumi.runtime.setAllConfig({});
            const report = await runPolicyPack(run.resources);
            assert.equal(run.resources.filter((resource) => resource.type === INSTANCE_CONNECT_ENDPOINT).length, 0);
            assert.deepEqual(violations(report, OPTIONS), [
                [
                    "mandatory",
                    "The roster says option instance-connect on, but this stack's EC2 Instance Connect Endpoint says off: " +
                        "the nodes would accept keys pushed through EC2 Instance Connect, a way in this environment does not grant. " +
                        "The program must pass roster.instanceConnect to the Roster's options as configured.",
                    ROSTER_RESOURCE,
                ],
            ]);
        });
    });

    describe("required-instance-connect-scope: a grant only where the stack config asks for one", () => {
        it("stops a grant to a user who opted out (instanceConnect: false), as a program that ignored the opt-out would make", async () => {
            const run = await runVariant({
                stackFile: DEV_STACK_FILE,
                change: (raw) => {
                    withDates(raw);
                    raw.users[1].instanceConnect = false;
                },
            });
            assert.equal(run.resources.some((resource) => resource.name === "hpc-dev-users-bob-instance-connect"), false);
            // The grant the program would have made for bob had it ignored the opt-out: alice's, made bob's.
            const alice = run.resources.find((resource) => resource.name === ALICE_GRANT)!;
            const asBob = (props: Record<string, unknown>) => ({
                ...props,
                user: "bob",
                policy: String(props.policy).replaceAll('"ec2:osuser":"alice"', '"ec2:osuser":"bob"'),
            });
            const bob = { ...alice, name: "hpc-dev-users-bob-instance-connect", urn: alice.urn.replace(ALICE_GRANT, "hpc-dev-users-bob-instance-connect"), inputs: asBob(alice.inputs), outputs: asBob(alice.outputs) };
            const report = await runPolicyPack([...run.resources, bob]);
            assert.deepEqual(violations(report, "required-instance-connect-scope"), [
                [
                    "mandatory",
                    "the inline policy hpc-dev-users-bob-instance-connect grants EC2 Instance Connect to bob (bob), whom the stack config does not grant it (the user sets instanceConnect: false). " +
                        "A grant must exist only where the config asks for it: remove it (the program grants exactly those users).",
                    "hpc-dev-users-bob-instance-connect",
                ],
            ]);
        });
    });

    describe(ACCESS, () => {
        for (const preview of [false, true]) {
            it(`stops a blocked user written allowed, and sudo nobody granted${preview ? ", in a first preview too" : ""}`, async () => {
                const { report } = await checkDated({
                    preview,
                    change: (raw) => {
                        withDates(raw);
                        raw.users[1].access = "blocked";
                    },
                    edits: [
                        {
                            type: ROSTER,
                            edit: (props) => ({
                                ...props,
                                users: pulumi
                                    .output(props.users as pulumi.Input<Record<string, unknown>[]>)
                                    .apply((users) => users.map((user) => (user.iamUser === "bob" ? { ...user, state: "allowed" } : user.iamUser === "adam.black" ? { ...user, sudo: true } : user))),
                            }),
                        },
                    ],
                });
                assert.deepEqual(violations(report, ACCESS), [
                    [
                        "mandatory",
                        "The roster gives bob (bob) the state allowed, but the stack config says access: blocked. Every node applies the roster's state: the user would log in although the config stops them. " +
                            "The program must pass each user's access to the Roster as configured (rosterInput, components/access/roster/).",
                        ROSTER_RESOURCE,
                    ],
                    [
                        "mandatory",
                        "The roster gives adam.black (adamblack) sudo, but the stack config says sudo: false. The user would be root on every node without anyone granting it. " +
                            "The program must pass each user's sudo to the Roster as configured (rosterInput, components/access/roster/).",
                        ROSTER_RESOURCE,
                    ],
                ]);
            });
        }
    });

    describe(CLIENT_IP, () => {
        const hides = (how: string) =>
            `The EC2 Instance Connect Endpoint ${how} the client's IP address: every login through it then comes from the endpoint's own address in the VPC, ` +
            "so cluster.sshAllowedIps no longer decides who may connect, and the agent's home-keys rule (a key in ~/.ssh opens an account only from inside the cluster's network) " +
            "lets keys users add to ~/.ssh open accounts from anywhere. Set preserveClientIp: true (InstanceConnectEndpoint in components/access/roster/instanceConnect.ts does).";

        for (const preview of [false, true]) {
            it(`stops an endpoint that hides client addresses, or leaves it to the API's default${preview ? ", in a first preview too" : ""}`, async () => {
                const off = await checkDated({ preview, edits: [setInputs(INSTANCE_CONNECT_ENDPOINT, { preserveClientIp: false })] });
                assert.deepEqual(violations(off.report, CLIENT_IP), [["mandatory", hides("hides"), "hpc-dev-users-instance-connect"]]);
                const unset = await checkDated({ preview, edits: [setInputs(INSTANCE_CONNECT_ENDPOINT, { preserveClientIp: undefined })] });
                assert.deepEqual(violations(unset.report, CLIENT_IP), [
                    ["mandatory", hides("may hide (preserveClientIp is not set, and the EC2 API's default is false)"), "hpc-dev-users-instance-connect"],
                ]);
            });
        }
    });

    describe(`${WIRING}: the agent line`, () => {
        const entryHash = createHash("sha256").update(readFileSync(path.join(REPO_ROOT, "scripts", "node", "roster-agent.sh"))).digest("hex");

        it("does not judge the hash while the bundle's bytes are unknown (a first preview), and stops it once they are known", async () => {
            // The bytes made to wait on the bucket's name, which a first preview does not know.
            const late: ResourceEdit = {
                type: "aws:s3/bucketObjectv2:BucketObjectv2",
                nameSuffix: "roster-agent",
                edit: (props) => ({ ...props, contentBase64: pulumi.output(props.bucket as pulumi.Input<string>).apply(() => props.contentBase64 as string) }),
            };
            const edits = [late, setInputs(ROSTER, { agentSha256: entryHash })];
            const preview = await check({ stackFile: DEV_STACK_FILE, preview: true, edits });
            const bundle = preview.run.resources.find((resource) => resource.type === "aws:s3/bucketObjectv2:BucketObjectv2" && resource.inputs.key === "agent.tar");
            assert.notEqual(typeof bundle?.outputs.contentBase64, "string", "the bytes are unknown in this preview");
            assert.deepEqual(violations(preview.report, WIRING), []);
            const deployed = await check({ stackFile: DEV_STACK_FILE, edits });
            assert.deepEqual(violations(deployed.report, WIRING).map(([level, message]) => [level, message.split(",")[0]]), [
                ["mandatory", `The roster's agent line names ${entryHash}`],
            ]);
        });

        for (const preview of [false, true]) {
            it(`stops a roster whose agent line names the hash of roster-agent.sh, not of the bundle uploaded at agent.tar${preview ? ", in a first preview too" : ""}`, async () => {
                const { run, report } = await check({ stackFile: DEV_STACK_FILE, preview, edits: [setInputs(ROSTER, { agentSha256: entryHash })] });
                const bundle = run.resources.find((resource) => resource.type === "aws:s3/bucketObjectv2:BucketObjectv2" && resource.inputs.key === "agent.tar");
                const bundleHash = createHash("sha256").update(Buffer.from(String(bundle?.inputs.contentBase64), "base64")).digest("hex");
                assert.notEqual(bundleHash, entryHash);
                assert.deepEqual(violations(report, WIRING), [
                    [
                        "mandatory",
                        `The roster's agent line names ${entryHash}, not ${bundleHash}, the SHA-256 of the agent this stack uploads at agent.tar: ` +
                            "every node checks the agent it fetches against that line, so each would refuse the upgrade, or the line would vouch for code nobody reviewed. " +
                            "The Roster's agentSha256 must be the hash of the uploaded bundle (agentBundle().sha256, the same bytes backendObjects uploads).",
                        ROSTER_RESOURCE,
                    ],
                ]);
            });
        }
    });
});
