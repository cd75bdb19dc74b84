/** docs/pool.md shows the pool's stack files complete: each is the tested fixture, byte for byte. */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../support/devConfig";
import { poolStackFile } from "../../support/pool";

describe("docs/pool.md", () => {
    const doc = readFileSync(path.join(REPO_ROOT, "docs", "pool.md"), "utf8");
    for (const stack of ["users", "hpc-cpu", "hpc-gpu", "hpc-partner"]) {
        it(`shows Pulumi.${stack}.yaml complete, as the tests plan it`, () => {
            assert.ok(doc.includes(`\`Pulumi.${stack}.yaml\``), `names Pulumi.${stack}.yaml`);
            assert.ok(doc.includes(`\`\`\`yaml\n${readFileSync(poolStackFile(stack), "utf8")}\`\`\``), `shows Pulumi.${stack}.yaml verbatim`);
        });
    }
});
