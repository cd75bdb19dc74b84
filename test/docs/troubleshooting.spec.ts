/**
 * The README's troubleshooting table quotes the node agent's own log lines: each quoted message must still
 * be one the agent writes (scripts/node), or an administrator searching the log for it finds nothing.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../support/devConfig";

/** What the table writes for a value that varies: N, K, E, NAME, 'A', an s3:// URL, "...". */
const PLACEHOLDER = /\b(?:N|M|K|E|X|Y|NAME)\b|'[A-Z]'|s3:\/\/\S*|\.\.\./g;

/** The fixed words of a quoted message: the runs of text between placeholders and the log's `: `/`; ` joints, three words or more. */
export function fixedParts(message: string): string[] {
    return message
        .replace(/^(?:WARNING|ERROR): /, "")
        .split(PLACEHOLDER)
        .flatMap((part) => part.split(/: |; /))
        .map((part) => part.trim().replace(/^[)(,]+|[)(,]+$/g, "").trim())
        .filter((part) => part.split(/\s+/).length >= 3);
}

describe("the README's troubleshooting messages", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const section = /^### A node does not apply the roster\n([\s\S]*?)^### /m.exec(readme)?.[1] ?? "";
    const quoted = section
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .flatMap((line) => line.split("|")[1].split(" / "))
        .map((cell) => /`([^`]+)`/.exec(cell)?.[1] ?? "");
    const nodeDir = path.join(REPO_ROOT, "scripts", "node");
    const sources = [
        ...readdirSync(nodeDir).filter((name) => name.endsWith(".sh")).map((name) => path.join(nodeDir, name)),
        ...readdirSync(path.join(nodeDir, "agent")).filter((name) => name.endsWith(".sh")).map((name) => path.join(nodeDir, "agent", name)),
    ]
        .map((file) => readFileSync(file, "utf8"))
        .join("\n");
    // A message names a setting by its value on a node (`$PCA_EIC_USER` logs as ec2-instance-connect): the defaults of agent/settings.sh.
    const defaults = [...sources.matchAll(/^: "\$\{(PCA_[A-Z_]+):=([^}]*)\}"$/gm)].map(([, name, value]) => [name, value] as const);
    const logged = defaults.reduce((text, [name, value]) => text.split(`\${${name}}`).join(value).split(`$${name}`).join(value), sources);

    it("quotes at least the messages of a refused, a failed and a normal cycle", () => {
        assert.ok(quoted.length >= 10, `only ${quoted.length} messages quoted`);
        assert.ok(quoted.every((message) => message !== ""));
    });

    it("quotes only words the agent writes", () => {
        const missing = quoted.flatMap((message) => fixedParts(message).filter((part) => !logged.includes(part)).map((part) => `${message}: "${part}"`));
        assert.deepEqual(missing, []);
    });

    it("reads the settings' defaults, so a message naming one is matched by its value", () => {
        assert.ok(defaults.some(([name, value]) => name === "PCA_EIC_USER" && value === "ec2-instance-connect"));
    });

    it("splits a message into its fixed parts", () => {
        assert.deepEqual(fixedParts("ERROR: refused the roster (ETag E): generation N is lower than the applied M; nothing changed"), [
            "refused the roster (ETag",
            "is lower than the applied",
        ]);
    });
});
