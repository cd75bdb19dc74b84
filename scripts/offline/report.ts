/**
 * The plan's printed report: resource counts by type, the component tree (long runs of siblings of one
 * type folded, so a 1,000-user roster stays readable), the user table (with the roster backend's UIDs
 * and groups), the policy report and the program's diagnostics.
 */
import type { UserRow } from "../../components/access/userRow";
import type { Diagnostic, RegisteredResource } from "./runProgram";

/** Siblings of one type shown before the rest are folded into one line. */
const SHOWN_SIBLINGS = 4;

function resourceCounts(resources: readonly RegisteredResource[]): [type: string, count: number][] {
    const counts = new Map<string, number>();
    for (const resource of resources) {
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    }
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

export function formatCounts(resources: readonly RegisteredResource[]): string {
    const rows = resourceCounts(resources);
    const width = Math.max(...rows.map(([, count]) => String(count).length));
    return rows.map(([type, count]) => `  ${String(count).padStart(width)}  ${type}`).join("\n");
}

export function formatTree(resources: readonly RegisteredResource[]): string {
    const children = new Map<string | undefined, RegisteredResource[]>();
    for (const resource of resources) {
        const siblings = children.get(resource.parent) ?? [];
        siblings.push(resource);
        children.set(resource.parent, siblings);
    }
    const lines: string[] = [];
    const walk = (resource: RegisteredResource, prefix: string, childPrefix: string) => {
        lines.push(`${prefix}${resource.type} ${resource.name}`);
        const kids = [...(children.get(resource.urn) ?? [])].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
        const shown = foldSiblings(kids);
        shown.forEach((kid, i) => {
            const last = i === shown.length - 1;
            if (typeof kid === "string") {
                lines.push(`${childPrefix}${last ? "└─ " : "├─ "}${kid}`);
            } else {
                walk(kid, `${childPrefix}${last ? "└─ " : "├─ "}`, `${childPrefix}${last ? "   " : "│  "}`);
            }
        });
    };
    for (const root of children.get(undefined) ?? []) {
        walk(root, "", "");
    }
    return lines.join("\n");
}

/** Keeps the first few children of each type and replaces the rest with one "... N more" line. */
function foldSiblings(kids: readonly RegisteredResource[]): (RegisteredResource | string)[] {
    const seen = new Map<string, number>();
    const result: (RegisteredResource | string)[] = [];
    for (const kid of kids) {
        const count = (seen.get(kid.type) ?? 0) + 1;
        seen.set(kid.type, count);
        if (count <= SHOWN_SIBLINGS) {
            result.push(kid);
        }
    }
    for (const [type, count] of seen) {
        if (count > SHOWN_SIBLINGS) {
            result.push(`… ${count - SHOWN_SIBLINGS} more ${type}`);
        }
    }
    return result;
}

/**
 * The user table. A user whose end date has passed (on or before `today`, UTC) shows as expired, whatever
 * the config's access says; each key's end date shows beside the key count.
 */
export function formatUsers(rows: readonly UserRow[], today: string = new Date().toISOString().slice(0, 10)): string {
    if (rows.length === 0) {
        return "  (no users)";
    }
    // The roster backend's allocation (UID = own group's GID, project groups) when it gave one.
    const roster = rows.some((row) => row.uid !== undefined);
    // A pool's table: one column per subscribed cluster, saying who may log in there (and with sudo).
    const clusters = [...new Set(rows.flatMap((row) => Object.keys(row.clusters ?? {})))];
    const header = ["IAM user", "SSH username", ...(roster ? ["UID"] : []), "ssh", "sudo", "access", ...clusters.map((name) => `on ${name}`), ...(roster ? ["expires", "keys", "instance connect", "groups"] : [])];
    const cells = rows.map((row) => [
        row.iamUser,
        row.sshUsername,
        ...(roster ? [row.uid === undefined ? "-" : String(row.uid)] : []),
        yesNo(row.ssh),
        yesNo(row.sudo),
        row.access === "allowed" && row.expires !== undefined && row.expires <= today ? "expired" : row.access,
        ...clusters.map((name) => {
            const here = row.clusters?.[name];
            return here === undefined ? "-" : here.sudo ? `${here.access}+sudo` : here.access;
        }),
        ...(roster
            ? [row.expires ?? "-", keyCell(row.keyExpires ?? []), yesNo(row.instanceConnect === true), row.groups?.length ? row.groups.join(",") : "-"]
            : []),
    ]);
    const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i].length)));
    const line = (values: string[]) => `  ${values.map((value, i) => value.padEnd(widths[i])).join("  ")}`.trimEnd();
    return [line(header), ...cells.map(line)].join("\n");
}

/** `2`, or `3 (2027-06-30, 2028-01-31)` when some keys have an end date. */
function keyCell(expires: readonly (string | null)[]): string {
    const dates = expires.filter((date) => date !== null);
    return dates.length === 0 ? String(expires.length) : `${expires.length} (${dates.join(", ")})`;
}

function yesNo(value: boolean): string {
    return value ? "yes" : "no";
}

/** One line per diagnostic, as `pulumi preview` prints them: `warning: cluster.os: ...`. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
    return diagnostics.map((diagnostic) => `  ${diagnostic.severity}: ${diagnostic.message}`).join("\n");
}
