/**
 * The roster backend's Roster resource as the policies read it: its users (as the config gave them,
 * before allocation) and, once deployed, its allocation. Values unknown during a preview stay UNKNOWN.
 */
import { at, isObject, list, str, UNKNOWN, type Maybe, type Plain, type PlainObject } from "./known";

export interface RosterUserView {
    readonly iamUser: string;
    readonly name: string;
    readonly state: Maybe<string>;
    readonly sudo: boolean;
    /** Set when the sudo flag is not known during this preview (then `sudo` is false and means nothing). */
    readonly sudoUnknown?: true;
    /** Key lines (of `{key, expires}` entries too). */
    readonly keys: readonly Maybe<string>[];
    /** Each key's end date (YYYY-MM-DD), undefined for none, in the order of `keys`. */
    readonly keyExpires: readonly Maybe<string>[];
    /** The user's end date (YYYY-MM-DD). */
    readonly expires: Maybe<string>;
    /** Explicit uid from the config, or the IAM tag's. */
    readonly uid?: number;
}

/** Users whose IAM name and login name are known; the others cannot be named in a message. */
export function rosterUsers(props: PlainObject): RosterUserView[] {
    const users = list(props.users);
    if (users === undefined || users === UNKNOWN) {
        return [];
    }
    return users.flatMap((user): RosterUserView[] => {
        const iamUser = str(at(user, "iamUser"));
        const name = str(at(user, "name"));
        if (typeof iamUser !== "string" || typeof name !== "string") {
            return [];
        }
        const keys = list(at(user, "keys"));
        const entries: readonly Plain[] = keys === UNKNOWN ? [UNKNOWN] : (keys ?? []);
        const uid = at(user, "uid") ?? at(user, "pinnedUid");
        return [
            {
                iamUser,
                name,
                state: str(at(user, "state")),
                sudo: at(user, "sudo") === true,
                ...(at(user, "sudo") === UNKNOWN ? { sudoUnknown: true as const } : {}),
                // A key is a line, or {key, expires} (FORMAT.md, format 2).
                keys: entries.map((entry) => (isObject(entry) ? str(at(entry, "key")) : str(entry))),
                keyExpires: entries.map((entry) => (isObject(entry) ? str(at(entry, "expires")) : undefined)),
                expires: str(at(user, "expires")),
                ...(typeof uid === "number" ? { uid } : {}),
            },
        ];
    });
}

/** The allocation's users (IAM name to UID), when the Roster has been written; UNKNOWN during a first preview. */
export function rosterAllocation(props: PlainObject): Readonly<Record<string, number>> | typeof UNKNOWN | undefined {
    const allocation: Plain = props.allocation;
    if (allocation === UNKNOWN) {
        return UNKNOWN;
    }
    const users = at(allocation, "users");
    if (!isObject(users)) {
        return undefined;
    }
    const uids: Record<string, number> = {};
    for (const [key, value] of Object.entries(users)) {
        const uid = at(value, "uid");
        if (typeof uid === "number") {
            uids[key] = uid;
        }
    }
    return uids;
}
