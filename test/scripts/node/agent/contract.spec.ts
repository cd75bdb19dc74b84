/**
 * The contract both sides test against (components/access/roster/FORMAT.md, format 2): the agent accepts
 * the fixture and what the program's own renderer writes (signed with the test-only key its settings
 * trust), refuses the same bytes for another environment or another key, and refuses every document that
 * breaks the key-count and date rules. `roster-agent.sh check` verifies and parses exactly as a sync does
 * and changes nothing.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../../support/devConfig";
import { OTHER_SIGNING_KEY_FILE, publicKeyBase64, signedRoster, TEST_PUBKEY } from "../../../support/rosterSigning";
import { run } from "../../../support/run";
import { AGENT } from "./support/cluster";
import { NODE_PATH } from "./support/node";
import { renderRoster as testRoster, type Roster } from "./support/roster";

describe("roster document: the program's output is what the agent accepts", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-contract-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const check = (file: string, environment: string, pubkey = TEST_PUBKEY) =>
        run("/bin/bash", [AGENT, "check", file], { PATH: NODE_PATH, PCA_AGENT_CONF: "/nonexistent", PCA_ENVIRONMENT: environment, PCA_PUBKEY: pubkey });
    const checkText = async (text: string, environment = "hpc-dev") => {
        const file = path.join(dir, "doc.txt");
        writeFileSync(file, text);
        const result = await check(file, environment);
        return [result.status, result.stdout];
    };

    it("accepts test/fixtures/roster-example.txt, and refuses it on a node with another environment's key", async () => {
        const fixture = path.join(REPO_ROOT, "test/fixtures/roster-example.txt");
        const result = await check(fixture, "hpc-dev");
        assert.deepEqual([result.status, result.stdout], [0, "ok: generation 7, 4 users, 2 groups\n"]);
        const other = await check(fixture, "hpc-dev", publicKeyBase64(OTHER_SIGNING_KEY_FILE));
        assert.deepEqual([other.status, other.stdout],
            [1, "refused: the signature does not verify with this node's key (forged, signed with another key, or truncated)\n"]);
    });

    it("accepts the program's renderer's document with every state, sudo, groups, key types, dates and 10 keys, and refuses it for another environment", async () => {
        const ten = Array.from({ length: 10 }, (_, i) => ({ key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIV${"ABCDEFGHIJ"[i]} k${i}`, expires: i % 2 === 0 ? "2027-01-31" : undefined }));
        const text = await signedRoster({
            environment: "hpc-prod",
            agentSha256: "0".repeat(64),
            options: { homeKeys: "anywhere", instanceConnect: false },
            groups: [{ name: "genomics", gid: 3002 }, { name: "cfd", gid: 3001 }],
            users: [
                { name: "zoe", uid: 2010, state: "allowed", sudo: true, groups: ["cfd", "genomics"], expires: "2028-02-29",
                    keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM zoe@laptop",
                        { key: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 other", expires: "2026-12-31" }] },
                { name: "yann", uid: 2011, state: "allowed", sudo: false, groups: [], keys: ten },
                { name: "bob", uid: 2002, state: "blocked", sudo: true, groups: ["cfd"], expires: "2027-01-01", keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM"] },
                { name: "carol", uid: 2004, state: "revoked", sudo: false, groups: ["genomics"], keys: [] },
            ],
        }, 42);
        assert.equal(text.split("\n").filter((line) => line.startsWith("key yann ")).length, 10);
        assert.deepEqual(await checkText(text, "hpc-prod"), [0, "ok: generation 42, 4 users, 2 groups\n"]);
        assert.deepEqual(await checkText(text, "hpc-dev"), [1, "refused: the document is for environment 'hpc-prod', this node is in 'hpc-dev'\n"]);
    });

    describe("refuses what breaks the key-count and date rules", () => {
        const key = { type: "ssh-ed25519", blob: "AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM", privateKey: "" };
        const nth = (i: number) => ({ ...key, blob: `${key.blob.slice(0, -1)}${"ABCDEFGHIJKL"[i]}` });
        const doc = (users: Roster["users"], options?: string[]): string => testRoster({ environment: "hpc-dev", generation: 3, users, options });
        const cases: [string, string, string][] = [
            ["11 keys", doc([{ name: "alice", uid: 2001, keys: Array.from({ length: 11 }, (_, i) => nth(i)) }]), "line 18: more than 10 keys for alice"],
            ["the same key twice", doc([{ name: "alice", uid: 2001, keys: [key, key] }]), "line 9: the same key twice for alice"],
            ["no key for an allowed user", doc([{ name: "alice", uid: 2001, keys: [] }]), "line 8: allowed user alice has no key line"],
            ["a day that does not exist", doc([{ name: "alice", uid: 2001, expires: "2027-02-29", keys: [key] }]),
                "line 7: EXPIRES '2027-02-29' is not a date from 1970-01-02 (YYYY-MM-DD) or '-'"],
            ["a date not written YYYY-MM-DD", doc([{ name: "alice", uid: 2001, keys: [{ pair: key, expires: "2027-1-31" }] }]),
                "line 8: EXPIRES '2027-1-31' is not a date from 1970-01-02 (YYYY-MM-DD) or '-'"],
            ["day 0", doc([{ name: "alice", uid: 2001, expires: "1970-01-01", keys: [key] }]),
                "line 7: EXPIRES '1970-01-01' is not a date from 1970-01-02 (YYYY-MM-DD) or '-'"],
            ["a date on a tombstone", doc([{ name: "carol", uid: 2004, state: "revoked", expires: "2027-01-01" }]), "line 7: a revoked user has no EXPIRES date"],
            ["an unknown option", doc([], ["option home-keys cluster", "option shell zsh"]), "line 6: unknown option 'shell'"],
            ["an option value it does not know", doc([], ["option instance-connect yes"]), "line 5: option instance-connect is 'yes', not on or off"],
            ["options out of order", doc([], ["option instance-connect on", "option home-keys cluster"]), "line 6: options not sorted by key, or one twice"],
        ];
        for (const [name, text, reason] of cases) {
            it(name, async () => {
                assert.deepEqual(await checkText(text), [1, `refused: ${reason}\n`]);
            });
        }
    });
});
