/**
 * The access backend choice and the roster backend's rules: which backend's settings may be given, the
 * sync interval, the UID/GID range, project groups and each user's explicit UID and groups. Like
 * rules.ts, every rule reports the key path and the fix, and all problems are reported together.
 */
import type { AccessSettings, GroupSettings, OpsWorksSettings, RosterSettings, UserSettings } from "./model";
import { ID_CEILING, ID_FLOOR, ROSTER_DEFAULTS } from "./rosterDefaults";
import type { RawSections, RawUser } from "./schema";
import { RESERVED_USERNAMES, SSH_USERNAME_PATTERN, SSH_USERNAME_RULE } from "./sshUsername";
import type { ProblemSink } from "./problems";

/** Groups every supported image has already: a project group of that name would take them over. */
const SYSTEM_GROUPS: ReadonlySet<string> = new Set(["wheel", "sudo", "users", "staff", "docker", "video", "audio", "disk", "kmem", "tty", "utmp", "input", "render", "systemd-journal", "pcluster-slurm-share"]);

/** Which keys the stack config actually set (a schema default does not count as set). */
export interface GivenKeys {
    readonly opsworks: boolean;
    readonly roster: boolean;
    /** pcluster-access:users lists at least one user. */
    readonly users?: boolean;
}

export function resolveAccess(
    backend: "roster" | "opsworks",
    given: GivenKeys,
    opsworks: OpsWorksSettings | undefined,
    roster: RosterSettings | undefined,
    sink: ProblemSink,
    /** access.pool: the pool stack this stack subscribes to. */
    pool?: string,
): AccessSettings | undefined {
    if (pool !== undefined) {
        // The pool keeps the users, groups, UIDs and signing key: a copy here is what the pool exists to end.
        if (backend === "opsworks") {
            sink.report("access.pool", "subscribes to a pool of the roster backend, but access.backend is opsworks. Set access.backend: roster, or remove pool (several OpsWorks clusters share users through opsworks.existingStackId).");
        }
        for (const key of ["roster", "opsworks", "users"] as const) {
            if (given[key]) {
                sink.report(key, `is given, but this stack subscribes to the pool ${pool} (access.pool), which keeps the users, project groups and the signing key. Remove pcluster-access:${key}; change them in the pool stack's config.`);
            }
        }
        return backend === "opsworks" ? undefined : { backend: "pool", pool };
    }
    if (backend === "roster" && given.opsworks) {
        sink.report(
            "opsworks",
            "is the OpsWorks backend's settings, but access.backend is roster (the default). " +
                "Remove pcluster-access:opsworks, or set pcluster-access:access to {backend: opsworks}.",
        );
    }
    if (backend === "opsworks" && given.roster) {
        sink.report(
            "roster",
            "is the roster backend's settings, but access.backend is opsworks. " +
                "Remove pcluster-access:roster, or set pcluster-access:access to {backend: roster}.",
        );
    }
    if (backend === "opsworks") {
        return opsworks && { backend, opsworks };
    }
    return roster && { backend, roster };
}

