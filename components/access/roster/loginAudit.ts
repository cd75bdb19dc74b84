/**
 * The login audit trail's program half: saved CloudWatch Logs Insights queries over what the nodes ship
 * to the cluster's log group (the node agent adds the streams `{hostname}.{instance_id}.sshd-auth`, sshd's
 * authentication log, and `{hostname}.{instance_id}.pcluster-access-roster`, the agent's log, beside
 * ParallelCluster's own: docs/node-scripts.md). sshd logs each login as
 * `Accepted publickey for NAME from ADDR port P ssh2: TYPE SHA256:FP`; the agent logs, once per applied
 * generation, `key SHA256:FP user NAME generation N`; the program's `users` output and the plan's user table
 * give each key's fingerprint beside its IAM user. The queries carry no log group: ParallelCluster names the
 * cluster's group `/aws/parallelcluster/<cluster>-<creation time>`, which the program cannot know before the
 * cluster exists, so the administrator picks it when running one (their names group them per environment).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Logs Insights regexes (RE2 with named groups; the same text is a JavaScript RegExp, which the tests run on real lines). */
export const PATTERNS = {
    /** sshd's line for a public-key login. */
    acceptedLogin: String.raw`Accepted publickey for (?<user>\S+) from (?<address>\S+) port (?<port>\d+) ssh2: (?<keyType>\S+) (?<fingerprint>SHA256:[A-Za-z0-9+\/]+)`,
    /** The agent's key line. */
    keyOwner: String.raw`key (?<fingerprint>SHA256:[A-Za-z0-9+\/]+) user (?<user>\S+) generation (?<generation>\d+)`,
    /** The agent's refusal (logged and sent to syslog as auth.err). */
    refusal: String.raw`refused the roster \(ETag (?<etag>[^)]*)\): (?<reason>.*); nothing changed`,
    /** The instance id in a stream name `{hostname}.{instance_id}.NAME` (a hostname may hold dots). */
    streamInstance: String.raw`\.(?<instanceId>i-[0-9a-f]+)\.[a-z-]+$`,
} as const;

/** Each saved query: the last part of its name and its text. */
export const QUERIES: readonly { readonly name: string; readonly query: string }[] = [
    {
        name: "logins by user and key",
        query: [
            "fields @timestamp, @message, @logStream",
            "| filter @logStream like /\\.sshd-auth$/ and @message like /Accepted publickey for /",
            `| parse @message /${PATTERNS.acceptedLogin}/`,
            `| parse @logStream /${PATTERNS.streamInstance}/`,
            "| stats count(*) as logins, earliest(@timestamp) as firstLogin, latest(@timestamp) as lastLogin by user, fingerprint, address, instanceId",
            "| sort lastLogin desc",
        ].join("\n"),
    },
    {
        name: "key owners by generation",
        query: [
            "fields @timestamp, @message, @logStream",
            "| filter @logStream like /\\.pcluster-access-roster$/ and @message like / key SHA256:/",
            `| parse @message /${PATTERNS.keyOwner}/`,
            "| stats latest(user) as owner, max(generation) as lastGeneration by fingerprint",
            "| sort owner asc",
        ].join("\n"),
    },
    {
        name: "roster refusals by node",
        query: [
            "fields @timestamp, @message, @logStream",
            "| filter @logStream like /\\.pcluster-access-roster$/ and @message like /refused the roster/",
            `| parse @message /${PATTERNS.refusal}/`,
            `| parse @logStream /${PATTERNS.streamInstance}/`,
            "| stats count(*) as refusals, latest(reason) as lastReason, latest(@timestamp) as lastRefusal by instanceId",
            "| sort refusals desc",
        ].join("\n"),
    },
];

/** Saved queries named `pcluster-access/<environment>/<query>` (the console shows them in that folder). */
export function loginAuditQueries(name: string, environment: string, parent: pulumi.Resource): aws.cloudwatch.QueryDefinition[] {
    return QUERIES.map(
        (query) =>
            new aws.cloudwatch.QueryDefinition(`${name}-${query.name.replace(/ /g, "-")}`, { name: `pcluster-access/${environment}/${query.name}`, queryString: query.query }, { parent }),
    );
}
