/**
 * Upgrades in place: a node runs the agent post-install.sh installed (here: an agent of the previous release,
 * installed by the install mode at /opt/pcluster-access), the roster names another agent on its `agent`
 * line, and the agent fetches AGENT_KEY from moto's S3 with the real AWS CLI, checks its SHA-256, installs it
 * and runs it on the same document. A corrupt, substituted, missing or broken agent object is refused: the
 * working agent stays, nothing else changes, nothing unchecked runs.
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { AGENT_SOURCE_DIR, agentBundle, tar, type TarEntry } from "../../../../components/access/roster/agentBundle";
import { AGENT, AGENT_KEY, BUCKET, Cluster, ENVIRONMENT } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, NODE_PATH } from "./support/node";
import { envelopeRoster, Roster } from "./support/roster";
import { run } from "../../../support/run";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

/** This repository's bundle with one more file: the same parts, another release (another SHA-256). */
function releaseWith(extra: TarEntry): Buffer {
    const entries: TarEntry[] = agentBundle().members.map((name) => (name.endsWith("/") ? { name, mode: 0o755 }
        : { name, mode: name === "roster-agent.sh" ? 0o755 : 0o644, content: readFileSync(path.join(AGENT_SOURCE_DIR, name)) }));
    return tar([...entries, extra]);
}

