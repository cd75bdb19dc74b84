import * as assert from "node:assert/strict";
import { checkSshPublicKey } from "../../components/sshPublicKey";
import { OPSWORKS_USER_PROFILE } from "../../policy/lib/resourceTypes";
import { sshPublicKeyProblem } from "../../policy/lib/sshPublicKey";
import {
    dsaPublicKey,
    ecdsaPublicKey,
    ed25519PrivateKey,
    ed25519PublicKey,
    rsaPrivateKeyPem,
    rsaPublicKey,
    securityKeyEcdsa,
    securityKeyEd25519,
} from "../support/keys";
import { named } from "../support/program";
import { check, itPassesTheDevStack, violations } from "./support/check";
import { setInputs } from "./support/edits";

const KEY_POLICY = "required-valid-ssh-public-key";
const SUDO_POLICY = "discouraged-sudo-users";
const REVOKE_POLICY = "discouraged-access-revocation";
const BOB = "bob (arn:aws:iam::123456789012:user/bob)";
const PASTE_PUB = "Paste the one line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).";

describe(`policy ${KEY_POLICY}`, () => {
    itPassesTheDevStack(KEY_POLICY, "passes the dev stack's three keys");

    const cases: [string, () => string, string][] = [
        [
            "an empty key",
            () => "",
            "is empty. OpsWorks treats an empty key as removed access: the agent deletes the account and its home directory. " +
                "To stop a login set access: blocked; otherwise paste the one line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).",
        ],
        ["a key of blanks", () => "  \t ", "is empty. OpsWorks treats an empty key as removed access: the agent deletes the account and its home directory. To stop a login set access: blocked; otherwise paste the one line of the user's .pub file (for example ~/.ssh/id_ed25519.pub)."],
        [
            "a PEM private key",
            () => rsaPrivateKeyPem(),
            "is a private key. Remove it from the configuration, treat it as leaked and replace it; paste the public half (the .pub file's one line) instead.",
        ],
        [
            "an OpenSSH private key",
            () => ed25519PrivateKey(),
            "is a private key. Remove it from the configuration, treat it as leaked and replace it; paste the public half (the .pub file's one line) instead.",
        ],
        ["two keys on two lines", () => `${ed25519PublicKey()}\n${ed25519PublicKey()}`, `spans several lines; it must be one key on one line. ${PASTE_PUB}`],
        ["a DSA key", () => dsaPublicKey(), "is a DSA key, which OpenSSH no longer accepts. Generate one with `ssh-keygen -t ed25519`."],
        ["a 1024-bit RSA key", () => rsaPublicKey(1024), "is a 1024-bit RSA key; at least 2048 bits are required. Generate one with `ssh-keygen -t ed25519`."],
        ["a truncated key", () => ed25519PublicKey().slice(0, 60), `is truncated or garbled: its data is not a valid ssh-ed25519 key. ${PASTE_PUB}`],
        [
            "a key whose data is of another type",
            () => `ssh-ed25519 ${ecdsaPublicKey().split(" ")[1]}`,
            `is truncated or garbled: its data is not a valid ssh-ed25519 key. ${PASTE_PUB}`,
        ],
        ["a type with no data", () => "ssh-ed25519", `has no base64 part: it must read '<type> <base64> [comment]'. ${PASTE_PUB}`],
        [
            "text that is not a key",
            () => "pcluster-access:blocked-not-a-key",
            "does not start with a public key type OpenSSH accepts (ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa, " +
                `sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com). ${PASTE_PUB}`,
        ],
    ];
    for (const [title, key, problem] of cases) {
        it(`reports ${title}`, async () => {
            const { report } = await check({ edits: [setInputs(OPSWORKS_USER_PROFILE, { sshPublicKey: key() }, "bob-profile")] });
            assert.deepEqual(violations(report, KEY_POLICY), [["mandatory", `The SSH public key of ${BOB} ${problem}`, "hpc-dev-users-bob-profile"]]);
        });
    }

    it("names the user by SSH username while the IAM user's ARN is unknown (first preview)", async () => {
        const { report } = await check({ preview: true, edits: [setInputs(OPSWORKS_USER_PROFILE, { sshPublicKey: "ssh-ed25519" }, "alice-profile")] });
        assert.deepEqual(violations(report, KEY_POLICY), [
            ["mandatory", `The SSH public key of alice has no base64 part: it must read '<type> <base64> [comment]'. ${PASTE_PUB}`, "hpc-dev-users-alice-profile"],
        ]);
    });

    it("checks a blocked user's configured key too: unblocking writes it back", async () => {
        const { report } = await check({
            change: (raw) => (raw.users[1].access = "blocked"),
            edits: [setInputs(OPSWORKS_USER_PROFILE, { sshPublicKey: "ssh-ed25519" }, "bob-profile")],
        });
        assert.deepEqual(violations(report, KEY_POLICY), [
            ["mandatory", `The SSH public key of ${BOB} has no base64 part: it must read '<type> <base64> [comment]'. ${PASTE_PUB}`, "hpc-dev-users-bob-profile"],
        ]);
    });

    it("applies the policy config's minimum RSA size", async () => {
        const { report } = await check({ config: { [KEY_POLICY]: { minRsaBits: 8192 } } });
        assert.deepEqual(violations(report, KEY_POLICY), [
            ["mandatory", `The SSH public key of ${BOB} is a 4096-bit RSA key; at least 8192 bits are required. Generate one with \`ssh-keygen -t ed25519\`.`, "hpc-dev-users-bob-profile"],
        ]);
    });

    it("agrees with the program's own key check (sshpk) on accepted and refused keys", () => {
        const keys = [
            ed25519PublicKey(),
            ecdsaPublicKey("nistp256"),
            ecdsaPublicKey("nistp384"),
            ecdsaPublicKey("nistp521"),
            rsaPublicKey(2048),
            rsaPublicKey(3072),
            securityKeyEd25519(),
            securityKeyEcdsa(),
            securityKeyEd25519({ application: "web:" }),
            securityKeyEd25519({ keyBytes: 31 }),
            securityKeyEd25519({ blobType: "ssh-ed25519" }),
            securityKeyEcdsa({ curve: "nistp384" }),
            rsaPublicKey(1024),
            dsaPublicKey(),
            ed25519PrivateKey(),
            `${ed25519PublicKey()} trailing`,
            ed25519PublicKey().replace(/[A-Za-z0-9+/]{8}(?=\s)/, ""),
        ];
        const verdicts = keys.map((key) => [checkSshPublicKey(key).ok, sshPublicKeyProblem(key, { minRsaBits: 2048 }) === undefined]);
        assert.deepEqual(
            verdicts.map(([program]) => program),
            [true, true, true, true, true, true, true, true, false, false, false, false, false, false, false, true, false],
        );
        assert.deepEqual(
            verdicts.map(([, policy]) => policy),
            verdicts.map(([program]) => program),
        );
    });
});

