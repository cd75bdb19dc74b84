/**
 * The roster document renderer against the format's contract (components/access/roster/FORMAT.md,
 * format 2): the example's input renders byte for byte to test/fixtures/roster-example.txt, whose
 * signature (by the test-only key) verifies over every byte before the signature line.
 */
import * as assert from "node:assert/strict";
import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { renderUnsigned, type RosterContent } from "../../../components/access/roster/document";
import { appendSignature, signingDigest } from "../../../components/access/roster/signing";
import { signedRoster, TEST_PUBKEY, testSigner } from "../../support/rosterSigning";
import { ECDSA_ADAM, ED25519_ALICE, ED25519_ALICE_DESKTOP, EXAMPLE_AGENT_SHA256 } from "./support";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "roster-example.txt");

/**
 * The example's roster: alice (sudo, two keys, one with a date), bob (blocked), adam (access until a
 * date), carol (revoked), groups cfd and genomics.
 */
export const EXAMPLE: RosterContent = {
    environment: "hpc-dev",
    agentSha256: EXAMPLE_AGENT_SHA256,
    options: { homeKeys: "cluster", instanceConnect: true },
    groups: [
        { name: "genomics", gid: 3002 },
        { name: "cfd", gid: 3001 },
    ],
    users: [
        { name: "alice", uid: 2001, state: "allowed", sudo: true, keys: [ED25519_ALICE, { key: ED25519_ALICE_DESKTOP, expires: "2027-03-31" }], groups: ["cfd"] },
        { name: "bob", uid: 2002, state: "blocked", sudo: true, expires: "2027-06-30", keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM bob"], groups: [] },
        { name: "adam", uid: 2003, state: "allowed", sudo: false, expires: "2027-09-01", keys: [{ key: ECDSA_ADAM }], groups: ["cfd"] },
        { name: "carol", uid: 2004, state: "revoked", sudo: true, expires: "2026-01-01", keys: [ED25519_ALICE], groups: ["genomics"] },
    ],
};

const verifies = (text: string): boolean => {
    const cut = text.lastIndexOf("signature ");
    const der = Buffer.from(text.slice(cut).trim().split(" ")[2], "base64");
    const key = createPublicKey({ key: Buffer.from(TEST_PUBKEY, "base64"), format: "der", type: "spki" });
    return verify("sha256", Buffer.from(text.slice(0, cut)), key, der);
};

describe("roster document (format 2)", () => {
    const fixture = readFileSync(FIXTURE, "utf8");

    it("renders the example's input byte for byte as test/fixtures/roster-example.txt, whose signature verifies", () => {
        const signatureLine = fixture.slice(fixture.lastIndexOf("signature "));
        const der = Buffer.from(signatureLine.trim().split(" ")[2], "base64");
        assert.equal(appendSignature(renderUnsigned(EXAMPLE, 7), der), fixture);
        assert.equal(verifies(fixture), true);
    });

    it("the envelope: format, environment, generation and agent lines first, then the options sorted by key", () => {
        assert.deepEqual(renderUnsigned(EXAMPLE, 7).split("\n").slice(0, 6), [
            "pcluster-access-roster 2",
            "environment hpc-dev",
            "generation 7",
            `agent ${EXAMPLE_AGENT_SHA256}`,
            "option home-keys cluster",
            "option instance-connect on",
        ]);
        const off = renderUnsigned({ ...EXAMPLE, options: { homeKeys: "anywhere", instanceConnect: false } }, 7);
        assert.match(off, /^option home-keys anywhere\noption instance-connect off\n/m);
    });

    it("users carry EXPIRES, keys their own EXPIRES ('-' for none); blocked and revoked users get no keys or sudo, a tombstone no date", () => {
        const text = renderUnsigned(EXAMPLE, 7);
        assert.match(text, /^user alice 2001 2001 allowed sudo -\nkey alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq\+RB\+LA\/q3fUizN2MDVjy5icQIVM -\nkey alice ssh-ed25519 \S+ 2027-03-31\n/m);
        assert.match(text, /^user adam 2003 2003 allowed nosudo 2027-09-01\nkey adam ecdsa-sha2-nistp256 \S+ -\n/m);
        assert.match(text, /^user bob 2002 2002 blocked nosudo 2027-06-30\nuser carol 2004 2004 revoked nosudo -\n/m);
        assert.doesNotMatch(text, /^key (bob|carol) /m);
        assert.match(text, /^group genomics 3002 -$/m);
    });

    it("the end line is the SHA-256 of every byte before it; the signature covers every byte before the last line", async () => {
        const text = await signedRoster(EXAMPLE, 12);
        const lines = text.split("\n");
        assert.equal(lines.at(-1), "");
        assert.match(lines.at(-2)!, /^signature ecdsa-p256-sha256 [A-Za-z0-9+/]+={0,2}$/);
        const unsigned = text.slice(0, text.lastIndexOf("signature "));
        const [body, end] = [unsigned.slice(0, unsigned.lastIndexOf("end ")), unsigned.slice(unsigned.lastIndexOf("end "))];
        assert.equal(end, `end ${createHash("sha256").update(body).digest("hex")}\n`);
        assert.equal(unsigned, renderUnsigned(EXAMPLE, 12));
        assert.deepEqual(signingDigest(unsigned), createHash("sha256").update(unsigned).digest());
        assert.equal(verifies(text), true);
        assert.equal(verifies(text.replace("generation 12", "generation 13")), false);
        assert.match(text, /^[\x20-\x7e\n]*$/);
        assert.doesNotMatch(text, /\n\n/);
    });

    it("the signer gets the SHA-256 digest (kms:Sign's MessageType DIGEST) and the bytes it covers", async () => {
        const seen: [Buffer, Buffer][] = [];
        await signedRoster(EXAMPLE, 3, (digest, bytes) => {
            seen.push([digest, bytes]);
            return testSigner(digest, bytes);
        });
        assert.equal(seen.length, 1);
        assert.equal(seen[0][1].toString(), renderUnsigned(EXAMPLE, 3));
        assert.deepEqual(seen[0][0], createHash("sha256").update(seen[0][1]).digest());
    });

    it("an empty roster is the envelope, the options, the end line and the signature", async () => {
        const text = await signedRoster({ environment: "e", agentSha256: EXAMPLE_AGENT_SHA256, options: EXAMPLE.options, users: [], groups: [] }, 1);
        assert.equal(text.split("\n").slice(0, 3).join("\n"), "pcluster-access-roster 2\nenvironment e\ngeneration 1");
        assert.equal(text.split("\n").length, 9);
    });
});