describe("roster-agent.sh upgrades itself to the agent the roster names", function () {
    this.timeout(120_000);
    const current = agentBundle();
    const previous = releaseWith({ name: "agent/zz-release.sh", mode: 0o644, content: Buffer.from("# shellcheck shell=bash\n# the release before this one\n") });
    const previousSha = sha256(previous);
    let cluster: Cluster;
    let key: KeyPair;
    let scratch: string;
    let generation = 1;

    before(async () => {
        cluster = await Cluster.start();
        key = await makeKeyPair(cluster.dir, "alice");
        scratch = mkdtempSync(path.join(tmpdir(), "pca-upgrade-"));
    });
    after(async () => {
        await cluster?.close();
        rmSync(scratch, { recursive: true, force: true });
    });

    const roster = (): Roster => ({ environment: ENVIRONMENT, generation: generation++, users: [{ name: "alice", uid: 2001, keys: [key] }] });
    const currentRelease = (node: Node): string => readlinkSync(path.join(node.dir, "opt/pcluster-access/current"));
    const releases = (node: Node): string[] => readdirSync(path.join(node.dir, "opt/pcluster-access/releases")).sort();
    const messages = (stderr: string): string[] => stderr.trimEnd().split("\n").map((l) => l.replace(/^\S+ roster-agent: /, ""));

    /** What this repository's agent says of `document` (check mode parses as a sync does). */
    async function verdict(document: string): Promise<{ ok: boolean; line: string }> {
        const file = path.join(scratch, "document.txt");
        writeFileSync(file, document);
        const result = await run("/bin/bash", [AGENT, "check", file], { PATH: NODE_PATH, PCA_AGENT_CONF: "/nonexistent", PCA_ENVIRONMENT: ENVIRONMENT });
        return { ok: result.status === 0, line: result.stdout.trim().replace(/^refused: /, "") };
    }

    it("an agent of the previous release fetches the named agent, checks it, installs it and runs it on the same document", async () => {
        const node = await cluster.addNode("LoginNode");
        await cluster.installAgent(node, previous);
        assert.equal(currentRelease(node), `releases/${previousSha}`);
        await cluster.uploadAgent(current.bytes);
        const document = envelopeRoster(roster(), current.sha256);
        await cluster.publish(document);

        await cluster.moto.startRecording();
        const result = await cluster.syncInstalled(node);
        const requests = (await cluster.moto.recordedRequests()).map((r) => r.replace(/\?.*$/, ""));
        assert.deepEqual(requests, [`GET /${BUCKET}/roster/hpc-dev.txt`, `GET /${BUCKET}/${AGENT_KEY}`]);
        assert.equal(currentRelease(node), `releases/${current.sha256}`);
        assert.deepEqual(releases(node), [previousSha, current.sha256].sort());
        const log = messages(result.stderr);
        const upgraded = log.indexOf(`upgraded the agent from ${previousSha} to ${current.sha256}: it runs generation 1`);
        assert.ok(upgraded >= 0, result.stderr);
        assert.equal(log[upgraded - 1], `installed agent ${current.sha256} as /opt/pcluster-access/current`);
        assert.ok(log.some((l) => new RegExp(`^agent ${current.sha256} \\(upgraded from ${previousSha}\\) on the roster of ETag "[0-9a-f]{32}"$`).test(l)), result.stderr);
        // The new agent judged the document itself: exactly as this repository's agent judges it.
        const expected = await verdict(document);
        if (expected.ok) {
            assert.equal(result.status, 0, result.stderr);
            assert.equal((await node.execOk("getent", ["passwd", "alice"])).split(":")[2], "2001");
        } else {
            assert.equal(result.status, 1);
            assert.match(log.at(-1) ?? "", new RegExp(`^WARNING: refused the roster \\(ETag "[0-9a-f]{32}"\\): ${expected.line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; nothing changed$`));
        }

        // The next document names the agent now running: no agent fetch.
        await cluster.publish(envelopeRoster(roster(), current.sha256));
        await cluster.moto.startRecording();
        const next = await cluster.syncInstalled(node);
        assert.deepEqual((await cluster.moto.recordedRequests()).map((r) => r.replace(/\?.*$/, "")), [`GET /${BUCKET}/roster/hpc-dev.txt`]);
        assert.equal(next.stderr.includes("upgraded the agent"), false, next.stderr);
    });

    it("a format the named agent (the one running) does not know is refused by it: nothing fetched, nothing changed", async () => {
        const node = await cluster.addNode("LoginNode");
        await cluster.installAgent(node, current.bytes);
        await cluster.publish(envelopeRoster(roster(), current.sha256, 9));
        await cluster.moto.startRecording();
        const result = await cluster.syncInstalled(node);
        assert.deepEqual((await cluster.moto.recordedRequests()).map((r) => r.replace(/\?.*$/, "")), [`GET /${BUCKET}/roster/hpc-dev.txt`]);
        assert.equal(result.status, 1);
        assert.match(messages(result.stderr).at(-1) ?? "", /^WARNING: refused the roster \(ETag "[0-9a-f]{32}"\): unknown format version 9 \(this agent knows [0-9 ,]+\); nothing changed$/);
        assert.equal(existsSync(path.join(node.dir, "var/lib/pcluster-access/roster/generation")), false);
    });

    /** A node on the previous release, a document naming this release, and `object` at AGENT_KEY: refused. */
    async function refusedUpgrade(object: Buffer | undefined, reason: RegExp, extra: NodeJS.ProcessEnv = {}): Promise<void> {
        const node = await cluster.addNode("ComputeFleet");
        await cluster.installAgent(node, previous);
        if (object) await cluster.uploadAgent(object);
        await cluster.publish(envelopeRoster(roster(), current.sha256));
        const passwd = readFileSync(node.etc("passwd"), "utf8");
        cluster.takeCommands();
        const result = await cluster.syncInstalled(node, extra);
        assert.equal(result.status, 1);
        assert.match(messages(result.stderr).at(-1) ?? "", reason);
        assert.equal(currentRelease(node), `releases/${previousSha}`);
        assert.deepEqual(releases(node), [previousSha]);
        assert.equal(readFileSync(node.etc("passwd"), "utf8"), passwd);
        assert.deepEqual(cluster.takeCommands(), []);
        assert.equal(existsSync(path.join(node.dir, "var/lib/pcluster-access/roster/generation")), false);
        assert.equal(existsSync(path.join(node.dir, "var/lib/pcluster-access/roster/agent.tar")), false);
    }

    it("refuses a corrupt agent object (one byte changed): the working agent stays, nothing changes", async () => {
        const corrupt = Buffer.from(current.bytes);
        corrupt[600] ^= 0x20;
        await refusedUpgrade(corrupt, new RegExp(`^WARNING: the agent at s3://${BUCKET}/${AGENT_KEY} has SHA-256 ${sha256(corrupt)}, the roster names ${current.sha256}: not run; kept agent ${previousSha}, nothing changed$`));
    });

    it("refuses a substituted agent object (another valid bundle at AGENT_KEY)", async () => {
        const other = releaseWith({ name: "agent/zz-other.sh", mode: 0o644, content: Buffer.from("echo substituted\n") });
        await refusedUpgrade(other, new RegExp(`^WARNING: the agent at s3://${BUCKET}/${AGENT_KEY} has SHA-256 ${sha256(other)}, the roster names ${current.sha256}: not run; kept agent ${previousSha}, nothing changed$`));
    });

    it("keeps the working agent when the agent object cannot be fetched", async () => {
        await refusedUpgrade(undefined, new RegExp(`^WARNING: the roster names agent ${current.sha256}; fetching it from s3://${BUCKET}/assets/missing\\.tar failed \\(exit 254\\): .*NoSuchKey.*kept agent ${previousSha}, nothing changed$`),
            { PCA_AGENT_URL: `s3://${BUCKET}/assets/missing.tar` });
    });

    it("refuses an object with the named hash that is no agent bundle (the roster names a broken one)", async () => {
        const broken = tar([{ name: "agent/", mode: 0o755 }, { name: "agent/log.sh", mode: 0o644, content: Buffer.from("true\n") }]);
        const node = await cluster.addNode("ComputeFleet");
        await cluster.installAgent(node, previous);
        await cluster.uploadAgent(broken);
        await cluster.publish(envelopeRoster(roster(), sha256(broken)));
        const result = await cluster.syncInstalled(node);
        assert.equal(result.status, 1);
        assert.equal(messages(result.stderr).at(-1),
            `WARNING: the agent at s3://${BUCKET}/${AGENT_KEY} (SHA-256 ${sha256(broken)}) is not an agent bundle: no roster-agent.sh in it; kept agent ${previousSha}, nothing changed`);
        assert.equal(currentRelease(node), `releases/${previousSha}`);
        await cluster.uploadAgent();
    });
});
