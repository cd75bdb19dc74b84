/**
 * A small evaluator of identity-policy Allow statements, for the Instance Connect tests: moto stores
 * IAM policies and refuses malformed ones (unknown condition operators included) but evaluates no
 * conditions (moto 5.2.1's access control leaves Resource and Condition out), so what a grant allows
 * is judged here, by IAM's rules for the operators the grants use: Action and Resource with `*`
 * wildcards; StringEquals, NumericEquals, NumericLessThanEquals and DateLessThan, every key of every
 * operator must hold, a key missing from the request fails (docs.aws.amazon.com/IAM/latest/UserGuide/
 * reference_policies_elements_condition_operators.html).
 */

export interface IamRequest {
    readonly action: string;
    readonly resource: string;
    /** Condition context: `ec2:osuser`, `aws:ResourceTag/...`, `aws:CurrentTime`, ... */
    readonly context: Readonly<Record<string, string>>;
}

type Statement = { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };

function wildcard(pattern: string): RegExp {
    return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
}

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function conditionHolds(operator: string, key: string, wanted: string[], context: Readonly<Record<string, string>>): boolean {
    const actual = context[key];
    if (actual === undefined) {
        return false;
    }
    switch (operator) {
        case "StringEquals":
            return wanted.includes(actual);
        case "NumericEquals":
            return wanted.some((value) => Number(actual) === Number(value));
        case "NumericLessThanEquals":
            return wanted.some((value) => Number(actual) <= Number(value));
        case "DateLessThan":
            return wanted.some((value) => Date.parse(actual) < Date.parse(value));
        default:
            throw new Error(`the test evaluator does not know the condition operator ${operator}`);
    }
}

/** Whether some Allow statement of the document allows the request (no Deny statements are used). */
export function allows(document: { Statement: Statement[] }, request: IamRequest): boolean {
    return document.Statement.some(
        (statement) =>
            statement.Effect === "Allow" &&
            list(statement.Action).some((action) => wildcard(action).test(request.action)) &&
            list(statement.Resource).some((resource) => wildcard(resource).test(request.resource)) &&
            Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
                Object.entries(keys).every(([key, wanted]) => conditionHolds(operator, key, list(wanted), request.context)),
            ),
    );
}
