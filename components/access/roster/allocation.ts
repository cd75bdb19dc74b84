/**
 * UIDs and GIDs that never move. A pure function from the previous allocation and what the config asks
 * for now to the new allocation: a user keeps their number for the life of the environment (keyed by
 * IAM user name, so adding, removing, reordering or renaming other users changes nothing), a number
 * once given is never given to anyone else (a removed user's UID and a removed group's GID are retired,
 * and come back only to the same user or group), and an explicit number wins. Files on shared storage
 * (FSx, EFS, NFS /home) are owned by numbers, so a number that moved would hand someone else's files over.
 *
 * One number space serves users and project groups: a user's UID is also the GID of their own group,
 * so no project group may take it.
 */

export interface IdRange {
    readonly first: number;
    readonly last: number;
}

export interface UserRequest {
    /** The IAM user name: the stable key. */
    readonly key: string;
    /** The login name (kept with a retired number, for the document's tombstone). */
    readonly name: string;
    /** Explicit `uid` from the config. */
    readonly uid?: number;
    /**
     * The number another environment of the account gave this IAM user (its `pcluster-access:uid` tag),
     * so environments that share storage agree.
     */
    readonly pinned?: number;
}

export interface GroupRequest {
    readonly name: string;
    readonly gid?: number;
}

export interface AllocationRequest {
    readonly range: IdRange;
    readonly users: readonly UserRequest[];
    readonly groups: readonly GroupRequest[];
}

export interface AllocatedUser {
    readonly uid: number;
    readonly name: string;
}

/** Plain JSON: it lives in the Roster resource's state. */
export interface Allocation {
    /** IAM user name to UID (= own group's GID) and login name, for users in the config. */
    readonly users: Readonly<Record<string, AllocatedUser>>;
    /** Project group name to GID, for groups in the config. */
    readonly groups: Readonly<Record<string, number>>;
    /** Users and groups that left the config: their numbers stay theirs. */
    readonly retiredUsers: Readonly<Record<string, AllocatedUser>>;
    readonly retiredGroups: Readonly<Record<string, number>>;
    /** Numbers a user or group once had and no longer holds (an explicit uid replaced them): never reused. */
    readonly retiredNumbers: readonly number[];
}

export const EMPTY_ALLOCATION: Allocation = { users: {}, groups: {}, retiredUsers: {}, retiredGroups: {}, retiredNumbers: [] };

export type AllocationResult = { readonly ok: true; readonly allocation: Allocation } | { readonly ok: false; readonly problems: readonly string[] };

/** What holds a number, for messages. */
type Holder = string;

