/**
 * required-configured-roster-access: each user's access state and sudo reach the roster exactly as the
 * stack config gives them. The config's checks cannot see the program change them on the way: a blocked
 * user written `allowed` logs in again on every node, a user written with sudo becomes root everywhere.
 * The truth is the stack config (lib/stackConfig.ts); with none visible there is nothing to compare with.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { isKnown } from "./lib/known";
import { ROSTER } from "./lib/resourceTypes";
import { rosterUsers } from "./lib/roster";
import { configuredAccess } from "./lib/stackConfig";
import { StackResources } from "./lib/stackResources";

export const requiredConfiguredRosterAccess: StackValidationPolicy = {
    name: "required-configured-roster-access",
    description: "Checks that each user's access state (allowed, blocked, revoked) and sudo reach the roster exactly as the stack config gives them.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        const rosters = stack.ofType(ROSTER);
        if (rosters.length === 0) {
            args.notApplicable("no roster in this stack: the roster backend is not used");
        }
        const configured = configuredAccess();
        if (configured === undefined) {
            return; // no stack config visible: nothing says what the states should be
        }
        const byName = new Map(configured.users.map((user) => [user.iamUserName, user]));
        for (const roster of rosters) {
            for (const user of rosterUsers(roster.props)) {
                const wanted = byName.get(user.iamUser);
                if (wanted === undefined) {
                    continue;
                }
                const who = `${user.iamUser} (${user.name})`;
                if (isKnown(user.state) && user.state !== wanted.access) {
                    reportViolation(
                        `The roster gives ${who} the state ${String(user.state)}, but the stack config says access: ${wanted.access}. ` +
                            "Every node applies the roster's state: " +
                            (user.state === "allowed" ? "the user would log in although the config stops them. " : "the user would lose access nobody took away. ") +
                            "The program must pass each user's access to the Roster as configured (rosterInput, components/access/roster/).",
                        roster.urn,
                    );
                }
                if (user.sudoUnknown !== true && user.sudo !== wanted.sudo) {
                    reportViolation(
                        `The roster gives ${who} ${user.sudo ? "sudo" : "no sudo"}, but the stack config says sudo: ${String(wanted.sudo)}. ` +
                            (user.sudo ? "The user would be root on every node without anyone granting it. " : "The user would lose sudo nobody took away. ") +
                            "The program must pass each user's sudo to the Roster as configured (rosterInput, components/access/roster/).",
                        roster.urn,
                    );
                }
            }
        }
    },
};
