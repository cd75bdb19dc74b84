/**
 * required-roster-uids: the numbers the roster hands out must be unique (a user's UID is also their own
 * group's GID, so users and project groups share one space) and between 1000 and 60000: below are the
 * images' system accounts and ParallelCluster's own service accounts (400 and up), above is what useradd
 * does not hand out. Two users on one number share every file on FSx, EFS and the NFS /home.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { at, isObject, type Plain } from "./lib/known";
import { ROSTER } from "./lib/resourceTypes";
import { rosterUsers } from "./lib/roster";
import { StackResources } from "./lib/stackResources";

export const ROSTER_ID_FLOOR = 1000;
export const ROSTER_ID_CEILING = 60000;

export const requiredRosterUids: StackValidationPolicy = {
    name: "required-roster-uids",
    description: "Checks that the roster's UIDs and GIDs, explicit or allocated, are unique and between 1000 and 60000.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        for (const roster of stack.ofType(ROSTER)) {
            const holders = new Map<number, string[]>();
            const hold = (id: number, holder: string) => holders.set(id, [...(holders.get(id) ?? []), holder]);
            // Explicit and tagged numbers are known even in a first preview; the allocation once it exists.
            const allocated = numbers(at(roster.props.allocation, "users"), (value) => at(value, "uid"));
            for (const user of rosterUsers(roster.props)) {
                const uid = allocated.get(user.iamUser) ?? user.uid;
                if (uid !== undefined) {
                    hold(uid, `user ${user.iamUser}`);
                }
            }
            for (const [name, gid] of numbers(at(roster.props.allocation, "groups"), (value) => value)) {
                hold(gid, `group ${name}`);
            }
            for (const [id, owners] of [...holders.entries()].sort(([a], [b]) => a - b)) {
                if (id < ROSTER_ID_FLOOR || id > ROSTER_ID_CEILING) {
                    reportViolation(
                        `${joinOwners(owners)} ${owners.length === 1 ? "has" : "have"} number ${id}, outside ${ROSTER_ID_FLOOR}-${ROSTER_ID_CEILING}: lower numbers belong to the images' system accounts and ParallelCluster's service accounts, higher ones are not handed out by useradd. Give a uid (or gid) in that range in the stack config.`,
                        roster.urn,
                    );
                }
                if (owners.length > 1) {
                    reportViolation(
                        `${joinOwners(owners)} share number ${id}: they would own each other's files on shared storage. Every user and project group needs its own number; give them distinct uid/gid values in the stack config.`,
                        roster.urn,
                    );
                }
            }
        }
    },
};

function numbers(record: Plain, pick: (value: Plain) => Plain): Map<string, number> {
    const found = new Map<string, number>();
    if (isObject(record)) {
        for (const [key, value] of Object.entries(record)) {
            const id = pick(value);
            if (typeof id === "number") {
                found.set(key, id);
            }
        }
    }
    return found;
}

function joinOwners(owners: readonly string[]): string {
    return owners.length === 1 ? owners[0] : `${owners.slice(0, -1).join(", ")} and ${owners[owners.length - 1]}`;
}