export function allocate(previous: Allocation | undefined, request: AllocationRequest): AllocationResult {
    const prior = previous ?? EMPTY_ALLOCATION;
    const problems: string[] = [];
    const holders = new Map<number, Holder>();
    const retiredNumbers = new Set<number>(prior.retiredNumbers);

    // Every number ever given stays reserved for its holder, whether or not it is still in the config.
    const reserve = (id: number, holder: Holder) => {
        if (!holders.has(id)) {
            holders.set(id, holder);
        }
    };
    const userHolder = (key: string) => `user ${key}`;
    const groupHolder = (name: string) => `group ${name}`;
    for (const [key, user] of Object.entries({ ...prior.retiredUsers, ...prior.users })) {
        reserve(user.uid, userHolder(key));
    }
    for (const [name, gid] of Object.entries({ ...prior.retiredGroups, ...prior.groups })) {
        reserve(gid, groupHolder(name));
    }

    const users: Record<string, AllocatedUser> = {};
    const groups: Record<string, number> = {};
    const taken = new Map<number, Holder>();
    /** Where a wanted number comes from: the config, another environment's tag, or this environment's state. */
    type Source = "uid" | "gid" | "tag" | "kept";
    const claim = (id: number, holder: Holder, source: Source): boolean => {
        const current = taken.get(id);
        const owner = holders.get(id);
        let clash: string | undefined;
        if (current !== undefined && current !== holder) {
            clash = `already ${current}'s`;
        } else if (owner !== undefined && owner !== holder) {
            clash = `${owner}'s number in this environment (kept for good, even after they left: files on shared storage carry it)`;
        } else if (owner === undefined && retiredNumbers.has(id)) {
            clash = "a number this environment retired";
        }
        if (clash === undefined) {
            taken.set(id, holder);
            return true;
        }
        if (source === "tag") {
            problems.push(
                `${holder}: the IAM user's pcluster-access:uid tag says ${id} (the number another environment of this account gave them), but here ${id} is ${clash}. ` +
                    "Environments that share storage must agree on every number: give the holder here the same number it has there, or deploy these environments on storage they do not share.",
            );
        } else {
            problems.push(`${holder}: ${source === "kept" ? "its kept number" : source} ${id} is ${clash}. Choose another number, or leave it out to have one allocated.`);
        }
        return false;
    };

    const pending: (() => void)[] = [];
    /** A new number for `holder`, handed out once every explicit and kept number is claimed. */
    const later = (holder: Holder, give: (id: number) => void) =>
        pending.push(() => {
            const id = nextFree(request.range, holders, taken, retiredNumbers);
            if (id === undefined) {
                problems.push(`${holder}: roster.uidRange ${request.range.first}-${request.range.last} has no free number left. Widen roster.uidRange.`);
            } else {
                taken.set(id, holder);
                give(id);
            }
        });
    for (const user of request.users) {
        const holder = userHolder(user.key);
        const kept = prior.users[user.key] ?? prior.retiredUsers[user.key];
        if (user.uid !== undefined && user.pinned !== undefined && user.uid !== user.pinned) {
            problems.push(
                `${holder}: the config gives uid ${user.uid}, but the IAM user's pcluster-access:uid tag says ${user.pinned} (the number another environment of this account gave them). ` +
                    `Set uid: ${user.pinned}, so both environments agree on who owns their files.`,
            );
            continue;
        }
        const wanted = user.uid ?? user.pinned;
        if (wanted !== undefined) {
            if (claim(wanted, holder, user.uid !== undefined ? "uid" : "tag")) {
                users[user.key] = { uid: wanted, name: user.name };
                if (kept !== undefined && kept.uid !== wanted) {
                    retiredNumbers.add(kept.uid);
                }
            }
        } else if (kept !== undefined) {
            if (claim(kept.uid, holder, "kept")) {
                users[user.key] = { uid: kept.uid, name: user.name };
            }
        } else {
            later(holder, (uid) => (users[user.key] = { uid, name: user.name }));
        }
    }
    for (const group of request.groups) {
        const holder = groupHolder(group.name);
        const kept = prior.groups[group.name] ?? prior.retiredGroups[group.name];
        if (group.gid !== undefined) {
            if (claim(group.gid, holder, "gid")) {
                groups[group.name] = group.gid;
                if (kept !== undefined && kept !== group.gid) {
                    retiredNumbers.add(kept);
                }
            }
        } else if (kept !== undefined) {
            if (claim(kept, holder, "kept")) {
                groups[group.name] = kept;
            }
        } else {
            later(holder, (gid) => (groups[group.name] = gid));
        }
    }
    // New numbers only once every explicit and kept number is claimed, in config order: users, then groups.
    pending.forEach((allocateOne) => allocateOne());
    if (problems.length > 0) {
        return { ok: false, problems };
    }

    const retiredUsers: Record<string, AllocatedUser> = {};
    for (const [key, user] of Object.entries({ ...prior.retiredUsers, ...prior.users })) {
        if (users[key] === undefined) {
            retiredUsers[key] = user;
        }
    }
    const retiredGroups: Record<string, number> = {};
    for (const [name, gid] of Object.entries({ ...prior.retiredGroups, ...prior.groups })) {
        if (groups[name] === undefined) {
            retiredGroups[name] = gid;
        }
    }
    return {
        ok: true,
        allocation: {
            users,
            groups,
            retiredUsers: sortedRecord(retiredUsers),
            retiredGroups: sortedRecord(retiredGroups),
            retiredNumbers: [...retiredNumbers].sort((a, b) => a - b),
        },
    };
}

/** The lowest number of the range nobody holds, ever held, or has claimed in this run. */
function nextFree(range: IdRange, holders: ReadonlyMap<number, Holder>, taken: ReadonlyMap<number, Holder>, retired: ReadonlySet<number>): number | undefined {
    for (let id = range.first; id <= range.last; id++) {
        if (!holders.has(id) && !taken.has(id) && !retired.has(id)) {
            return id;
        }
    }
    return undefined;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