export function resolveRoster(raw: RawSections["roster"], sink: ProblemSink): RosterSettings {
    const { syncIntervalSeconds, uidRange, signingKeyVersion, signers } = raw;
    signers.forEach((signer, s) => {
        // A role or user of IAM (a key policy names no session and no group); never one of ParallelCluster's node roles.
        if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(signer)) {
            sink.report(`roster.signers[${s}]`, `'${signer}' is not an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME). Give the role that runs pulumi up, not its session (sts:...assumed-role) nor a group.`);
        } else if (signer.includes(":role/parallelcluster/")) {
            sink.report(`roster.signers[${s}]`, `'${signer}' is a ParallelCluster node role: a node that can sign decides who logs in on every node. Give the roles that deploy the environment.`);
        }
    });
    if (signingKeyVersion < 1) {
        sink.report("roster.signingKeyVersion", `${signingKeyVersion} is not a key version: versions count from 1 (the default), and raising it by one rotates the signing key.`);
    }
    if (syncIntervalSeconds < 60 || syncIntervalSeconds > 3600 || syncIntervalSeconds % 60 !== 0) {
        sink.report(
            "roster.syncIntervalSeconds",
            `${syncIntervalSeconds} is not a sync interval the node agent can keep: it runs from cron, so use a multiple of 60 from 60 to 3600 (default 60).`,
        );
    }
    if (uidRange.first < ID_FLOOR) {
        sink.report(
            "roster.uidRange.first",
            `${uidRange.first} is below ${ID_FLOOR}: lower numbers belong to system accounts and ParallelCluster's own service accounts (400 and up). ` +
                `Use ${ID_FLOOR} or more (default ${ROSTER_DEFAULTS.uidRange.first}).`,
        );
    }
    if (uidRange.last > ID_CEILING) {
        sink.report("roster.uidRange.last", `${uidRange.last} is above ${ID_CEILING} (useradd's UID_MAX). Use ${ID_CEILING} or less.`);
    }
    if (uidRange.first > uidRange.last) {
        sink.report("roster.uidRange", `first (${uidRange.first}) is above last (${uidRange.last}). Swap them.`);
    }
    const byName = new Map<string, number>();
    const byGid = new Map<number, number>();
    const groups = raw.groups.map((group, g): GroupSettings | undefined => {
        if (group === undefined) {
            return undefined;
        }
        const path = `roster.groups[${g}]`;
        if (!SSH_USERNAME_PATTERN.test(group.name)) {
            sink.report(`${path}.name`, `'${group.name}' is not a valid group name (${SSH_USERNAME_RULE}).`);
        } else if (RESERVED_USERNAMES.has(group.name) || SYSTEM_GROUPS.has(group.name)) {
            sink.report(`${path}.name`, `'${group.name}' is a group or account the cluster's images already have. Choose another name.`);
        }
        const first = byName.get(group.name);
        if (first !== undefined) {
            sink.report(`${path}.name`, `group '${group.name}' is already roster.groups[${first}]. List each group once.`);
        } else {
            byName.set(group.name, g);
        }
        if (group.gid !== undefined) {
            checkId(`${path}.gid`, group.gid, sink);
            const owner = byGid.get(group.gid);
            if (owner !== undefined) {
                sink.report(`${path}.gid`, `${group.gid} is already the gid of roster.groups[${owner}]. Give each group its own gid, or leave gid out to have one allocated.`);
            } else {
                byGid.set(group.gid, g);
            }
        }
        return group.gid === undefined ? { name: group.name } : { name: group.name, gid: group.gid };
    });
    return {
        syncIntervalSeconds,
        uidRange: { first: uidRange.first, last: uidRange.last },
        groups: groups.filter((group) => group !== undefined),
        instanceConnect: raw.instanceConnect,
        signingKeyVersion,
        signers: [...signers],
    };
}

function checkId(path: string, id: number, sink: ProblemSink): void {
    if (id < ID_FLOOR || id > ID_CEILING) {
        sink.report(
            path,
            `${id} is outside ${ID_FLOOR}-${ID_CEILING}: lower numbers belong to system accounts and ParallelCluster's service accounts, higher ones to nobody and to ranges useradd does not hand out. Choose a number in that range, or leave it out to have one allocated.`,
        );
    }
}

/**
 * The users' roster settings against the backend and the groups: `uid` and `groups` are roster settings;
 * groups must exist; a user's own group (named like the user, GID = UID) must not clash with a project group.
 */
