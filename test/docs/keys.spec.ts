/**
 * What the README and docs/ show must be what the code accepts: every `pcluster-access:` config key and
 * key path, every `npm run` script and every `npm run plan` flag. A doc that names a key the program
 * refuses (or no longer has) fails here, with the file and the key.
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { UID_TAG } from "../../components/access/roster";
import { CLUSTER_STACK_TAG } from "../../components/cluster/deployedCluster";
import { CONFIG_KEYS, configKeyProblems } from "../../components/config/configKeys";
import { PLAN_CLI_OPTIONS } from "../../scripts/plan";
import { REPO_ROOT } from "../support/devConfig";
import { acceptsPath, configTree, leafPaths } from "./configPaths";
import { codeSpans, commandLines, fences, guideDocs, prose } from "./markdown";

const SECTIONS = ["cluster", "network", "access", "roster", "opsworks", "users"];
/** A key path rooted at a section, as the docs write one in a code span: `cluster.deploy`, `users[1].access: blocked`. */
const SECTION_PATH = new RegExp(`^(?:pcluster-access:)?((?:${SECTIONS.join("|")})(?:\\[\\d*\\])?(?:\\.[A-Za-z][A-Za-z0-9]*(?:\\[\\d*\\])*)+)(?::.*)?$`);
/** Keys the docs show on purpose as mistakes the program refuses (docs/lifecycle.md): each must stay refused. */
const SHOWN_AS_REFUSED = ["pcluster-access:user", "pcluster_access:users"];
/** Names in the same namespace that are not config keys: the tags the program puts on what it creates. */
const TAGS = [UID_TAG, CLUSTER_STACK_TAG];
/** A code span that names a file (`roster.txt`, `network.ts`), not a key path. */
const FILE_NAME = /\.(?:txt|ts|md|sh|ya?ml|json|tar|ini)$/;

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

