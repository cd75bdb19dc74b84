/**
 * One pool of users, two clusters (issue 25), on real nodes: each cluster one node (a namespace with real
 * sshd, accounts and sudo) running the agent, each reading the document the pool's Roster plans for its
 * cluster (components/access/roster/planner.ts), signed through the program's signing path with the test
 * key. The same user has the same UID on both, is allowed on one and blocked on the other; one change of
 * the pool reaches both; a node refuses the other cluster's document.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { agentBundle } from "../../../../components/access/roster/agentBundle";
import { nextDocument, type PreviousRoster, type RosterInputs } from "../../../../components/access/roster/planner";
import { signDocument } from "../../../../components/access/roster/signing";
import { TEST_PUBKEY, testSigner } from "../../../support/rosterSigning";
import { Cluster } from "./support/cluster";
import { hostAccountFiles } from "./support/host";
import { makeKeyPair, type KeyPair, type Node, ssh } from "./support/node";

describe("roster-agent.sh on two clusters of one pool: same UIDs, access per cluster, one change reaches both", function () {
    this.timeout(240_000);
    const hostBefore = hostAccountFiles();
    let keysDir: string;
    let keys: Record<string, KeyPair>;
    const clusters: Record<string, { cluster: Cluster; node: Node }> = {};
    let previous: PreviousRoster | undefined;
    let now = Date.UTC(2026, 11, 7);

    /** The pool's Roster inputs: alice (cfd) and bob (genomics); hpc-cpu lets in alice (sudo) and bob, hpc-gpu only bob. */
    function pool(bobState: "allowed" | "blocked" = "allowed"): RosterInputs {
        const key = (name: string) => `${keys[name].type} ${keys[name].blob}`;
        return {
            region: "eu-west-1",
            bucket: "pool-bucket",
            key: "pool/",
            environment: "users",
            signingKeyArn: "test",
            publicKey: TEST_PUBKEY,
            range: { first: 2001, last: 60000 },
            users: [
                { iamUser: "alice", name: "alice", state: "allowed", sudo: false, keys: [key("alice")], groups: ["cfd"] },
                { iamUser: "bob", name: "bob", state: bobState, sudo: false, keys: [key("bob")], groups: ["genomics"] },
            ],
            groups: [{ name: "cfd" }, { name: "genomics" }],
            agentSha256: agentBundle().sha256,
            options: { homeKeys: "cluster", instanceConnect: false },
            clusters: [
                { name: "hpc-cpu", key: "pool/hpc-cpu/roster.txt", allowed: ["alice", "bob"], sudo: ["alice"] },
                { name: "hpc-gpu", key: "pool/hpc-gpu/roster.txt", allowed: ["bob"], sudo: [] },
            ],
        };
    }

    /** One write of the pool: every cluster's document planned, signed, and published to that cluster; then each node syncs. */
    async function writePool(inputs: RosterInputs): Promise<Record<string, string>> {
        now += 60_000;
        const planned = nextDocument(previous, inputs, now);
        previous = { allocation: planned.planned.allocation, users: inputs.users, generation: planned.generation };
        const signed: Record<string, string> = {};
        for (const document of planned.documents) {
            signed[document.environment] = await signDocument(document.text, testSigner, TEST_PUBKEY, "the test signing key");
            await clusters[document.environment].cluster.publish(signed[document.environment]);
        }
        for (const { cluster, node } of Object.values(clusters)) {
            await cluster.syncOk(node);
        }
        return signed;
    }

    const id = (name: string, cluster: string) => clusters[cluster].node.execOk("id", [name]);

    before(async () => {
        keysDir = mkdtempSync(path.join(tmpdir(), "pca-pool-keys-"));
        keys = { alice: await makeKeyPair(keysDir, "alice"), bob: await makeKeyPair(keysDir, "bob") };
        for (const name of ["hpc-cpu", "hpc-gpu"]) {
            const cluster = await Cluster.start();
            const node = await cluster.addNode("HeadNode", { PCA_ENVIRONMENT: name });
            clusters[name] = { cluster, node };
        }
        await writePool(pool());
        for (const { node } of Object.values(clusters)) {
            await node.startSshd();
        }
    });
    after(async () => {
        for (const { cluster } of Object.values(clusters)) {
            await cluster.close();
        }
        rmSync(keysDir, { recursive: true, force: true });
    });

    it("gives the same user the same UID and groups on both clusters", async () => {
        for (const cluster of ["hpc-cpu", "hpc-gpu"]) {
            assert.match(await id("alice", cluster), /^uid=2001\(alice\) gid=2001\(alice\) groups=2001\(alice\),\d+\(pcluster-access\),2003\(cfd\)\n$/, cluster);
            assert.match(await id("bob", cluster), /^uid=2002\(bob\) gid=2002\(bob\) groups=2002\(bob\),\d+\(pcluster-access\),2004\(genomics\)\n$/, cluster);
        }
    });

    it("lets alice in on hpc-cpu, with sudo there, and keeps her out of hpc-gpu, where her account and home stay", async () => {
        const cpu = await ssh(clusters["hpc-cpu"].node, "alice", keys.alice, "id -u; sudo -n true && echo sudo");
        assert.deepEqual([cpu.status, cpu.stdout], [0, "2001\nsudo\n"], cpu.stderr);
        const gpu = await ssh(clusters["hpc-gpu"].node, "alice", keys.alice, "id -u");
        assert.equal(gpu.status, 255);
        assert.equal(await clusters["hpc-gpu"].node.execOk("/bin/sh", ["-c", "test -d /home/alice && getent passwd alice | cut -d: -f3"]), "2001\n");
        const bob = await ssh(clusters["hpc-gpu"].node, "bob", keys.bob, "id -u; sudo -n true 2>/dev/null || echo nosudo");
        assert.deepEqual([bob.status, bob.stdout], [0, "2002\nnosudo\n"], bob.stderr);
    });

    it("refuses the other cluster's document, signed by the same pool: alice stays out of hpc-gpu", async () => {
        const gpu = clusters["hpc-gpu"];
        const signed = await writePool(pool());
        await gpu.cluster.publish(signed["hpc-cpu"]);
        const result = await gpu.cluster.sync(gpu.node);
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, /refused the roster \(ETag "[0-9a-f]{32}"\): the document is for environment 'hpc-cpu', this node is in 'hpc-gpu'; nothing changed\n$/);
        assert.equal((await ssh(gpu.node, "alice", keys.alice, "true")).status, 255);
        await gpu.cluster.publish(signed["hpc-gpu"]);
        await gpu.cluster.syncOk(gpu.node);
    });

    it("reaches both clusters with one change of the pool: bob blocked is out of both, UID and home kept", async () => {
        await writePool(pool("blocked"));
        for (const cluster of ["hpc-cpu", "hpc-gpu"]) {
            assert.equal((await ssh(clusters[cluster].node, "bob", keys.bob, "true")).status, 255, cluster);
            assert.equal(await clusters[cluster].node.execOk("/bin/sh", ["-c", "test -d /home/bob && getent passwd bob | cut -d: -f3"]), "2002\n", cluster);
        }
        assert.equal((await ssh(clusters["hpc-cpu"].node, "alice", keys.alice, "id -u")).stdout, "2001\n");
        await writePool(pool("allowed"));
        assert.equal((await ssh(clusters["hpc-gpu"].node, "bob", keys.bob, "id -u")).stdout, "2002\n");
    });

    it("leaves the host's own accounts untouched", () => {
        assert.deepEqual(hostAccountFiles(), hostBefore);
    });
});