describe(`policy ${SUDO_POLICY}`, () => {
    const alice = (count: string, names: string) =>
        `${count} passwordless sudo on the cluster's nodes: ${names}. Sudo makes a user root on every instance of the OpsWorks stack. ` +
        "If that is intended, add them to allowedSudoUsers in this policy's config; otherwise set sudo: false for them.";

    for (const preview of [false, true]) {
        it(`lists the dev stack's sudo user${preview ? " in a first preview, by the IAM user it creates" : ""}`, async () => {
            const { report } = await check({ preview });
            assert.deepEqual(violations(report, SUDO_POLICY), [["advisory", alice("1 user has", "alice"), undefined]]);
        });
    }

    it("lists every sudo user", async () => {
        const { report } = await check({ change: (raw) => (raw.users[1].sudo = true) });
        assert.deepEqual(violations(report, SUDO_POLICY), [["advisory", alice("2 users have", "alice, bob"), undefined]]);
    });

    for (const name of ["alice", "arn:aws:iam::123456789012:user/alice"]) {
        it(`is silenced by the allow-list naming ${name}`, async () => {
            const { report } = await check({ config: { [SUDO_POLICY]: { allowedSudoUsers: [name] } } });
            assert.deepEqual(violations(report, SUDO_POLICY), []);
        });
    }

    it("matches the allow-list by SSH username too", async () => {
        const { report } = await check({
            change: (raw) => {
                raw.users[2].sudo = true;
                raw.users[0].sudo = false;
            },
            config: { [SUDO_POLICY]: { allowedSudoUsers: ["adamblack"] } },
        });
        assert.deepEqual(violations(report, SUDO_POLICY), []);
    });

    it("does not list a revoked user, who has no account left", async () => {
        const { report } = await check({ change: (raw) => (raw.users[0].access = "revoked") });
        assert.deepEqual(violations(report, SUDO_POLICY), []);
    });
});

describe(`policy ${REVOKE_POLICY}`, () => {
    const revoked = (user: string, stack: string) =>
        `${user} has SSH access revoked on ${stack}: the OpsWorks agent deletes the user's account and home directory on every instance of the stack. ` +
        "If you only mean to stop logins, set access: blocked, which keeps the account and its files.";

    it("passes the dev stack, where every user is allowed", async () => {
        const { report } = await check();
        assert.deepEqual(violations(report, REVOKE_POLICY), []);
    });

    it("passes a blocked user, whose account is kept", async () => {
        const { report } = await check({ change: (raw) => (raw.users[1].access = "blocked") });
        assert.deepEqual(violations(report, REVOKE_POLICY), []);
    });

    it("reports a revoked user by ARN and stack id", async () => {
        const { run, report } = await check({ change: (raw) => (raw.users[1].access = "revoked") });
        const stackId = String(named(run, "hpc-dev-opsworks-stack").outputs.stackId);
        assert.deepEqual(violations(report, REVOKE_POLICY), [
            ["advisory", revoked("arn:aws:iam::123456789012:user/bob", `OpsWorks stack ${stackId}`), "hpc-dev-users-bob-permission"],
        ]);
    });

    it("reports a revoked user in a first preview, before the user's ARN and the stack id are known", async () => {
        const { report } = await check({ preview: true, change: (raw) => (raw.users[2].access = "revoked") });
        assert.deepEqual(violations(report, REVOKE_POLICY), [
            [
                "advisory",
                revoked("the user of permission hpc-dev-users-adam.black-permission", "this environment's OpsWorks stack"),
                "hpc-dev-users-adam.black-permission",
            ],
        ]);
    });
});
