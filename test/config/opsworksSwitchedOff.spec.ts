/**
 * The article's OpsWorks backend says on every preview and plan that AWS switched OpsWorks Stacks off
 * (issue 23 §5); the roster backend says nothing of OpsWorks.
 */
import * as assert from "node:assert/strict";
import { parseEnvironmentConfig } from "../../components/config";
import { configWith as dev } from "../support/configProblems";
import { DEV_STACK_FILE } from "../support/devConfig";

describe("OpsWorks Stacks is switched off", () => {
    it("warns on the article's stack, with the way out and the CI opt-out", () => {
        const result = parseEnvironmentConfig(dev(() => undefined));
        assert.equal(result.ok, true);
        assert.deepEqual(result.ok && result.warnings.filter((warning) => warning.path === "access.backend"), [
            {
                path: "access.backend",
                message:
                    "opsworks: AWS switched OpsWorks Stacks off on 2024-05-26 (its API is disabled for new and existing customers), so `pulumi up` of this stack fails at the OpsWorks stack. " +
                    "It shows the article's design, proven against an emulator. For a cluster you deploy use backend: roster (the default); " +
                    "set pcluster-access:ci to {preview: false} to leave this stack out of CI's previews.",
            },
        ]);
    });

    it("says nothing of OpsWorks on the roster backend", () => {
        const result = parseEnvironmentConfig(dev(() => undefined, DEV_STACK_FILE));
        assert.equal(result.ok, true);
        assert.doesNotMatch(JSON.stringify(result.ok && result.warnings), /opsworks/i);
    });

    it("refuses a ci value that is not {preview: true|false}", () => {
        const result = parseEnvironmentConfig({ ...dev(() => undefined, DEV_STACK_FILE), ci: { preview: "no" } });
        assert.deepEqual(!result.ok && result.problems, [{ path: "ci.preview", message: "must be a boolean, not 'no'." }]);
    });
});
