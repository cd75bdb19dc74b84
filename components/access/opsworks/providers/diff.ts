/**
 * `diff` for the OpsWorks providers, decided locally with no API call: which inputs replace the
 * resource, and whether any input that is updated in place changed.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * True when two values differ, comparing objects (retry, configurationManager) by content: key order
 * is not kept through Pulumi's state, so it must not count.
 */
export function changed(a: unknown, b: unknown): boolean {
    return canonical(a) !== canonical(b);
}

function canonical(value: unknown): string {
    if (value === undefined || value === null) {
        return "null";
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        return JSON.stringify(value);
    }
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
}

/** Compares `olds` (outputs) with `news` (checked inputs) over the given properties. */
export function diffByProperty<T extends object>(
    olds: T,
    news: T,
    replacedBy: readonly (keyof T & string)[],
    updatedInPlace: readonly (keyof T & string)[],
    changedElsewhere = false,
): pulumi.dynamic.DiffResult {
    const replaces = replacedBy.filter((key) => changed(olds[key], news[key]));
    const updates = updatedInPlace.filter((key) => changed(olds[key], news[key]));
    return { changes: replaces.length + updates.length > 0 || changedElsewhere, replaces, deleteBeforeReplace: false };
}
