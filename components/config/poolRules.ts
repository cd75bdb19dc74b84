/**
 * A pool stack's config (pcluster-access:pool with users and roster, and no cluster): the users, project
 * groups, UID/GID range and signing key every subscribed cluster shares, and per cluster who may log in and
 * who has sudo, by IAM user name or project group. Every problem names its key path and the fix.
 */
import type { z } from "zod";
import type { ConfigProblem, PoolClusterSettings, PoolConfig, RosterSettings, UserSettings } from "./model";
import { CLUSTER_NAME_MAX_LENGTH, CLUSTER_NAME_PATTERN } from "./parallelClusterRules";
import type { ProblemSink, Report } from "./problems";
import { checkRosterUsers, resolveRoster } from "./rosterRules";
import { resolveUsers } from "./rules";
import { itemSchemas, sectionSchemas } from "./schema";

export type PoolParseResult =
    | { readonly ok: true; readonly config: PoolConfig; readonly warnings: readonly ConfigProblem[] }
    | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Keys a pool stack must not set: it owns no cluster and no backend choice. */
const NOT_IN_A_POOL = ["cluster", "network", "access", "opsworks"] as const;

export function parsePoolConfig(
    input: { readonly [key: string]: unknown },
    parse: <T>(schema: z.ZodType<T>, value: unknown, path: string) => T | undefined,
    sink: ProblemSink,
): PoolConfig | undefined {
    const { report } = sink;
    for (const key of NOT_IN_A_POOL) {
        if (input[key] !== undefined) {
            report(
                key,
                `is given in a pool stack (pcluster-access:pool), which keeps users and no cluster. Remove pcluster-access:${key}, and put the cluster in a stack of its own ` +
                    "that subscribes with pcluster-access:access: {backend: roster, pool: <organization/project/this stack>}.",
            );
        }
    }
    const region = parse(sectionSchemas.region, input.region, "aws:region");
    const pool = parse(sectionSchemas.pool, input.pool, "pool");
    const rawRoster = parse(sectionSchemas.roster, input.roster, "roster");
    const rawGroups = (input.roster as { groups?: unknown } | undefined)?.groups;
    const groups = (Array.isArray(rawGroups) ? rawGroups : []).map((group, g) => parse(itemSchemas.group, group, `roster.groups[${g}]`));
    const roster = rawRoster && resolveRoster({ ...rawRoster, groups }, sink);
    if (roster?.instanceConnect) {
        report("roster.instanceConnect", "is not available in a pool yet: each cluster's Instance Connect endpoint and grants belong to its own stack. Remove it (default false).");
    }
    const rawUsers = parse(sectionSchemas.users, input.users, "users");
    const parsedUsers = rawUsers?.map((user, i) => parse(itemSchemas.user, user, `users[${i}]`));
    const users = parsedUsers && resolveUsers(parsedUsers, undefined, sink, false);
    if (users && roster) {
        checkRosterUsers(users, { backend: "roster", roster }, sink);
    }
    parsedUsers?.forEach((user, i) => {
        if (user?.sudo === true) {
            report(`users[${i}].sudo`, `is per cluster in a pool. Remove it, and list ${user.iamUser} under pool.clusters.<name>.sudo.users (or one of their groups under sudo.groups).`);
        }
        if (user?.instanceConnect !== undefined) {
            report(`users[${i}].instanceConnect`, "is not available in a pool yet (see roster.instanceConnect). Remove it.");
        }
    });
    if (!region || !pool || !roster || !users) {
        return undefined;
    }
    const clusters = resolvePoolClusters(pool, region, users, roster, report);
    return { region, roster, users: users.filter((user) => user !== undefined), clusters };
}

function resolvePoolClusters(
    pool: NonNullable<z.output<typeof sectionSchemas.pool>>,
    region: string,
    users: readonly (UserSettings | undefined)[],
    roster: RosterSettings,
    report: Report,
): PoolClusterSettings[] {
    const names = Object.keys(pool.clusters);
    if (names.length === 0) {
        report("pool.clusters", "lists no cluster. Add one per subscribed cluster stack, by its cluster.name: {cpu: {users: [alice]}}.");
    }
    const known = users.filter((user) => user !== undefined);
    const byName = new Map(known.map((user) => [user.iamUserName, user]));
    const groupNames = new Set(roster.groups.map((group) => group.name));
    return names.map((name): PoolClusterSettings => {
        const cluster = pool.clusters[name];
        const path = `pool.clusters.${name}`;
        if (!CLUSTER_NAME_PATTERN.test(name) || name.length > CLUSTER_NAME_MAX_LENGTH) {
            report(path, `'${name}' is not a valid cluster name: letters, digits and '-', starting with a letter, at most ${CLUSTER_NAME_MAX_LENGTH} characters. Use the subscribing stack's cluster.name.`);
        }
        const checkUsers = (list: readonly string[], at: string) =>
            list.forEach((user, u) => {
                if (!byName.has(user)) {
                    report(`${at}[${u}]`, `'${user}' is not a user of this pool. Add them to pcluster-access:users, or use one of: ${[...byName.keys()].join(", ") || "(none yet)"}.`);
                }
            });
        const checkGroups = (list: readonly string[], at: string) =>
            list.forEach((group, g) => {
                if (!groupNames.has(group)) {
                    report(`${at}[${g}]`, `'${group}' is not a project group. Add {name: ${group}} to roster.groups, or use one of: ${[...groupNames].join(", ") || "(none yet)"}.`);
                }
            });
        checkUsers(cluster.users, `${path}.users`);
        checkGroups(cluster.groups, `${path}.groups`);
        checkUsers(cluster.sudo.users, `${path}.sudo.users`);
        checkGroups(cluster.sudo.groups, `${path}.sudo.groups`);
        const member = (user: UserSettings, listed: readonly string[], groups: readonly string[]) => listed.includes(user.iamUserName) || user.groups.some((group) => groups.includes(group));
        const allowed = known.filter((user) => member(user, cluster.users, cluster.groups)).map((user) => user.iamUserName);
        const sudo = known.filter((user) => member(user, cluster.sudo.users, cluster.sudo.groups)).map((user) => user.iamUserName);
        sudo.filter((user) => !allowed.includes(user)).forEach((user) =>
            report(`${path}.sudo`, `gives ${user} sudo, but ${user} may not log in on ${name}. Add them to ${path}.users (or one of their groups to ${path}.groups), or remove the sudo.`),
        );
        return { name, region: cluster.region ?? region, ...(cluster.account === undefined ? {} : { account: cluster.account }), allowed, sudo };
    });
}
