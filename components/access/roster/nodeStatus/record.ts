/**
 * A node's status record (docs/node-status.md): one small JSON object per node under `status/` in the
 * environment's bucket, written by the node agent after a sync that changed something or failed, and at
 * least hourly. Its key carries the node's instance ARN because that is the one per-instance value IAM
 * substitutes into a grant (`${ec2:SourceInstanceARN}`), so a node can write its own record and no other.
 */
import type { z as Zod } from "zod";

export const STATUS_PREFIX = "status/";

/** The only key a node may write, as the grant names it: IAM puts the requesting instance's ARN in. */
export const OWN_STATUS_KEY = "status/${ec2:SourceInstanceARN}.json";

/** `status/<instance ARN>.json`, the ARN as IAM renders ec2:SourceInstanceARN; the capture is the instance id. */
const STATUS_KEY_RE = /^status\/arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:instance\/(i-[0-9a-f]{8,17})\.json$/;

/**
 * The record's schema, built from the zod module it is given: the wait runs inside a dynamic provider, whose
 * methods are serialized with what they capture, and a built zod schema cannot be (bound methods); zod is
 * imported where the parser is made instead.
 */
function recordSchema(z: typeof Zod) {
    const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "a UTC time, YYYY-MM-DDTHH:MM:SSZ");
    return z.object({
        format: z.literal(1),
        instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/),
        environment: z.string(),
        cluster: z.string(),
        nodeType: z.string(),
        generation: z.number().int().positive().nullable(),
        agentSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
        appliedAt: timestamp.nullable(),
        reportedAt: timestamp,
        lastFailure: z
            .object({ at: timestamp, kind: z.enum(["fetch", "refused", "upgrade", "apply"]), reason: z.string() })
            .nullable(),
    });
}

export type StatusRecord = Zod.infer<ReturnType<typeof recordSchema>>;

/** The instance id a status key names, or undefined when the key is not a status record's. */
export function instanceIdOfKey(key: string): string | undefined {
    return STATUS_KEY_RE.exec(key)?.[1];
}

/** A record, or why it was ignored (a node can only write its own key, so a mismatch is a bug to show, not to trust). */
export type ParsedRecord = { readonly ok: true; readonly record: StatusRecord } | { readonly ok: false; readonly problem: string };

/** A parser of status objects for the environment `environment`: `(key, body)` to a record or the reason it is ignored. */
export async function statusRecordParser(environment: string): Promise<(key: string, body: string) => ParsedRecord> {
    const { z } = await import("zod");
    const schema = recordSchema(z);
    return (key, body) => parseStatusRecord(schema, key, body, environment);
}

function parseStatusRecord(schema: ReturnType<typeof recordSchema>, key: string, body: string, environment: string): ParsedRecord {
    const keyId = instanceIdOfKey(key);
    if (keyId === undefined) {
        return { ok: false, problem: `${key}: not a status key (status/<instance ARN>.json)` };
    }
    let json: unknown;
    try {
        json = JSON.parse(body);
    } catch {
        return { ok: false, problem: `${key}: not JSON` };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { ok: false, problem: `${key}: ${issue.path.join(".") || "record"}: ${issue.message}` };
    }
    if (parsed.data.instanceId !== keyId) {
        return { ok: false, problem: `${key}: its instanceId ${parsed.data.instanceId} is not the key's ${keyId}` };
    }
    if (parsed.data.environment !== environment) {
        return { ok: false, problem: `${key}: environment '${parsed.data.environment}' is not '${environment}'` };
    }
    return { ok: true, record: parsed.data };
}

/** `<kind>: <reason>`, as the status command and the wait print a failure. */
export function failureText(failure: StatusRecord["lastFailure"]): string | null {
    return failure === null ? null : `${failure.kind}: ${failure.reason}`;
}