describe("the README and docs/ hold to the code", () => {
    const docs = guideDocs();
    const tree = configTree();

    it("reads README.md and the docs/ guide pages", () => {
        const files = docs.map((doc) => doc.file);
        assert.equal(files[0], "README.md");
        for (const page of ["docs/config-reference.md", "docs/for-users.md", "docs/permissions.md", "docs/offline-plan.md"]) {
            assert.ok(files.includes(page), `${page} is missing`);
        }
    });

    it("names only pcluster-access: keys the program accepts", () => {
        const wrong = docs.flatMap((doc) =>
            [...prose(doc.text).matchAll(/`(pcluster[-_]access:[A-Za-z]+)/g)]
                .map((match) => match[1])
                .filter((key) => !SHOWN_AS_REFUSED.includes(key) && !TAGS.includes(key) && !CONFIG_KEYS.includes(key.slice("pcluster-access:".length)))
                .map((key) => `${doc.file}: ${key}`),
        );
        assert.deepEqual(wrong, []);
        // The deliberate mistakes are still refused, each naming the key to use.
        assert.deepEqual(
            configKeyProblems(SHOWN_AS_REFUSED).map((problem) => problem.path),
            SHOWN_AS_REFUSED,
        );
    });

    it("writes only key paths the config schema has (`cluster.deploy`, `users[1].access`, `roster.instanceConnect`)", () => {
        const seen = docs.flatMap((doc) =>
            codeSpans(doc.text).flatMap((span) => {
                const match = FILE_NAME.test(span.trim()) ? null : SECTION_PATH.exec(span.trim());
                return match ? [{ file: doc.file, keyPath: match[1] }] : [];
            }),
        );
        assert.ok(seen.length >= 20, `only ${seen.length} key paths found: has the docs' way of writing them changed?`);
        assert.deepEqual(
            seen.filter(({ keyPath }) => !acceptsPath(keyPath, tree)).map(({ file, keyPath }) => `${file}: ${keyPath}`),
            [],
        );
    });

    it("documents in docs/config-reference.md exactly keys the schema has, and every key it has", () => {
        const reference = readFileSync(path.join(REPO_ROOT, "docs", "config-reference.md"), "utf8");
        const sections = [...reference.matchAll(/^## `pcluster-access:(\w+)`\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((match) => ({ section: match[1], text: match[2] }));
        assert.deepEqual(sections.map(({ section }) => section).sort(), [...CONFIG_KEYS].sort());
        const problems: string[] = [];
        for (const { section, text } of sections) {
            // A list section's rows name its items' keys (`users`: `iamUser` is users[].iamUser).
            // A section that is one map by name (pool: clusters by name) documents the map's values in its table.
            const map = leafPaths(section, tree).every((leaf) => leaf.startsWith("clusters.*.")) ? `${section}.clusters.*` : undefined;
            const root = acceptsPath(`${section}[]`, tree) ? `${section}[]` : (map ?? section);
            // Each table row's first cell names keys relative to its section: `headNode.instanceType`, `uidRange.first`, `uidRange.last`.
            for (const row of text.split("\n").filter((line) => /^\| `/.test(line))) {
                for (const [, key] of row.split("|")[1].matchAll(/`([^`]+)`/g)) {
                    if (!acceptsPath(`${root}.${key}`, tree)) {
                        problems.push(`${section}: the table names ${key}, which the schema does not have`);
                    }
                }
            }
            // Every key the schema has is named in its section (in a code span), so a new key cannot go undocumented.
            const spans = codeSpans(text).join(" ");
            for (const leaf of leafPaths(section, tree)) {
                const name = leaf.replace(/\[\]/g, "").split(".").pop() ?? "";
                if (name !== "" && !new RegExp(`\\b${name}\\b`).test(spans)) {
                    problems.push(`${section}.${leaf}: not documented in its section`);
                }
            }
        }
        assert.deepEqual(problems, []);
    });

    it("shows YAML config blocks whose every key the schema has", () => {
        const problems: string[] = [];
        const visit = (value: unknown, at: string, file: string) => {
            if (Array.isArray(value)) {
                value.forEach((item) => visit(item, `${at}[]`, file));
            } else if (value !== null && typeof value === "object") {
                for (const [key, child] of Object.entries(value)) {
                    const keyPath = `${at}.${key}`;
                    if (!acceptsPath(keyPath, tree)) {
                        problems.push(`${file}: ${keyPath}`);
                    } else {
                        visit(child, keyPath, file);
                    }
                }
            }
        };
        let blocks = 0;
        for (const doc of docs) {
            for (const fence of fences(doc.text).filter((block) => block.info === "yaml" && /^\s*pcluster-access:/m.test(block.body))) {
                blocks++;
                const document = YAML.parse(fence.body) as Record<string, unknown>;
                // A whole stack file (`config:` and its keys) or a fragment of one (its keys).
                const parsed = (isMapping(document.config) ? document.config : document) as Record<string, unknown>;
                for (const [key, value] of Object.entries(parsed)) {
                    if (!key.startsWith("pcluster-access:")) {
                        continue; // aws:region and other providers' keys
                    }
                    const section = key.replace(/^pcluster-access:/, "");
                    if (!CONFIG_KEYS.includes(section)) {
                        problems.push(`${doc.file}:${fence.line}: ${key}`);
                        continue;
                    }
                    visit(value, section, `${doc.file}:${fence.line}`);
                }
            }
        }
        assert.ok(blocks >= 9, `only ${blocks} YAML config blocks found`);
        assert.deepEqual(problems, []);
    });

    it("describes every config key in Pulumi.yaml, naming each of its fields (what `pulumi config` shows)", () => {
        const project = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { description: string; config: Record<string, { description: string }> };
        assert.doesNotMatch(project.description, /through OpsWorks Stacks/);
        assert.deepEqual(Object.keys(project.config).sort(), CONFIG_KEYS.map((key) => `pcluster-access:${key}`).sort());
        const missing = CONFIG_KEYS.flatMap((section) => {
            const description = project.config[`pcluster-access:${section}`].description;
            const fields = [...new Set(leafPaths(section, tree).map((leaf) => leaf.replace(/^\[\]\./, "").split(/[.[]/)[0]))];
            return fields.filter((field) => field !== "" && !new RegExp(`\\b${field}\\b`).test(description)).map((field) => `${section}.${field}`);
        });
        assert.deepEqual(missing, []);
    });

    it("links only to files that exist (relative links of README.md and docs/)", () => {
        const broken = docs.flatMap((doc) =>
            [...doc.text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
                .map((match) => match[1])
                .filter((target) => !/^[a-z]+:/.test(target) && !existsSync(path.join(REPO_ROOT, path.dirname(doc.file), target)))
                .map((target) => `${doc.file}: ${target}`),
        );
        assert.deepEqual(broken, []);
    });

    it("runs only npm scripts package.json has", () => {
        const scripts = Object.keys(JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts);
        const used = docs.flatMap((doc) => commandLines(doc.text).flatMap((line) => [...line.matchAll(/\bnpm (?:run )?([a-z][\w:-]*)/g)].map((match) => ({ file: doc.file, name: match[1] }))));
        const npmCommands = new Set(["ci", "install", "run"]);
        assert.ok(used.some(({ name }) => name === "plan") && used.some(({ name }) => name === "test"));
        assert.deepEqual(
            used.filter(({ name }) => !npmCommands.has(name) && !scripts.includes(name)).map(({ file, name }) => `${file}: npm run ${name}`),
            [],
        );
    });

    it("passes npm run plan only flags it accepts", () => {
        const flags = Object.keys(PLAN_CLI_OPTIONS);
        const shown = docs.flatMap((doc) =>
            commandLines(doc.text)
                .filter((line) => line.includes("npm run plan"))
                .flatMap((line) => [...line.slice(line.indexOf("npm run plan")).matchAll(/(?:^|[\s[])--([a-z][a-z-]*)/g)].map((match) => ({ file: doc.file, flag: match[1] }))),
        );
        assert.ok(shown.some(({ flag }) => flag === "stack"), "no npm run plan -- --stack found");
        assert.deepEqual(
            shown.filter(({ flag }) => !flags.includes(flag)).map(({ file, flag }) => `${file}: --${flag}`),
            [],
        );
    });
});
