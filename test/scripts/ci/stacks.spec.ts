/**
 * Which stacks CI previews (.github/workflows/preview.yml runs scripts/ci/stacks.ts): every stack file but
 * those that opt out with pcluster-access:ci {preview: false}, as the article's OpsWorks stack does.
 */
import * as assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ciStacks } from "../../../scripts/ci/stacks";
import { REPO_ROOT } from "../../support/devConfig";

describe("the stacks CI previews", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-ci-"));
        copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("previews dev and pcs and leaves out the article's stack, which opts out", () => {
        assert.deepEqual(ciStacks(REPO_ROOT), { preview: ["dev", "pcs"], skipped: ["article"] });
    });

    it("previews a stack that says nothing or preview: true; refuses a ci value it cannot read", () => {
        writeFileSync(path.join(dir, "Pulumi.a.yaml"), "config:\n  aws:region: eu-west-1\n");
        writeFileSync(path.join(dir, "Pulumi.b.yaml"), "config:\n  pcluster-access:ci:\n    preview: true\n");
        writeFileSync(path.join(dir, "Pulumi.c.yaml"), "config:\n  ci:\n    preview: false\n");
        assert.deepEqual(ciStacks(dir), { preview: ["a", "b"], skipped: ["c"] });
        writeFileSync(path.join(dir, "Pulumi.d.yaml"), "config:\n  pcluster-access:ci:\n    preveiw: false\n");
        assert.throws(() => ciStacks(dir), { message: 'Pulumi.d.yaml: pcluster-access:ci must be {preview: true} or {preview: false} (got {"preveiw":false}).' });
    });
});