export function checkRosterUsers(users: readonly (UserSettings | undefined)[], access: AccessSettings | undefined, sink: ProblemSink): void {
    if (access === undefined) {
        return;
    }
    if (access.backend === "pool") {
        return;
    }
    if (access.backend === "opsworks") {
        users.forEach((user, i) => {
            for (const key of ["uid", "groups"] as const) {
                if (user !== undefined && (key === "uid" ? user.uid !== undefined : user.groups.length > 0)) {
                    sink.report(
                        `users[${i}].${key}`,
                        "is a roster backend setting, but access.backend is opsworks (the OpsWorks agent picks UIDs and has no project groups). " +
                            "Remove it, or set pcluster-access:access to {backend: roster}.",
                    );
                }
            }
        });
        return;
    }
    const groups = new Map(access.roster.groups.map((group) => [group.name, group]));
    const byUid = new Map<number, number>();
    users.forEach((user, i) => {
        if (user === undefined) {
            return;
        }
        const path = `users[${i}]`;
        if (user.uid !== undefined) {
            checkId(`${path}.uid`, user.uid, sink);
            const owner = byUid.get(user.uid);
            if (owner !== undefined) {
                sink.report(`${path}.uid`, `${user.uid} is already the uid of users[${owner}]. Give each user their own uid, or leave uid out to have one allocated.`);
            } else {
                byUid.set(user.uid, i);
            }
            const group = access.roster.groups.findIndex((candidate) => candidate.gid === user.uid);
            if (group >= 0) {
                sink.report(
                    `${path}.uid`,
                    `${user.uid} is the gid of roster.groups[${group}], and a user's own group takes the uid as its gid. Choose another uid or gid.`,
                );
            }
        }
        const group = access.roster.groups.findIndex((candidate) => candidate.name === user.sshUsername);
        if (group >= 0) {
            sink.report(
                `roster.groups[${group}].name`,
                `'${user.sshUsername}' is the own group of ${path} (every user gets a group named like them). Rename the project group.`,
            );
        }
        const seen = new Set<string>();
        user.groups.forEach((name, g) => {
            if (!groups.has(name)) {
                const known = [...groups.keys()];
                sink.report(
                    `${path}.groups[${g}]`,
                    `'${name}' is not a project group. Add {name: ${name}} to roster.groups` + (known.length > 0 ? `, or use one of: ${known.join(", ")}.` : "."),
                );
            } else if (seen.has(name)) {
                sink.report(`${path}.groups[${g}]`, `'${name}' is listed twice. List each group once.`);
            }
            seen.add(name);
        });
    });
}

const TO_ROSTER = "or set pcluster-access:access to {backend: roster}";

/**
 * Several keys, expiry dates and EC2 Instance Connect (issue 16) against the backend: an OpsWorks user
 * profile holds exactly one key (its SshPublicKey) and nothing can end it on a date, and Instance Connect is
 * the roster's; on the roster, a user can opt out of Instance Connect but not in when the roster has it off.
 */
export function checkLoginSettings(users: readonly (RawUser | undefined)[], access: AccessSettings | undefined, sink: ProblemSink): void {
    if (access === undefined || access.backend === "pool") {
        return;
    }
    users.forEach((user, i) => {
        if (user === undefined) {
            return;
        }
        const path = `users[${i}]`;
        if (access.backend === "roster") {
            if (user.instanceConnect === true && !access.roster.instanceConnect) {
                sink.report(`${path}.instanceConnect`, "is true, but roster.instanceConnect is off (the default). Set roster.instanceConnect: true (then every allowed user has it unless they set instanceConnect: false), or remove this key.");
            }
            return;
        }
        const keys = user.sshPublicKeys ?? [];
        if (keys.length > 1) {
            sink.report(
                `${path}.sshPublicKeys`,
                `lists ${keys.length} keys, but the OpsWorks backend gives each user one: an OpsWorks user profile holds a single SshPublicKey. Keep one key (sshPublicKey: <line>), ${TO_ROSTER}, which takes up to 10.`,
            );
        }
        keys.forEach((key, k) => {
            if (key.expires !== undefined) {
                sink.report(`${path}.sshPublicKeys[${k}].expires`, `is a roster backend setting: OpsWorks cannot end a key on a date. Remove it, ${TO_ROSTER}.`);
            }
        });
        if (user.expires !== undefined) {
            sink.report(`${path}.expires`, `is a roster backend setting: OpsWorks cannot end a user's access on a date (set access: blocked when it ends). Remove it, ${TO_ROSTER}.`);
        }
        if (user.instanceConnect !== undefined) {
            sink.report(`${path}.instanceConnect`, `is a roster backend setting: EC2 Instance Connect is granted by the roster backend only. Remove it, ${TO_ROSTER} with roster.instanceConnect: true.`);
        }
    });
}
