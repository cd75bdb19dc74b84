/**
 * Reading the IAM policy documents a stack writes (managed, inline and key policies): their statements, and
 * the resources their Allow statements grant for given actions. One reader for every policy that judges them.
 */
import { globMatches } from "./s3";

/** IAM takes a single value or a list in Action, Resource, Principal and Statement alike. */
export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** A policy document's statements (objects only); undefined when the text is not JSON. */
export function policyStatements(document: string): Record<string, unknown>[] | undefined {
    let statements: unknown;
    try {
        statements = (JSON.parse(document) as { Statement?: unknown }).Statement;
    } catch {
        return undefined;
    }
    return asList(statements).filter((statement): statement is Record<string, unknown> => statement !== null && typeof statement === "object");
}

/** The resources (ARN globs) of the Allow statements whose Action covers any of `actions`; none for a document that is not JSON. */
export function allowedResources(document: string, actions: readonly string[]): string[] {
    return (policyStatements(document) ?? []).flatMap(({ Effect, Action, Resource }) => {
        const covers = asList(Action).some((action) => typeof action === "string" && actions.some((wanted) => globMatches(action, wanted)));
        return Effect === "Allow" && covers ? asList(Resource).filter((resource): resource is string => typeof resource === "string") : [];
    });
}
