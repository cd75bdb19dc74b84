/**
 * The plan as people run it: a separate node process, judged by its exit code and output.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { USAGE } from "../../../scripts/plan";
import { REPO_ROOT } from "../../support/devConfig";

function node(args: string[], cwd = REPO_ROOT) {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", ...args], { cwd, encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run plan, as a process", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-plan-cli-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("exits 0 on the dev stack (roster backend, the default stack) and writes its files under --out", () => {
        const result = node(["scripts/plan.ts", "--out", dir]);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /\nUsers \(3\):\n/);
        assert.equal(result.stderr, "");
        assert.equal(JSON.parse(readFileSync(path.join(dir, "dev", "plan.json"), "utf8")).resources.length, 34);
    });

    it("exits 0 on the article's stack (OpsWorks backend) with --stack article", () => {
        const result = node(["scripts/plan.ts", "--stack", "article", "--out", dir]);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, "");
        assert.equal(JSON.parse(readFileSync(path.join(dir, "article", "plan.json"), "utf8")).resources.length, 31);
    });

    it("starts the second plan of a stack from the state the first left, and --fresh from nothing", () => {
        const second = node(["scripts/plan.ts", "--out", dir]);
        assert.equal(second.status, 0, second.stderr);
        assert.match(second.stdout, new RegExp(`\\nStarting from ${dir}/dev/state\\.json \\(the state the last passing plan left, [^)]+\\)\\.\\n[^]*\\nChanges since ${dir}/dev/state\\.json:\\n {2}users: no change\\n`));
        const fresh = node(["scripts/plan.ts", "--out", dir, "--fresh"]);
        assert.equal(fresh.status, 0, fresh.stderr);
        assert.match(fresh.stdout, /\nStarting from nothing: a first deployment\.\n/);
        assert.doesNotMatch(fresh.stdout, /Changes since/);
    });

    it("--help prints the usage and exits 0; a usage error exits 2 with the reason and the usage", () => {
        const help = node(["scripts/plan.ts", "--help"]);
        assert.equal(help.status, 0);
        assert.equal(help.stdout, USAGE);
        assert.equal(help.stderr, "");
        assert.match(USAGE, /^Usage: npm run plan -- \[options\]\n/);
        const unknown = node(["scripts/plan.ts", "--stak", "dev"]);
        assert.equal(unknown.status, 2);
        assert.equal(unknown.stdout, "");
        // Node's parseArgs words the reason (Unknown option '--stak', perhaps with a hint); the usage follows it.
        assert.ok(unknown.stderr.startsWith("Unknown option '--stak'") && unknown.stderr.endsWith(`\n\n${USAGE}`), unknown.stderr);
        const both = node(["scripts/plan.ts", "--fresh", "--state", "export.json"]);
        assert.equal(both.status, 2);
        assert.equal(both.stderr, `--fresh and --state are two different starting points; give one.\n\n${USAGE}`);
    });

    it("exits 2 on an invalid stack file, printing the problems and no stack trace", () => {
        const file = path.join(dir, "Pulumi.bad.yaml");
        writeFileSync(file, readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8").replace("rootVolumeSize: 340", "rootVolumeSize: 20"));
        const result = node(["scripts/plan.ts", "--stack", "bad", "--config-file", file, "--out", dir]);
        assert.equal(result.status, 2);
        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            "The stack config is invalid (1 problem); nothing was created.\n" +
                "cluster.headNode.rootVolumeSize: 20 GiB is smaller than the root volume of ParallelCluster 3.16.3's official AMIs (50 GiB), which ParallelCluster refuses (RootVolumeSizeValidator). " +
                "Set at least 50, or remove the key to take the AMI's size.\n",
        );
    });

    it("a failed program run leaves no leak report that would turn a later success into exit 1", () => {
        const script = path.join(dir, "failedRun.ts");
        writeFileSync(
            script,
            `import { runDev } from ${JSON.stringify(path.join(REPO_ROOT, "test", "support", "program"))};\n` +
                `runDev(undefined, { existingIamUsers: [] }).then(() => process.exit(9), (error) => console.log("failed as expected:", error.message));\n`,
        );
        const result = node([script]);
        assert.equal(result.stdout, "failed as expected: NoSuchEntity: The user with name bob cannot be found.\n");
        assert.doesNotMatch(result.stderr, /promises were still active/);
        assert.equal(result.status, 0);
    });
});
