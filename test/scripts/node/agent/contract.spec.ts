/**
 * The contract both sides test against (components/access/roster/FORMAT.md): the agent accepts the
 * fixture and what the program's own renderer writes, and refuses the same bytes for another environment.
 * `roster-agent.sh check` parses exactly as a sync does and changes nothing.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { renderRoster } from "../../../../components/access/roster/document";
import { REPO_ROOT } from "../../../support/devConfig";
import { run } from "../../../support/run";
import { AGENT } from "./support/cluster";
import { NODE_PATH } from "./support/node";

describe("roster document: the program's output is what the agent accepts", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-contract-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const check = (file: string, environment: string) =>
        run("/bin/bash", [AGENT, "check", file], { PATH: NODE_PATH, PCA_AGENT_CONF: "/nonexistent", PCA_ENVIRONMENT: environment });

    it("accepts test/fixtures/roster-example.txt", async () => {
        const result = await check(path.join(REPO_ROOT, "test/fixtures/roster-example.txt"), "hpc-dev");
        assert.deepEqual([result.status, result.stdout], [0, "ok: generation 7, 4 users, 2 groups\n"]);
    });

    it("accepts the program's renderer's document with every state, sudo, groups and key types, and refuses it for another environment", async () => {
        const file = path.join(dir, "roster.txt");
        writeFileSync(file, renderRoster({
            environment: "hpc-prod",
            groups: [{ name: "genomics", gid: 3002 }, { name: "cfd", gid: 3001 }],
            users: [
                { name: "zoe", uid: 2010, state: "allowed", sudo: true, groups: ["cfd", "genomics"],
                    keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM zoe@laptop",
                        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 other"] },
                { name: "bob", uid: 2002, state: "blocked", sudo: true, groups: ["cfd"], keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM"] },
                { name: "carol", uid: 2004, state: "revoked", sudo: false, groups: ["genomics"], keys: [] },
            ],
        }, 42));
        const ok = await check(file, "hpc-prod");
        assert.deepEqual([ok.status, ok.stdout], [0, "ok: generation 42, 3 users, 2 groups\n"]);
        const other = await check(file, "hpc-dev");
        assert.deepEqual([other.status, other.stdout], [1, "refused: the document is for environment 'hpc-prod', this node is in 'hpc-dev'\n"]);
    });
});
