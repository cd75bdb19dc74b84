import * as assert from "node:assert/strict";
import { parseEnvironmentConfig } from "../../components/config";
import { configKeyProblems } from "../../components/config/configKeys";
import { runDev } from "../support/program";
import { DEV_STACK_FILE, devRawConfig, toStackConfig } from "../support/devConfig";
import { runProgram } from "../../scripts/offline/runProgram";

const KNOWN = "Use one of: pcluster-access:cluster, pcluster-access:network, pcluster-access:access, pcluster-access:opsworks, pcluster-access:pcs, pcluster-access:roster, pcluster-access:users, pcluster-access:pool, pcluster-access:ci.";

describe("config keys and an empty roster", () => {
    it("accepts our keys and leaves other namespaces alone", () => {
        assert.deepEqual(configKeyProblems(["aws:region", "pcluster-access:cluster", "pcluster-access:users", "pulumi:template", "awsx:foo", "gcp:project"]), []);
    });

    it("names a key under a misspelled namespace and the key it should be", () => {
        assert.deepEqual(
            configKeyProblems(["pcluster_access:users", "PclusterAccess:cluster", "pcluster-acess:network", "pcluster_access:rooster"]).map((p) => `${p.path}: ${p.message}`),
            [
                "pcluster_access:users: is ignored: its namespace is not pcluster-access. Rename it to pcluster-access:users (pulumi config rm, then pulumi config set --path).",
                "PclusterAccess:cluster: is ignored: its namespace is not pcluster-access. Rename it to pcluster-access:cluster (pulumi config rm, then pulumi config set --path).",
                "pcluster-acess:network: is ignored: its namespace is not pcluster-access. Rename it to pcluster-access:network (pulumi config rm, then pulumi config set --path).",
                "pcluster_access:rooster: is ignored: its namespace is not pcluster-access. Rename it to a key under pcluster-access: (pulumi config rm, then pulumi config set --path).",
            ],
        );
    });

    it("names an unknown key of ours", () => {
        assert.deepEqual(configKeyProblems(["pcluster-access:user"]), [{ path: "pcluster-access:user", message: `is not a key of pcluster-access. ${KNOWN}` }]);
    });

    it("warns, without refusing, when the roster is empty", () => {
        const raw = devRawConfig(DEV_STACK_FILE);
        const result = parseEnvironmentConfig({ ...raw, users: [] });
        assert.ok(result.ok);
        assert.deepEqual(result.warnings, [
            { path: "users", message: "lists no users: the environment is planned with no cluster users. Add entries under pcluster-access:users (see Pulumi.dev.yaml), or ignore this while setting up." },
        ]);
        const full = parseEnvironmentConfig(raw);
        assert.deepEqual(full.ok && full.warnings, []);
    });

    it("refuses the program with users under pcluster_access: nothing is registered and both problems are named", async () => {
        const raw = devRawConfig();
        const config = toStackConfig(raw);
        config["pcluster_access:users"] = config["pcluster-access:users"];
        delete config["pcluster-access:users"];
        await assert.rejects(runProgram({ project: "pcluster-access", stack: "dev", config, cloud: { region: "eu-west-1" } }), {
            message:
                "The stack config is invalid (1 problem); nothing was created.\n" +
                "pcluster_access:users: is ignored: its namespace is not pcluster-access. Rename it to pcluster-access:users (pulumi config rm, then pulumi config set --path).",
        });
    });

    it("prints the empty-roster warning when the program runs", async () => {
        const warnings: string[] = [];
        const warn = console.warn;
        console.warn = (message: string) => warnings.push(message);
        try {
            await runDev((raw) => { raw.users = []; }, {}, undefined, undefined, DEV_STACK_FILE);
        } finally {
            console.warn = warn;
        }
        assert.deepEqual(warnings, [
            "warning: [runtime] users: lists no users: the environment is planned with no cluster users. Add entries under pcluster-access:users (see Pulumi.dev.yaml), or ignore this while setting up.",
        ]);
    });
});
