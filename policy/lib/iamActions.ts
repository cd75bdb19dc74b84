/** IAM's Action matching, for the policies that read IAM documents the stack writes. */

/** Whether an IAM Action pattern (with `*` and `?` wildcards, any case) covers the action. */
export function actionCovers(pattern: string, action: string): boolean {
    const source = [...pattern.toLowerCase()].map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    return new RegExp(`^${source}$`).test(action.toLowerCase());
}
