/**
 * Rotating the roster signing key (roster.signingKeyVersion): a new version is a new KMS key whose public
 * key every node created from then on gets; the Roster re-signs with it (signing.spec.ts: the old key's
 * nodes then refuse new documents and keep their last state). A deployed cluster's head node cannot take
 * a new PUBKEY by an update (ParallelCluster: UpdatePolicy.UNSUPPORTED), so required-roster-signing-key
 * stops that update at preview with the procedure.
 */
import * as assert from "node:assert/strict";
import { signingKeyName } from "../../../components/access/roster";
import { signingKeyPolicy } from "../../../components/access/roster/keyPolicy";
import { MOCK_ACCOUNT_ID, mockPublicKey } from "../../../scripts/offline/mockCloud";
import { configWith, problems } from "../../support/configProblems";
import { DEV_STACK_FILE } from "../../support/devConfig";
import { named, ofType, runDev, type DevRaw } from "../../support/program";
import { check, violations } from "../../policy/support/check";

const deploy = (raw: DevRaw) => (raw.cluster.deploy = true);
const rotate = (raw: DevRaw) => (raw.roster = { ...raw.roster, signingKeyVersion: 2 });
const tail = (key: string) => `...${key.slice(-16)}`;

describe("rotating the roster signing key (roster.signingKeyVersion) and who signs (roster.signers)", () => {
    it("version 2 is a new key under a new name; the Roster signs with it and every node is given its public key", async () => {
        const first = await runDev(undefined, {}, undefined, undefined, DEV_STACK_FILE);
        const run = await runDev(rotate, {}, undefined, undefined, DEV_STACK_FILE);
        assert.deepEqual(ofType(run, "aws:kms/key:Key").map((key) => key.name), ["hpc-dev-users-signing-key-v2"]);
        assert.equal(signingKeyName("hpc-dev-users", 1), "hpc-dev-users-signing-key");
        const arn = String(named(run, "hpc-dev-users-signing-key-v2").outputs.arn);
        const [before, after] = [mockPublicKey(String(named(first, "hpc-dev-users-signing-key").outputs.arn)), mockPublicKey(arn)];
        assert.notEqual(before, after);
        const rosterInputs = ofType(run, "pulumi-nodejs:dynamic/roster:Roster")[0].inputs;
        assert.deepEqual([rosterInputs.signingKeyArn, rosterInputs.publicKey], [arn, after]);
        const text = String(run.stackOutputs.clusterConfiguration);
        assert.equal(text.split(after).length - 1, 5, "the head node, the three queues and the login node pool");
        assert.equal(text.includes(before), false);
    });

    it("stops, at preview, an update that would give a deployed head node a new key, saying what to do", async () => {
        const previousOutputs = (await runDev(deploy, {}, undefined, undefined, DEV_STACK_FILE)).stackOutputs;
        const same = await check({ stackFile: DEV_STACK_FILE, cloud: { previousOutputs }, change: deploy });
        assert.deepEqual(violations(same.report, "required-roster-signing-key"), []);
        const { run, report } = await check({ stackFile: DEV_STACK_FILE, cloud: { previousOutputs }, change: (raw) => { deploy(raw); rotate(raw); } });
        const old = mockPublicKey(String(named(await runDev(deploy, {}, undefined, undefined, DEV_STACK_FILE), "hpc-dev-users-signing-key").outputs.arn));
        const now = mockPublicKey(String(named(run, "hpc-dev-users-signing-key-v2").outputs.arn));
        assert.deepEqual(violations(report, "required-roster-signing-key"), [
            [
                "mandatory",
                `The deployed head node verifies the roster with the public key ${tail(old)}, and this update gives it ${tail(now)} (HeadNode.CustomActions.OnNodeConfigured.Args). ` +
                    "ParallelCluster cannot change a head node's OnNodeConfigured arguments by an update (cluster_schema.py: UpdatePolicy.UNSUPPORTED): the update fails, and the head node would refuse every roster signed with the new key. " +
                    "Keep roster.signingKeyVersion as deployed, or rotate with a new cluster (docs/signing-key.md: Rotating the signing key).",
                "hpc-dev-cluster-config-object",
            ],
        ]);
    });

    it("roster.signers: the key policy lets exactly these roles sign; a session, a group or a node role is refused", async () => {
        const ci = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ci-deployer`;
        const admin = `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/alice-admin`;
        const run = await runDev((raw) => (raw.roster = { ...raw.roster, signers: [ci, admin] }), {}, undefined, undefined, DEV_STACK_FILE);
        const policy = JSON.parse(String(named(run, "hpc-dev-users-signing-key").inputs.policy)) as { Statement: { Principal: unknown }[] };
        assert.deepEqual(policy, signingKeyPolicy({ partition: "aws", accountId: MOCK_ACCOUNT_ID, signers: [ci, admin] }));
        assert.deepEqual(policy.Statement[0].Principal, { AWS: [ci, admin] });
        assert.deepEqual(
            problems(configWith((raw) => { raw.roster.signers = [`arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/ci/run-7`, `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/parallelcluster/hpc-dev/RoleHeadNode`]; }, DEV_STACK_FILE)),
            [
                `roster.signers[0]: 'arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/ci/run-7' is not an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME). Give the role that runs pulumi up, not its session (sts:...assumed-role) nor a group.`,
                `roster.signers[1]: 'arn:aws:iam::${MOCK_ACCOUNT_ID}:role/parallelcluster/hpc-dev/RoleHeadNode' is a ParallelCluster node role: a node that can sign decides who logs in on every node. Give the roles that deploy the environment.`,
            ],
        );
    });

    it("refuses a version below 1", () => {
        assert.deepEqual(problems(configWith((raw) => { raw.roster.signingKeyVersion = 0; }, DEV_STACK_FILE)), [
            "roster.signingKeyVersion: 0 is not a key version: versions count from 1 (the default), and raising it by one rotates the signing key.",
        ]);
    });
});
