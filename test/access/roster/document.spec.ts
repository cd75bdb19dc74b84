/**
 * The roster document renderer against the format's contract (components/access/roster/FORMAT.md): the
 * example's input renders byte for byte to test/fixtures/roster-example.txt.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { renderRoster, type RosterContent } from "../../../components/access/roster/document";
import { ECDSA_ADAM, ED25519_ALICE } from "./support";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "roster-example.txt");

/** The example's roster: alice (sudo), bob (blocked), adam, carol (revoked), groups cfd and genomics. */
export const EXAMPLE: RosterContent = {
    environment: "hpc-dev",
    groups: [
        { name: "genomics", gid: 3002 },
        { name: "cfd", gid: 3001 },
    ],
    users: [
        { name: "alice", uid: 2001, state: "allowed", sudo: true, keys: [ED25519_ALICE], groups: ["cfd"] },
        { name: "bob", uid: 2002, state: "blocked", sudo: true, keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM bob"], groups: [] },
        { name: "adam", uid: 2003, state: "allowed", sudo: false, keys: [ECDSA_ADAM], groups: ["cfd"] },
        { name: "carol", uid: 2004, state: "revoked", sudo: true, keys: [ED25519_ALICE], groups: ["genomics"] },
    ],
};

describe("roster document (format 1)", () => {
    it("renders the example's input byte for byte as test/fixtures/roster-example.txt", () => {
        assert.equal(renderRoster(EXAMPLE, 7), readFileSync(FIXTURE, "utf8"));
    });

    it("drops keys and sudo of blocked and revoked users, and revoked users from group members", () => {
        const text = renderRoster(EXAMPLE, 7);
        assert.match(text, /^user bob 2002 2002 blocked nosudo\nuser carol 2004 2004 revoked nosudo\n/m);
        assert.doesNotMatch(text, /^key (bob|carol) /m);
        assert.match(text, /^group genomics 3002 -$/m);
    });

    it("ends with the SHA-256 of every byte before the end line, ASCII and LF only", () => {
        const text = renderRoster(EXAMPLE, 12);
        const [body, end] = [text.slice(0, text.lastIndexOf("end ")), text.slice(text.lastIndexOf("end "))];
        assert.equal(end, `end ${createHash("sha256").update(body).digest("hex")}\n`);
        assert.match(text, /^[\x20-\x7e\n]*$/);
        assert.doesNotMatch(text, /\n\n/);
        assert.match(text, /^generation 12$/m);
    });

    it("an empty roster is the header lines and the end line", () => {
        const text = renderRoster({ environment: "e", users: [], groups: [] }, 1);
        assert.equal(text.split("\n").slice(0, 3).join("\n"), "pcluster-access-roster 1\nenvironment e\ngeneration 1");
        assert.equal(text.split("\n").length, 5);
    });
});
