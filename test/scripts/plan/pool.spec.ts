/**
 * `npm run plan` of a pool and its clusters together (docs/pool.md): the pool's plan writes one document
 * per cluster and keeps its outputs, which a cluster's plan then reads for its stack reference.
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXIT, plan } from "../../../scripts/plan";
import { REPO_ROOT } from "../../support/devConfig";
import { poolStackFile } from "../../support/pool";

describe("npm run plan: a pool, then its clusters", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-plan-pool-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const options = (stack: string) => ({ stack, configFile: poolStackFile(stack), projectFile: path.join(REPO_ROOT, "Pulumi.yaml"), outDir: dir });

    it("refuses a cluster whose pool was never planned, naming the fix", async () => {
        const result = await plan(options("hpc-cpu"));
        assert.equal(result.exitCode, EXIT.invalidConfig);
        assert.match(result.stderr, /access\.pool: the stack organization\/pcluster-access\/users has no pool output\. Check the reference \(organization\/project\/stack\), and that the stack sets pcluster-access:pool and has been deployed \(pulumi up there first\)\./);
    });

    it("plans the pool: a document per cluster, no cluster configuration, the user table with a column per cluster", async () => {
        const result = await plan(options("users"));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.deepEqual(readdirSync(path.join(dir, "users")).sort(), ["plan.json", "roster-hpc-cpu.txt", "roster-hpc-gpu.txt", "roster-hpc-partner.txt"]);
        assert.match(result.stdout, /\n {2}IAM user {2}SSH username {2}UID {3}ssh {2}sudo {2}access {3}on hpc-cpu {4}on hpc-gpu {2}on hpc-partner {2}expires/);
        assert.match(result.stdout, /\n {2}alice {5}alice {9}2001 {2}yes {2}no {4}allowed {2}allowed\+sudo {2}blocked {5}blocked {9}/);
        assert.match(readFileSync(path.join(dir, "users", "roster-hpc-gpu.txt"), "utf8"), /^pcluster-access-roster 2\nenvironment hpc-gpu\n/);
    });

    it("plans each cluster from the pool's plan: its own document, the pool's UIDs", async () => {
        for (const stack of ["hpc-cpu", "hpc-gpu", "hpc-partner"]) {
            const result = await plan(options(stack));
            assert.equal(result.exitCode, EXIT.ok, `${stack}: ${result.stderr}`);
            const config = readFileSync(path.join(dir, stack, "cluster-config.yaml"), "utf8");
            assert.match(config, new RegExp(`\\n {8}- s3://users-scripts-bucket-[0-9a-f]{7}/pool/${stack}/roster\\.txt\\n`));
            assert.equal(existsSync(path.join(dir, stack, "roster.txt")), false);
            // The pool's UIDs; alice allowed only on hpc-cpu.
            assert.match(result.stdout, new RegExp(`\\n {2}alice +alice +2001 +yes +${stack === "hpc-cpu" ? "yes +allowed" : "no +blocked"} `));
            assert.match(result.stdout, /\n {2}bob +bob +2002 +yes +no +allowed /);
        }
    });
});
