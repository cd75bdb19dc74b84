/**
 * One key, one person (issue 23 §5): a key given to two users is refused naming both, a key listed twice
 * for one user is refused; the comment does not make two keys different.
 */
import * as assert from "node:assert/strict";
import { parseEnvironmentConfig } from "../../components/config";
import { configWith as dev, problems } from "../support/configProblems";
import { DEV_STACK_FILE } from "../support/devConfig";

describe("SSH keys are each one person's", () => {
    it("refuses alice's key given to adam.black too, naming both users and whose sudo it would give", () => {
        assert.deepEqual(
            problems(
                dev((raw) => {
                    raw.users[2].sshPublicKey = raw.users[0].sshPublicKey.replace("alice@example.org", "adam@laptop");
                }, DEV_STACK_FILE),
            ),
            [
                "users[2].sshPublicKey: is the same key as users[0].sshPublicKey: whoever holds its private half could log in as both alice and adam.black, with alice's sudo. " +
                    "Each person needs their own key pair: ask adam.black for the .pub line of theirs.",
            ],
        );
    });

    it("refuses a key listed twice for one user", () => {
        assert.deepEqual(
            problems(
                dev((raw) => {
                    const key = raw.users[1].sshPublicKey;
                    delete raw.users[1].sshPublicKey;
                    raw.users[1].sshPublicKeys = [key, { key: `${key.split(" ").slice(0, 2).join(" ")} bob@desktop`, expires: "2099-01-01" }];
                }, DEV_STACK_FILE),
            ),
            ["users[1].sshPublicKeys[1]: is the same key as users[1].sshPublicKeys[0]. List each key once."],
        );
    });

    it("lets a revoked user keep a key that is now someone else's (it is never written)", () => {
        const result = parseEnvironmentConfig(
            dev((raw) => {
                raw.users[1].access = "revoked";
                raw.users[1].sshPublicKey = raw.users[0].sshPublicKey;
            }, DEV_STACK_FILE),
        );
        assert.equal(result.ok, true, JSON.stringify(!result.ok && result.problems));
    });
});
