/**
 * Issue 16's config: several keys per user (sshPublicKeys), access until a date (expires, on a user or a
 * key) and EC2 Instance Connect (roster.instanceConnect, users[].instanceConnect). Every problem names its
 * key path and the fix; the OpsWorks backend refuses what a user profile cannot hold.
 */
import * as assert from "node:assert/strict";
import { parseEnvironmentConfig, type RawConfigInput } from "../../components/config";
import { DEV_STACK_FILE, devRawConfig } from "../support/devConfig";
import { configWith, problems } from "../support/configProblems";
import * as keys from "../support/keys";

type Raw = ReturnType<typeof devRawConfig>;

const roster = (change: (raw: Raw) => void): RawConfigInput => configWith(change, DEV_STACK_FILE);
const article = (change: (raw: Raw) => void): RawConfigInput => configWith(change);

function usersOf(raw: RawConfigInput) {
    const result = parseEnvironmentConfig(raw);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    return result.config.users;
}

const laptop = keys.ed25519PublicKey("alice@laptop");
const desktop = keys.ecdsaPublicKey("nistp256");
const yubikey = keys.securityKeyEd25519();

describe("stack config: several keys, end dates, EC2 Instance Connect", () => {
    describe("keys", () => {
        it("sshPublicKey is one key; sshPublicKeys a list of key lines and {key, expires}, each normalised", () => {
            const users = usersOf(roster((r) => {
                delete r.users[0].sshPublicKey;
                r.users[0].sshPublicKeys = [`  ${laptop}  `, { key: desktop, expires: "2027-06-30" }, { key: yubikey }];
            }));
            assert.deepEqual(users[0].sshPublicKeys, [{ key: laptop }, { key: desktop, expires: "2027-06-30" }, { key: yubikey }]);
            assert.equal(users[1].sshPublicKeys.length, 1);
            assert.match(users[1].sshPublicKeys[0].key, /^ssh-rsa AAAA/);
        });

        it("refuses both, none, an empty list, more than 10 and every bad entry, each by its path", () => {
            assert.deepEqual(problems(roster((r) => { r.users[0].sshPublicKeys = [laptop]; })), [
                "users[0].sshPublicKeys: give either sshPublicKey (one key) or sshPublicKeys (a list), not both. Move the key into sshPublicKeys and remove sshPublicKey.",
            ]);
            assert.deepEqual(problems(roster((r) => { delete r.users[0].sshPublicKey; r.users[1].sshPublicKeys = []; delete r.users[1].sshPublicKey; })), [
                "users[0].sshPublicKey: is required: paste the user's public key (the one line of their .pub file), or list up to 10 under sshPublicKeys.",
                "users[1].sshPublicKeys: must list at least one key (or leave it out and give sshPublicKey).",
            ]);
            assert.deepEqual(problems(roster((r) => { delete r.users[0].sshPublicKey; r.users[0].sshPublicKeys = Array.from({ length: 11 }, (_, i) => keys.ed25519PublicKey(`k${i}`)); })), [
                "users[0].sshPublicKeys: lists more than 10 keys: a user may have at most 10 (one per device they log in from). Remove the keys they no longer use.",
            ]);
            assert.deepEqual(
                problems(roster((r) => {
                    delete r.users[0].sshPublicKey;
                    r.users[0].sshPublicKeys = [laptop, keys.rsaPublicKey(1024), { key: keys.ed25519PrivateKey() }, { key: desktop, expire: "2027-01-01" }, 42, { expires: "2027-01-01" }];
                })),
                [
                    "users[0].sshPublicKeys[1]: this RSA key has 1024 bits; at least 2048 are required. Generate a new one with `ssh-keygen -t ed25519` (or `-t rsa -b 4096`).",
                    "users[0].sshPublicKeys[2].key: this is a private key. Remove it from the configuration, treat it as leaked and replace it; paste the public half instead (the one line of the .pub file).",
                    "users[0].sshPublicKeys[3].expire: is not a known key. Check its spelling against the config reference in docs/config-reference.md.",
                    "users[0].sshPublicKeys[4]: must be a key line, or a mapping {key: <the .pub line>, expires: YYYY-MM-DD}.",
                    "users[0].sshPublicKeys[5].key: is required: the one line of the key's .pub file.",
                ],
            );
        });

        it("never echoes a private key given in the list", () => {
            const secret = keys.ed25519PrivateKey();
            const result = parseEnvironmentConfig(roster((r) => { delete r.users[0].sshPublicKey; r.users[0].sshPublicKeys = [secret]; }));
            assert.equal(JSON.stringify(result).includes(secret.split("\n")[1]), false);
        });
    });

    describe("end dates", () => {
        it("takes expires on a user and on a key, YYYY-MM-DD", () => {
            const users = usersOf(roster((r) => { r.users[1].expires = "2027-06-30"; }));
            assert.equal(users[1].expires, "2027-06-30");
            assert.equal(users[0].expires, undefined);
        });

        it("refuses a value that is not a calendar day, naming the key and the form", () => {
            assert.deepEqual(
                problems(roster((r) => {
                    r.users[0].expires = "2027-02-30";
                    r.users[1].expires = "30/06/2027";
                    r.users[2].expires = 20270630;
                    delete r.users[2].sshPublicKey;
                    r.users[2].sshPublicKeys = [{ key: laptop, expires: "next year" }];
                })),
                [
                    "users[0].expires: '2027-02-30' is not a date: write it YYYY-MM-DD (access ends at 00:00 UTC that day), for example 2027-06-30.",
                    "users[1].expires: '30/06/2027' is not a date: write it YYYY-MM-DD (access ends at 00:00 UTC that day), for example 2027-06-30.",
                    "users[2].sshPublicKeys[0].expires: 'next year' is not a date: write it YYYY-MM-DD (access ends at 00:00 UTC that day), for example 2027-06-30.",
                    "users[2].expires: must be a date written YYYY-MM-DD (access ends at 00:00 UTC that day), for example 2027-06-30.",
                ],
            );
        });
    });

    describe("EC2 Instance Connect", () => {
        it("is off by default; roster.instanceConnect turns it on for every user but those who opt out", () => {
            assert.deepEqual(usersOf(roster(() => undefined)).map((user) => user.instanceConnect), [false, false, false]);
            const users = usersOf(roster((r) => { r.roster.instanceConnect = true; r.users[1].instanceConnect = false; }));
            assert.deepEqual(users.map((user) => [user.sshUsername, user.instanceConnect]), [["alice", true], ["bob", false], ["adamblack", true]]);
        });

        it("refuses a user opting in while the roster has it off", () => {
            assert.deepEqual(problems(roster((r) => { r.users[0].instanceConnect = true; r.roster.instanceConnect = "yes"; })), [
                "roster.instanceConnect: must be a boolean, not 'yes'.",
            ]);
            assert.deepEqual(problems(roster((r) => { r.users[0].instanceConnect = true; })), [
                "users[0].instanceConnect: is true, but roster.instanceConnect is off (the default). Set roster.instanceConnect: true (then every allowed user has it unless they set instanceConnect: false), or remove this key.",
            ]);
        });
    });

    describe("the OpsWorks backend", () => {
        it("takes one key, as sshPublicKey or a list of one", () => {
            const users = usersOf(article((r) => { r.users[0].sshPublicKeys = [r.users[0].sshPublicKey]; delete r.users[0].sshPublicKey; }));
            assert.equal(users[0].sshPublicKeys.length, 1);
            assert.equal(users[0].instanceConnect, false);
        });

        it("refuses several keys, end dates and Instance Connect, with the fix", () => {
            assert.deepEqual(
                problems(article((r) => {
                    delete r.users[0].sshPublicKey;
                    r.users[0].sshPublicKeys = [laptop, { key: desktop, expires: "2027-06-30" }];
                    r.users[0].expires = "2027-06-30";
                    r.users[1].instanceConnect = false;
                })),
                [
                    "users[0].sshPublicKeys: lists 2 keys, but the OpsWorks backend gives each user one: an OpsWorks user profile holds a single SshPublicKey. Keep one key (sshPublicKey: <line>), or set pcluster-access:access to {backend: roster}, which takes up to 10.",
                    "users[0].sshPublicKeys[1].expires: is a roster backend setting: OpsWorks cannot end a key on a date. Remove it, or set pcluster-access:access to {backend: roster}.",
                    "users[0].expires: is a roster backend setting: OpsWorks cannot end a user's access on a date (set access: blocked when it ends). Remove it, or set pcluster-access:access to {backend: roster}.",
                    "users[1].instanceConnect: is a roster backend setting: EC2 Instance Connect is granted by the roster backend only. Remove it, or set pcluster-access:access to {backend: roster} with roster.instanceConnect: true.",
                ],
            );
        });
    });
});
