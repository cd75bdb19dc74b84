/** IAM's Action matching, for the policies that read IAM documents the stack writes. */

/** Whether an IAM Action pattern (with `*` and `?` wildcards, any case) covers the action. */
export function actionCovers(pattern: string, action: string): boolean {
    const source = [...pattern.toLowerCase()].map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    return new RegExp(`^${source}$`).test(action.toLowerCase());
}

/**
 * Whether a policy statement applies to `action`: its Action covers it, or it has a NotAction that does
 * not (IAM applies a NotAction statement to every action it does not list).
 */
export function statementCovers(statement: { readonly Action?: unknown; readonly NotAction?: unknown }, action: string): boolean {
    const listed = (patterns: unknown) => (Array.isArray(patterns) ? patterns : [patterns]).some((pattern) => typeof pattern === "string" && actionCovers(pattern, action));
    return statement.NotAction !== undefined ? !listed(statement.NotAction) : listed(statement.Action);
}
