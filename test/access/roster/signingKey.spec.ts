/**
 * The roster's signing key on the dev stack under the mock runtime: one asymmetric KMS key per environment
 * (ECC_NIST_P256, SIGN_VERIFY), its key policy (the deploying identity signs; no node role may use it at
 * all), kept from deletion (protect, retainOnDelete, the longest waiting period), and its public key as
 * KMS's GetPublicKey returns it.
 */
import * as assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { nodeRoleArnPatterns, signingKeyPolicy } from "../../../components/access/roster/keyPolicy";
import { MOCK_ACCOUNT_ID, MOCK_DEPLOYER_ROLE_ARN, mockPublicKey } from "../../../scripts/offline/mockCloud";
import { DEV_STACK_FILE } from "../../support/devConfig";
import { named, ofType, parentName, runDev } from "../../support/program";

const KEY_TYPE = "aws:kms/key:Key";

describe("the roster signing key (dev stack, roster backend)", () => {
    let run: Awaited<ReturnType<typeof runDev>>;
    before(async () => {
        run = await runDev(undefined, {}, undefined, undefined, DEV_STACK_FILE);
    });

    it("is one asymmetric P-256 signing key of the environment, under the roster's component", () => {
        const keys = ofType(run, KEY_TYPE);
        assert.deepEqual(keys.map((key) => [parentName(run, key), key.name]), [["hpc-dev-users-signing-key", "hpc-dev-users-signing-key"]]);
        const { policy, ...inputs } = keys[0].inputs;
        assert.equal(typeof policy, "string");
        assert.deepEqual(inputs, {
            description: "pcluster-access: signs the roster of environment hpc-dev; nodes verify with its public key",
            keyUsage: "SIGN_VERIFY",
            customerMasterKeySpec: "ECC_NIST_P256",
            deletionWindowInDays: 30,
            isEnabled: true,
            tags: { "pcluster-access:role": "roster-signing", "pcluster-access:environment": "hpc-dev" },
        });
    });

    it("is never deleted by Pulumi: protected, and retained in KMS when it leaves the program", () => {
        const key = named(run, "hpc-dev-users-signing-key");
        assert.equal(key.options.protect, true);
        assert.equal(key.retainOnDelete, true);
    });

    it("lets the deploying role (not its session) sign, the account only read and manage it, and denies every node role and instance credential", () => {
        const policy = JSON.parse(String(named(run, "hpc-dev-users-signing-key").inputs.policy));
        assert.deepEqual(policy, signingKeyPolicy({ partition: "aws", accountId: MOCK_ACCOUNT_ID, signers: [MOCK_DEPLOYER_ROLE_ARN] }));
        const statements = policy.Statement as { Sid: string; Effect: string; Principal: { AWS: unknown }; Action: unknown; Condition?: unknown }[];
        const signing = statements.filter((statement) => statement.Effect === "Allow" && (statement.Action as string[]).includes("kms:Sign"));
        assert.deepEqual(signing.map((statement) => statement.Principal.AWS), [[MOCK_DEPLOYER_ROLE_ARN]]);
        assert.equal(statements.some((statement) => statement.Effect === "Allow" && (statement.Action as string[]).some((action) => /^kms:(\*|Sign\*?|CreateGrant)$/.test(action) && statement.Principal.AWS !== signing[0].Principal.AWS)), false);
        assert.deepEqual(
            statements.filter((statement) => statement.Effect === "Deny").map((statement) => [statement.Sid, statement.Principal.AWS, statement.Action, statement.Condition]),
            [
                ["NoNodeRoleUsesIt", "*", "kms:*", { ArnLike: { "aws:PrincipalArn": [`arn:aws:iam::${MOCK_ACCOUNT_ID}:role/parallelcluster/*`] } }],
                ["NoInstanceCredentialsUseIt", "*", "kms:*", { Null: { "aws:EC2InstanceSourceVPC": "false" }, ArnNotEquals: { "aws:PrincipalArn": [MOCK_DEPLOYER_ROLE_ARN] } }],
            ],
        );
    });

    it("has no grant: nothing but the key policy decides who uses it", () => {
        assert.deepEqual(run.resources.filter((resource) => /kms\/grant/i.test(resource.type)), []);
    });

    it("gives its public key as GetPublicKey does: base64 of a DER SubjectPublicKeyInfo of a P-256 key", async () => {
        const arn = String(named(run, "hpc-dev-users-signing-key").outputs.arn);
        assert.match(arn, new RegExp(`^arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/[0-9a-f-]{36}$`));
        const publicKey = mockPublicKey(arn);
        const parsed = createPublicKey({ key: Buffer.from(publicKey, "base64"), format: "der", type: "spki" });
        assert.deepEqual([parsed.asymmetricKeyType, parsed.asymmetricKeyDetails], ["ec", { namedCurve: "prime256v1" }]);
        assert.equal(publicKey.length, 124);
        assert.match(publicKey, /^[A-Za-z0-9+/]+=*$/);
    });

    it("names ParallelCluster's role path as the node roles (cli/src/pcluster/constants.py IAM_ROLE_PATH), per partition", () => {
        assert.deepEqual(nodeRoleArnPatterns("aws-cn", "111122223333"), ["arn:aws-cn:iam::111122223333:role/parallelcluster/*"]);
    });
});
