import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as YAML from "yaml";
import { policies, POLICY_PACK_NAME } from "../../policy/policies";
import { POLICY_PACK_VERSION, resolvePolicyConfig } from "../../scripts/offline/policyHarness";
import { REPO_ROOT } from "../support/devConfig";

const POLICY_DIR = path.join(REPO_ROOT, "policy");

function packSources(dir = POLICY_DIR): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" || entry.name === "bin" ? [] : packSources(full);
        }
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** Module specifiers of a file's imports and re-exports, one-line or spread over several lines. */
function importsOf(file: string): string[] {
    return [...readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)";|^import\s+"([^"]+)";/gm)].map((match) => match[1] ?? match[2]);
}

describe("the policy pack", () => {
    it("has exactly these policies, in this order, with these enforcement levels and kinds", () => {
        assert.deepEqual(
            policies.map((policy) => [policy.name, policy.enforcementLevel, "validateStack" in policy ? "stack" : "resource"]),
            [
                ["required-opsworks-iam-policies", "mandatory", "stack"],
                ["required-post-install-wiring", "mandatory", "stack"],
                ["required-imds-v1-for-opsworks", "mandatory", "resource"],
                ["prohibited-imds-v1-without-need", "mandatory", "resource"],
                ["required-opsworks-stack-placement", "mandatory", "stack"],
                ["required-roster-wiring", "mandatory", "stack"],
                ["prohibited-other-cluster-documents", "mandatory", "stack"],
                ["required-roster-uids", "mandatory", "stack"],
                ["required-roster-signing-key", "mandatory", "stack"],
                ["prohibited-node-signing-key-use", "mandatory", "stack"],
                ["required-signing-key-retention", "mandatory", "stack"],
                ["required-valid-ssh-public-key", "mandatory", "resource"],
                ["required-private-script-bucket", "mandatory", "stack"],
                ["required-deployed-configuration", "mandatory", "stack"],
                ["required-instance-connect-scope", "mandatory", "stack"],
                ["required-instance-connect-client-ip", "mandatory", "resource"],
                ["required-configured-end-dates", "mandatory", "stack"],
                ["required-configured-roster-options", "mandatory", "stack"],
                ["required-configured-roster-access", "mandatory", "stack"],
                ["required-node-status-grant", "mandatory", "stack"],
                ["prohibited-pcs-ssh-open-to-world", "mandatory", "stack"],
                ["prohibited-pcs-node-roster-write", "mandatory", "stack"],
                ["discouraged-sudo-users", "advisory", "stack"],
                ["discouraged-access-revocation", "advisory", "resource"],
                ["discouraged-scratch-file-system", "advisory", "resource"],
                ["discouraged-ssh-open-to-world", "advisory", "resource"],
                ["discouraged-update-needing-fleet-stop", "advisory", "resource"],
                ["discouraged-access-ending-soon", "advisory", "resource"],
            ],
        );
    });

    it("lists every policy with its level in policy/README.md's table, each with its own section", () => {
        const readme = readFileSync(path.join(POLICY_DIR, "README.md"), "utf8");
        const rows = [...readme.matchAll(/^\| \[([a-z0-9-]+)\]\(#\1\) \| (mandatory|advisory) \| (stack|resource) \|$/gm)].map((match) => [match[1], match[2], match[3]]);
        assert.deepEqual(
            rows,
            policies.map((policy) => [policy.name, policy.enforcementLevel, "validateStack" in policy ? "stack" : "resource"]),
        );
        assert.deepEqual(
            policies.filter((policy) => !readme.includes(`\n### ${policy.name}\n`)).map((policy) => policy.name),
            [],
        );
    });

    it("names only the pack's policies in policy/README.md's map of promises to guards", () => {
        const readme = readFileSync(path.join(POLICY_DIR, "README.md"), "utf8");
        const map = readme.split("### Which policy guards which promise")[1]?.split("\n### ")[0] ?? "";
        const named = [...new Set([...map.matchAll(/`((?:required|prohibited|discouraged)-[a-z0-9-]+)`/g)].map((match) => match[1]))];
        assert.ok(named.length >= 15, named.join(", "));
        assert.deepEqual(
            named.filter((name) => !policies.some((policy) => policy.name === name)),
            [],
        );
    });

    it("describes every policy with a sentence starting 'Checks'", () => {
        assert.deepEqual(
            policies.filter((policy) => !/^Checks (that|whether|which) .+\.$/.test(policy.description)).map((policy) => policy.name),
            [],
        );
    });

    it("makes the required values configurable, with these defaults", () => {
        const resolved = resolvePolicyConfig(policies, {});
        assert.deepEqual(Object.fromEntries([...resolved].map(([name, config]) => [name, config.properties])), {
            "required-opsworks-iam-policies": {
                requiredPolicyArns: ["arn:aws:iam::aws:policy/AWSOpsWorksInstanceRegistration", "arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI_EC2"],
            },
            "required-post-install-wiring": { scriptKey: "post-install.sh" },
            "required-imds-v1-for-opsworks": { imdsSupport: "v1.0" },
            "prohibited-imds-v1-without-need": {},
            "required-opsworks-stack-placement": { chefVersion: "12" },
            "required-roster-wiring": { agentKey: "agent.tar" },
            "prohibited-other-cluster-documents": {},
            "required-roster-uids": {},
            "required-roster-signing-key": {},
            "prohibited-node-signing-key-use": {},
            "required-signing-key-retention": {},
            "required-valid-ssh-public-key": { minRsaBits: 2048 },
            "required-private-script-bucket": { sseAlgorithms: ["AES256", "aws:kms", "aws:kms:dsse"] },
            "required-deployed-configuration": {},
            "required-instance-connect-scope": {},
            "required-instance-connect-client-ip": {},
            "required-configured-end-dates": {},
            "required-configured-roster-options": {},
            "required-configured-roster-access": {},
            "required-node-status-grant": {},
            "prohibited-pcs-ssh-open-to-world": {},
            "prohibited-pcs-node-roster-write": {},
            "discouraged-sudo-users": { allowedSudoUsers: [] },
            "discouraged-access-revocation": {},
            "discouraged-scratch-file-system": { scratchDeploymentTypes: ["SCRATCH_1", "SCRATCH_2"] },
            "discouraged-ssh-open-to-world": {},
            "discouraged-update-needing-fleet-stop": {},
            "discouraged-access-ending-soon": { windowDays: 30 },
        });
    });

    it("is named pcluster-access, versioned by policy/package.json, and runs on Node.js", () => {
        const manifest = JSON.parse(readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string };
        assert.equal(POLICY_PACK_NAME, "pcluster-access");
        assert.equal(POLICY_PACK_VERSION, manifest.version);
        assert.match(POLICY_PACK_VERSION, /^\d+\.\d+\.\d+$/);
        assert.equal((YAML.parse(readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime: string }).runtime, "nodejs");
    });

    it("is self-contained: its files import only each other, Node.js and the pack's own dependencies", () => {
        const manifest = JSON.parse(readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const foreign = packSources().flatMap((file) =>
            importsOf(file)
                .filter((specifier) => {
                    if (specifier.startsWith(".")) {
                        return !path.resolve(path.dirname(file), specifier).startsWith(POLICY_DIR + path.sep);
                    }
                    const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
                    return !(name in manifest.dependencies) && !builtinModules.includes(specifier.replace(/^node:/, ""));
                })
                .map((specifier) => `${path.relative(REPO_ROOT, file)}: ${specifier}`),
        );
        assert.deepEqual(foreign, []);
    });

    it("builds the PolicyPack in index.ts only, which nothing imports (it starts a gRPC server)", () => {
        const constructing = packSources().filter((file) => readFileSync(file, "utf8").includes("new PolicyPack("));
        assert.deepEqual(constructing.map((file) => path.relative(REPO_ROOT, file)), [path.join("policy", "index.ts")]);
        assert.deepEqual(importsOf(path.join(POLICY_DIR, "index.ts")), ["@pulumi/policy", "./policies"]);
        const packEntry = [POLICY_DIR, path.join(POLICY_DIR, "index")];
        const importers = ["index.ts", "components", "policy", "scripts", "test"]
            .flatMap((entry) => (entry.endsWith(".ts") ? [path.join(REPO_ROOT, entry)] : packSources(path.join(REPO_ROOT, entry))))
            .filter((file) => importsOf(file).some((specifier) => specifier.startsWith(".") && packEntry.includes(path.resolve(path.dirname(file), specifier))));
        assert.deepEqual(importers, []);
    });
});
