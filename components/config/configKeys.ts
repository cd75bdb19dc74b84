/**
 * The stack config's keys as Pulumi hands them over (`namespace:key`): a key under a misspelled namespace
 * (`pcluster_access:users`) or an unknown key of ours would otherwise be ignored without a word, and the
 * environment planned without what it says (no users, say).
 */
import type { ConfigProblem } from "./model";
import { sectionSchemas } from "./schema";

export const CONFIG_NAMESPACE = "pcluster-access";

/** The keys under our namespace: every section but the region, which is `aws:region`. */
export const CONFIG_KEYS: readonly string[] = Object.keys(sectionSchemas).filter((key) => key !== "region");

/** Problems with the config's keys: each names the key as written and the key it should be. */
export function configKeyProblems(keys: readonly string[]): ConfigProblem[] {
    return keys.flatMap((key): ConfigProblem[] => {
        const separator = key.indexOf(":");
        const namespace = key.slice(0, separator);
        const name = key.slice(separator + 1);
        if (namespace === CONFIG_NAMESPACE) {
            return CONFIG_KEYS.includes(name)
                ? []
                : [{ path: key, message: `is not a key of ${CONFIG_NAMESPACE}. Use one of: ${CONFIG_KEYS.map((known) => `${CONFIG_NAMESPACE}:${known}`).join(", ")}.` }];
        }
        if (!looksLikeOurs(namespace)) {
            return [];
        }
        const fix = CONFIG_KEYS.includes(name) ? `${CONFIG_NAMESPACE}:${name}` : `a key under ${CONFIG_NAMESPACE}:`;
        return [{ path: key, message: `is ignored: its namespace is not ${CONFIG_NAMESPACE}. Rename it to ${fix} (pulumi config rm, then pulumi config set --path).` }];
    });
}

/** `pcluster_access`, `PclusterAccess`, `pcluster-acess`: our namespace, mistyped. */
function looksLikeOurs(namespace: string): boolean {
    const plain = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, "");
    return plain(namespace) === plain(CONFIG_NAMESPACE) || editDistance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 2;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
