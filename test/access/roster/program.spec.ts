/**
 * The program on the dev stack (roster backend) under Pulumi's mock runtime: what it registers, what
 * every node gets in the rendered configuration (v3 and v2), the IAM UID tag, and a UID shared with
 * another environment through that tag.
 */
import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { MOCK_ACCOUNT_ID, mockPublicKey } from "../../../scripts/offline/mockCloud";
import { agentBundle } from "../../../components/access/roster/agentBundle";
import { DEV_STACK_FILE, setFormat } from "../../support/devConfig";
import { named, ofType, parentName, runDev, type DevRaw } from "../../support/program";

const ROSTER_TYPE = "pulumi-nodejs:dynamic/roster:Roster";
/** The nodes' grant to write their own status record, named so its ARN is known in a preview. */
const NODE_STATUS_POLICY = `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/pcluster-access-hpc-dev-eu-west-1-node-status`;
/** The dev stack's keys, as `ssh-keygen -l` prints them (the plan's user table shows the same). */
const FINGERPRINTS = {
    alice: "SHA256:hjnii8IxyUAfGafJItolp36FwuxIutrC4HrfIjR+yUQ",
    bob: "SHA256:vN4z/tUQaOPZoBLWMmllna9Op+kk9n0hMSz7mN4B7rQ",
    adam: "SHA256:tHhU3HLhxT6CF9hFgbq5L7cLEPrr/zxbofPKpK4QSTM",
};

function runRoster(change?: (raw: DevRaw) => void, cloud = {}) {
    return runDev(change, cloud, undefined, undefined, DEV_STACK_FILE);
}

