/**
 * The agent bundle the program uploads at AGENT_KEY: the same bytes from the same files (its SHA-256 is what
 * the roster's `agent` line names), every file of scripts/node/agent/ in it, and a tar that GNU tar lists as
 * root-owned regular files with the modes the node installs.
 */
import * as assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AGENT_SOURCE_DIR, agentBundle } from "../../../components/access/roster/agentBundle";
import { run } from "../../support/run";

describe("agent bundle (components/access/roster/agentBundle.ts)", () => {
    it("holds the entry script and every part, and GNU tar lists exactly those, root-owned, at the epoch", async () => {
        const bundle = agentBundle();
        const parts = readdirSync(path.join(AGENT_SOURCE_DIR, "agent")).filter((f) => f.endsWith(".sh")).sort();
        assert.deepEqual(bundle.members, ["roster-agent.sh", "agent/", ...parts.map((p) => `agent/${p}`)]);
        const dir = mkdtempSync(path.join(tmpdir(), "pca-bundle-"));
        try {
            writeFileSync(path.join(dir, "bundle.tar"), bundle.bytes);
            const listing = await run("tar", ["--numeric-owner", "-tvf", path.join(dir, "bundle.tar")], { PATH: "/usr/bin:/bin", TZ: "UTC" });
            assert.equal(listing.status, 0, listing.stderr);
            const rows = listing.stdout.trimEnd().split("\n").map((line) => line.split(/\s+/));
            assert.deepEqual(rows.map((r) => [r[0], r[1], r[3], r[5]]), bundle.members.map((m) => [
                m === "roster-agent.sh" || m.endsWith("/") ? (m.endsWith("/") ? "drwxr-xr-x" : "-rwxr-xr-x") : "-rw-r--r--", "0/0", "1970-01-01", m,
            ]));
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is byte-identical when built again, and its SHA-256 changes with any part's content", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "pca-bundle-src-"));
        try {
            cpSync(AGENT_SOURCE_DIR, dir, { recursive: true });
            const first = agentBundle(dir);
            assert.deepEqual(agentBundle(dir).bytes, first.bytes);
            assert.equal(first.sha256, agentBundle().sha256);
            assert.match(first.sha256, /^[0-9a-f]{64}$/);
            writeFileSync(path.join(dir, "agent", "log.sh"), "# changed\n", { flag: "a" });
            assert.notEqual(agentBundle(dir).sha256, first.sha256);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
