/**
 * `ts-node scripts/ci/stacks.ts [DIR]`: the stacks CI previews, as a JSON list on stdout (one per
 * Pulumi.<stack>.yaml in DIR, default the repository), leaving out each stack whose file sets
 * `pcluster-access:ci` to `{preview: false}` (said on stderr, with the reason). Read with the plan's own
 * reader (Pulumi's rules for keys and namespaces), so a misspelled key is not silently taken as "preview".
 * Exit 2 when a stack file cannot be read or its `ci` is not `{preview: true|false}`.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { readStackConfig, StackConfigFileError } from "../offline/stackConfig";
import { CONFIG_NAMESPACE } from "../../components/config/configKeys";

export interface CiStacks {
    readonly preview: readonly string[];
    readonly skipped: readonly string[];
}

export function ciStacks(dir: string): CiStacks {
    const preview: string[] = [];
    const skipped: string[] = [];
    const files = readdirSync(dir).filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file)).sort();
    for (const file of files) {
        const stack = file.slice("Pulumi.".length, -".yaml".length);
        const { config } = readStackConfig(path.join(dir, "Pulumi.yaml"), path.join(dir, file));
        const raw = config[`${CONFIG_NAMESPACE}:ci`];
        const ci = raw === undefined ? {} : (JSON.parse(raw) as { preview?: unknown } | null);
        if (ci === null || typeof ci !== "object" || Array.isArray(ci) || !(ci.preview === undefined || typeof ci.preview === "boolean") || Object.keys(ci).some((key) => key !== "preview")) {
            throw new StackConfigFileError(`${file}: ${CONFIG_NAMESPACE}:ci must be {preview: true} or {preview: false} (got ${raw}).`);
        }
        (ci.preview === false ? skipped : preview).push(stack);
    }
    return { preview, skipped };
}

if (require.main === module) {
    try {
        const { preview, skipped } = ciStacks(process.argv[2] ?? path.join(__dirname, "..", ".."));
        for (const stack of skipped) {
            process.stderr.write(`${stack}: not previewed (${CONFIG_NAMESPACE}:ci preview: false in Pulumi.${stack}.yaml)\n`);
        }
        process.stdout.write(`${JSON.stringify(preview)}\n`);
    } catch (error) {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
    }
}
