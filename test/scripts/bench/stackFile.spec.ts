import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { growStack, writeGrownStack, type StackDocument } from "../../../scripts/bench/stackFile";
import { parseEnvironmentConfig } from "../../../components/config";
import { devRawConfig, REPO_ROOT } from "../../support/devConfig";
import { ed25519PublicKey } from "../../support/keys";

describe("bench stack files", () => {
    const dev = (): StackDocument => YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8"));

    it("repeats the dev users' settings under new names and the given keys, and the dev queues under new names", () => {
        const grown = growStack(dev(), { users: 4, queues: 4 }, (i) => `key-${i}`);
        const users = grown.config["pcluster-access:users"] as Record<string, unknown>[];
        assert.deepEqual(
            users.map(({ iamUser, create, sudo, access, sshPublicKey }) => ({ iamUser, create, sudo, access, sshPublicKey })),
            [
                { iamUser: "bench-user-0001", create: true, sudo: true, access: "allowed", sshPublicKey: "key-0" },
                { iamUser: "bench-user-0002", create: undefined, sudo: false, access: "allowed", sshPublicKey: "key-1" },
                { iamUser: "bench-user-0003", create: true, sudo: false, access: "allowed", sshPublicKey: "key-2" },
                { iamUser: "bench-user-0004", create: true, sudo: true, access: "allowed", sshPublicKey: "key-3" },
            ],
        );
        const cluster = grown.config["pcluster-access:cluster"] as { format: string; queues: { name: string; computeResources: { instanceType: string }[] }[] };
        assert.equal(cluster.format, "v3");
        assert.deepEqual(
            cluster.queues.map((queue) => [queue.name, queue.computeResources[0].instanceType]),
            [
                ["q01-compute", "c5n.18xlarge"],
                ["q02-standard", "m5n.24xlarge"],
                ["q03-highmem", "r5n.24xlarge"],
                ["q04-compute", "c5n.18xlarge"],
            ],
        );
    });

    it("leaves the dev document as it was", () => {
        const document = dev();
        const before = JSON.stringify(document);
        growStack(document, { users: 2, queues: 1 }, String);
        assert.equal(JSON.stringify(document), before);
    });

    it("refuses a size below 1 or not whole, and a dev stack with nothing to repeat", () => {
        assert.throws(() => growStack(dev(), { users: 0, queues: 3 }, String), { name: "RangeError", message: "users must be a whole number of at least 1, not 0" });
        assert.throws(() => growStack(dev(), { users: 10, queues: 1.5 }, String), { name: "RangeError", message: "queues must be a whole number of at least 1, not 1.5" });
        const empty = dev();
        empty.config["pcluster-access:users"] = [];
        assert.throws(() => growStack(empty, { users: 1, queues: 1 }, String), {
            name: "RangeError",
            message: "the dev stack must list users (pcluster-access:users) and queues (pcluster-access:cluster.queues) to grow from",
        });
    });

    it("writes a stack file the program's config parser accepts at the largest queue count", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "pca-bench-stack-"));
        try {
            const file = path.join(dir, "Pulumi.bench.yaml");
            writeGrownStack(path.join(REPO_ROOT, "Pulumi.dev.yaml"), file, { users: 12, queues: 20 }, (i) => ed25519PublicKey(`u${i}@bench`));
            const parsed = parseEnvironmentConfig(devRawConfig(file));
            assert.ok(parsed.ok, JSON.stringify(parsed));
            assert.equal(parsed.config.users.length, 12);
            assert.equal(parsed.config.cluster.queues.length, 20);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("writes the 1,000-user stack without YAML aliases (each user's groups list is its own), which the reader would refuse", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "pca-bench-stack-"));
        try {
            const file = path.join(dir, "Pulumi.bench.yaml");
            writeGrownStack(path.join(REPO_ROOT, "Pulumi.dev.yaml"), file, { users: 1000, queues: 3 }, () => ed25519PublicKey("same@bench"));
            assert.doesNotMatch(readFileSync(file, "utf8"), /[&*][a-z]\d+\b/);
            const parsed = parseEnvironmentConfig(devRawConfig(file));
            assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems.slice(0, 3)));
            assert.equal(parsed.config.users.length, 1000);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