describe("the program on the dev stack (roster backend)", () => {
    let run: Awaited<ReturnType<typeof runRoster>>;
    before(async () => {
        run = await runRoster();
    });

    it("registers the roster, its signing key, the created IAM users and the agent script; nothing of OpsWorks", () => {
        const tree = run.resources
            .filter((resource) => /users|roster|iam|bucketObject/.test(resource.type + resource.name))
            .map((resource) => `${parentName(run, resource)} > ${resource.type} ${resource.name}`)
            .sort();
        assert.deepEqual(tree, [
            // The login node pool's S3 reads (pools take no S3Access) and the stored cluster template.
            // Node status (docs/node-status.md): the audit query on refusals, every node's grant to write its own
            // record, and pulumi up's wait for the nodes after each roster write.
            "hpc-dev > aws:cloudwatch/queryDefinition:QueryDefinition hpc-dev-audit-roster-refusals-by-node",
            "hpc-dev > aws:iam/policy:Policy hpc-dev-login-node-reads",
            "hpc-dev > aws:iam/policy:Policy hpc-dev-node-status",
            "hpc-dev > pcluster-access:users:RosterUsers hpc-dev-users",
            "hpc-dev > pulumi-nodejs:dynamic/roster:NodeRollout hpc-dev-rollout",
            "hpc-dev-cluster > aws:s3/bucketObjectv2:BucketObjectv2 hpc-dev-cluster-template",
            "hpc-dev-scripts > aws:s3/bucketObjectv2:BucketObjectv2 hpc-dev-scripts-roster-agent",
            "hpc-dev-scripts > aws:s3/bucketObjectv2:BucketObjectv2 hpc-dev-scripts-script",
            "hpc-dev-users > aws:iam/user:User hpc-dev-users-adam.black-iam-user",
            "hpc-dev-users > aws:iam/user:User hpc-dev-users-alice-iam-user",
            // The roster's signing key (test/access/roster/signingKey.spec.ts).
            "hpc-dev-users > pcluster-access:users:RosterSigningKey hpc-dev-users-signing-key",
            "hpc-dev-users > pulumi-nodejs:dynamic/roster:Roster hpc-dev-users-roster",
            "hpc-dev-users-signing-key > aws:kms/key:Key hpc-dev-users-signing-key",
        ]);
        assert.equal(run.resources.filter((resource) => /opsworks/i.test(resource.type)).length, 0);
    });

    it("gives the Roster every user with key, state, sudo and groups, the groups, the range and the signing key, after the bucket's guards", async () => {
        const roster = ofType(run, ROSTER_TYPE)[0];
        const bucket = named(run, "hpc-dev-scripts-bucket").outputs.bucket;
        assert.equal(roster.inputs.bucket, bucket);
        assert.equal(roster.inputs.key, "roster.txt");
        assert.equal(roster.inputs.environment, "hpc-dev");
        assert.deepEqual(roster.inputs.range, { first: 2001, last: 60000 });
        assert.deepEqual(roster.inputs.groups, [{ name: "cfd" }, { name: "genomics" }]);
        // It signs with the environment's key and checks each signature with the public key GetPublicKey gives.
        const signingKey = named(run, "hpc-dev-users-signing-key");
        assert.equal(roster.inputs.signingKeyArn, signingKey.outputs.arn);
        assert.equal(roster.inputs.publicKey, mockPublicKey(String(signingKey.outputs.arn)));
        assert.deepEqual(
            (roster.inputs.users as { iamUser: string; name: string; state: string; sudo: boolean; groups: string[]; keys: string[] }[]).map((user) => [user.iamUser, user.name, user.state, user.sudo, user.groups, user.keys[0].split(" ")[0]]),
            [
                ["alice", "alice", "allowed", true, ["cfd"], "ssh-ed25519"],
                ["bob", "bob", "allowed", false, ["genomics"], "ssh-rsa"],
                ["adam.black", "adamblack", "allowed", false, ["cfd", "genomics"], "ecdsa-sha2-nistp256"],
            ],
        );
        // The bucket (its name is an input) and every guard: nothing is written before the bucket is locked down.
        const guards = ["bucket", "public-access-block", "ownership", "encryption", "versioning", "tls-only"].map((suffix) => named(run, `hpc-dev-scripts-${suffix}`).urn);
        assert.deepEqual([...roster.dependencies].sort(), [...guards, signingKey.urn].sort());
        const agent = named(run, "hpc-dev-scripts-roster-agent");
        // The agent bundle (components/access/roster/agentBundle.ts): these exact bytes, a tar of the entry script and its parts.
        assert.equal(agent.inputs.key, "agent.tar");
        assert.equal(agent.inputs.contentType, "application/x-tar");
        assert.deepEqual(Buffer.from(agent.inputs.contentBase64 as string, "base64"), agentBundle().bytes);
        assert.deepEqual([...agent.dependencies].sort(), [...guards].sort());
    });

    it("tags the IAM users it creates with their UID, and shows UIDs and groups in the user table", () => {
        assert.deepEqual(named(run, "hpc-dev-users-alice-iam-user").inputs.tags, { "pcluster-access:role": "cluster-user", "pcluster-access:uid": "2001" });
        assert.deepEqual(named(run, "hpc-dev-users-adam.black-iam-user").inputs.tags, { "pcluster-access:role": "cluster-user", "pcluster-access:uid": "2003" });
        assert.deepEqual(run.stackOutputs.users, [
            { iamUser: "alice", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/alice`, sshUsername: "alice", ssh: true, sudo: true, access: "allowed", uid: 2001, groups: ["cfd"], keyExpires: [null], fingerprints: [FINGERPRINTS.alice], instanceConnect: false },
            { iamUser: "bob", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/bob`, sshUsername: "bob", ssh: true, sudo: false, access: "allowed", uid: 2002, groups: ["genomics"], keyExpires: [null], fingerprints: [FINGERPRINTS.bob], instanceConnect: false },
            { iamUser: "adam.black", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/adam.black`, sshUsername: "adamblack", ssh: true, sudo: false, access: "allowed", uid: 2003, groups: ["cfd", "genomics"], keyExpires: [null], fingerprints: [FINGERPRINTS.adam], instanceConnect: false },
        ]);
        // Each key's fingerprint to its IAM user: what the login audit joins sshd's lines with.
        assert.deepEqual(run.stackOutputs.keyFingerprints, { [FINGERPRINTS.alice]: "alice", [FINGERPRINTS.bob]: "bob", [FINGERPRINTS.adam]: "adam.black" });
        assert.deepEqual(run.stackOutputs.access, { backend: "roster", rosterUrl: `s3://${named(run, "hpc-dev-scripts-bucket").outputs.bucket}/roster.txt` });
    });

    it("v3: every node reads the two scripts and the roster only, runs post-install.sh in roster mode with the signing key's public key, carries the node status policy only, no Imds section", () => {
        const bucket = named(run, "hpc-dev-scripts-bucket").outputs.bucket;
        const publicKey = mockPublicKey(String(named(run, "hpc-dev-users-signing-key").outputs.arn));
        const doc = YAML.parse(String(run.stackOutputs.clusterConfiguration));
        assert.equal(doc.Imds, undefined);
        assert.doesNotMatch(String(run.stackOutputs.clusterConfiguration), /IMDSv1|opsworks/i);
        for (const node of [doc.HeadNode, ...doc.Scheduling.SlurmQueues]) {
            assert.deepEqual(node.Iam, {
                S3Access: ["post-install.sh", "agent.tar", "roster.txt"].map((key) => ({ BucketName: bucket, KeyName: key, EnableWriteAccess: false })),
                AdditionalIamPolicies: [{ Policy: NODE_STATUS_POLICY }],
            });
            assert.deepEqual(node.CustomActions.OnNodeConfigured, {
                Script: `s3://${bucket}/post-install.sh`,
                Args: ["roster", `s3://${bucket}/roster.txt`, `s3://${bucket}/agent.tar`, "60", "hpc-dev", publicKey],
            });
        }
    });

    it("v2: post_install_args carries the same words (the public key is one word: base64 has no blank), and the node status policy as additional_iam_policies", async () => {
        const v2 = await runRoster((raw) => { setFormat(raw, "v2"); raw.cluster.os = "centos7"; raw.roster.syncIntervalSeconds = 300; });
        const bucket = named(v2, "hpc-dev-scripts-bucket").outputs.bucket;
        const text = String(v2.stackOutputs.clusterConfiguration);
        const publicKey = mockPublicKey(String(named(v2, "hpc-dev-users-signing-key").outputs.arn));
        assert.match(text, new RegExp(`^post_install_args = "roster s3://${bucket}/roster\\.txt s3://${bucket}/agent\\.tar 300 hpc-dev ${publicKey.replace(/[+/]/g, "\\$&")}"$`, "m"));
        assert.match(text, new RegExp(`^post_install = s3://${bucket}/post-install\\.sh$`, "m"));
        assert.match(text, new RegExp(`^s3_read_resource = arn:aws:s3:::${bucket}/\\*$`, "m"));
        assert.match(text, new RegExp(`^additional_iam_policies = ${NODE_STATUS_POLICY}$`, "m"));
    });

    it("gives a looked-up user the UID another environment tagged them with", async () => {
        const shared = await runRoster(undefined, { iamUserTags: { bob: { "pcluster-access:uid": "7001" } } });
        assert.deepEqual((shared.stackOutputs.users as { uid: number }[]).map((user) => user.uid), [2001, 7001, 2002]);
    });

    it("fails clearly when another environment's tag clashes with a number given here", async () => {
        await assert.rejects(runRoster((raw) => { raw.users[0].uid = 7001; }, { iamUserTags: { bob: { "pcluster-access:uid": "7001" } } }), {
            message:
                "failed to register new resource hpc-dev-users-roster [pulumi-nodejs:dynamic/roster:Roster]: The roster cannot be written:\nuser bob: the IAM user's pcluster-access:uid tag says 7001 (the number another environment of this account gave them), but here 7001 is already user alice's. " +
                "Environments that share storage must agree on every number: give the holder here the same number it has there, or deploy these environments on storage they do not share.",
        });
    });
});
