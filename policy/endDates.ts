/**
 * required-configured-end-dates: a user's `expires`, and each key's, must reach the roster and the user's
 * EC2 Instance Connect grant exactly as the stack config gives them. The config's checks cannot see a
 * date the program then loses or changes: the account would never expire on the nodes, or IAM would keep
 * letting the user push keys after their date. The truth is the stack config (lib/stackConfig.ts); where
 * none is visible, the grant must at least end with the roster's date.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { statementCovers } from "./lib/iamActions";
import { at, isKnown, isObject, items, str, UNKNOWN, type Maybe, type Plain } from "./lib/known";
import { IAM_USER_POLICY, ROSTER } from "./lib/resourceTypes";
import { rosterUsers, type RosterUserView } from "./lib/roster";
import { configuredAccess, type ConfiguredUser } from "./lib/stackConfig";
import { StackResources, type StackResource } from "./lib/stackResources";

/** The Instance Connect actions a grant gives (lowercase, as IAM compares them). */
const GRANTED_ACTIONS = ["ec2-instance-connect:sendsshpublickey", "ec2-instance-connect:opentunnel"];


function shown(date: string | undefined): string {
    return date === undefined ? "no end date" : date;
}

/** The end of a statement's access: its DateLessThan aws:CurrentTime (undefined when none, UNKNOWN when not a single date). */
function grantEnd(statement: Plain): string | undefined | "several" {
    const block = at(statement, "Condition", "DateLessThan");
    if (!isObject(block)) {
        return undefined;
    }
    const entry = Object.entries(block).find(([key]) => key.toLowerCase() === "aws:currenttime");
    if (entry === undefined) {
        return undefined;
    }
    const values = items(entry[1]);
    return values.length === 1 && typeof values[0] === "string" ? values[0] : "several";
}

/** Whether an IAM date value means 00:00 UTC on `day` (YYYY-MM-DD). */
function endsOn(value: string, day: string): boolean {
    const time = Date.parse(value);
    return !Number.isNaN(time) && time === Date.parse(`${day}T00:00:00Z`);
}

export const requiredConfiguredEndDates: StackValidationPolicy = {
    name: "required-configured-end-dates",
    description:
        "Checks that each user's end date, and each key's, reaches the roster exactly as the stack config gives it, and that each EC2 Instance Connect grant ends on its user's date.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        const rosters = stack.ofType(ROSTER);
        // Applies where the roster backend is: end dates are its feature.
        if (rosters.length === 0) {
            args.notApplicable("no roster in this stack: end dates are the roster backend's");
        }
        const configured = configuredAccess();
        const byName = new Map((configured?.users ?? []).map((user) => [user.iamUserName, user]));
        const rosterByName = new Map<string, RosterUserView>();
        for (const roster of rosters) {
            for (const user of rosterUsers(roster.props)) {
                rosterByName.set(user.iamUser, user);
                const wanted = byName.get(user.iamUser);
                for (const problem of wanted === undefined ? [] : rosterProblems(user, wanted)) {
                    reportViolation(problem, roster.urn);
                }
            }
        }
        for (const grant of stack.ofType(IAM_USER_POLICY)) {
            const owner = str(grant.props.user);
            if (typeof owner !== "string") {
                continue;
            }
            // The config's date; without a visible config, the roster's (both must agree).
            const rosterUser = rosterByName.get(owner);
            const configuredUser = byName.get(owner);
            const wanted: Maybe<string> | null =
                configured !== undefined
                    ? configuredUser === undefined
                        ? UNKNOWN // not a user of the config: required-instance-connect-scope judges such a grant
                        : (configuredUser.expires ?? null)
                    : rosterUser === undefined
                      ? UNKNOWN
                      : (rosterUser.expires ?? null);
            const problem = grantProblem(grant, owner, wanted, configured !== undefined ? "the stack config" : "the roster");
            if (problem !== undefined) {
                reportViolation(problem, grant.urn);
            }
        }
    },
};

function rosterProblems(user: RosterUserView, wanted: ConfiguredUser): string[] {
    const problems: string[] = [];
    const who = `${user.iamUser} (${user.name})`;
    if (isKnown(user.expires) && user.expires !== wanted.expires) {
        problems.push(
            `The roster gives ${who} ${shown(user.expires)}, but the stack config says expires: ${shown(wanted.expires)}. ` +
                "The nodes apply the roster's date: the account would " +
                (wanted.expires !== undefined && (user.expires === undefined || user.expires > wanted.expires) ? "keep access after the configured date" : "lose access on a date nobody configured") +
                ". The program must pass each user's expires to the Roster as configured (rosterInput, components/access/roster/).",
        );
    }
    if (user.keys.includes(UNKNOWN)) {
        return problems; // the key list itself is not known yet
    }
    wanted.keyExpires.forEach((expires, index) => {
        const given = user.keyExpires[index];
        if (isKnown(given) && index < user.keys.length && given !== expires) {
            problems.push(
                `The roster gives key ${index + 1} of ${who} ${shown(given)}, but the stack config says expires: ${shown(expires)} for that key. ` +
                    "sshd on every node applies the roster's date (the key's expiry-time option). The program must pass each key's expires to the Roster as configured.",
            );
        }
    });
    return problems;
}

/**
 * What is wrong with one user's Instance Connect grant: a statement giving an Instance Connect action must
 * end (DateLessThan aws:CurrentTime) at 00:00 UTC on the user's date, and carry no end when they have none.
 * `wanted`: the date, null for none, UNKNOWN when nothing says.
 */
function grantProblem(grant: StackResource, owner: string, wanted: Maybe<string> | null, source: string): string | undefined {
    const text = str(grant.props.policy);
    // Unknown in a first preview (the grant names the endpoint, not created yet): not judged until it is known.
    if (typeof text !== "string" || wanted === UNKNOWN || wanted === undefined) {
        return undefined;
    }
    let document: Plain;
    try {
        document = JSON.parse(text) as Plain;
    } catch {
        return undefined;
    }
    for (const statement of items(at(document, "Statement"))) {
        const actions = { Action: at(statement, "Action"), NotAction: at(statement, "NotAction") };
        if (str(at(statement, "Effect")) !== "Allow" || !GRANTED_ACTIONS.some((granted) => statementCovers(actions, granted))) {
            continue;
        }
        const end = grantEnd(statement);
        const sid = JSON.stringify(str(at(statement, "Sid")) ?? "");
        if (wanted !== null && (end === undefined || end === "several" || !endsOn(end, wanted))) {
            return (
                `The EC2 Instance Connect grant ${grant.name} of ${owner} (statement ${sid}) ${end === undefined ? "has no end" : `ends at ${end}`}, but ${source} ends ${owner}'s access on ${wanted}: ` +
                `IAM would let them push keys and open tunnels after their date. Each statement must require DateLessThan aws:CurrentTime = ${wanted}T00:00:00Z (roster.instanceConnect writes it).`
            );
        }
        if (wanted === null && end !== undefined) {
            return (
                `The EC2 Instance Connect grant ${grant.name} of ${owner} (statement ${sid}) ends at ${end}, but ${source} gives ${owner} no end date: ` +
                "the grant must end exactly when the user's access does. Remove the condition, or set the user's expires in the stack config."
            );
        }
    }
    return undefined;
}
