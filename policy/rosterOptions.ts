/**
 * required-configured-roster-options: the roster's `option` lines (FORMAT.md) are what the stack config
 * asks for. `home-keys anywhere` where the site kept the default lets keys users add to ~/.ssh open
 * accounts from anywhere; `instance-connect` off where the config turned it on breaks every Instance
 * Connect login (the nodes drop its key command), and on where it is off keeps a way in nobody granted.
 * The truth is the stack config (lib/stackConfig.ts); where none is visible, instance-connect must match
 * whether the stack has an EC2 Instance Connect Endpoint (the program makes one exactly when it is on).
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { at, isKnown } from "./lib/known";
import { INSTANCE_CONNECT_ENDPOINT, ROSTER } from "./lib/resourceTypes";
import { CONFIGURED_HOME_KEYS, configuredAccess } from "./lib/stackConfig";
import { StackResources } from "./lib/stackResources";

function onOff(value: boolean): string {
    return value ? "on" : "off";
}

function shown(value: unknown): string {
    return typeof value === "boolean" ? onOff(value) : value === undefined ? "nothing" : JSON.stringify(value);
}

export const requiredConfiguredRosterOptions: StackValidationPolicy = {
    name: "required-configured-roster-options",
    description: "Checks that the roster's options (home-keys, instance-connect) are the ones the stack config asks for.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        if (stack.ofType(ROSTER).length === 0) {
            args.notApplicable("no roster in this stack: the roster backend is not used");
        }
        const configured = configuredAccess();
        const source = configured !== undefined ? "the stack config (roster.instanceConnect)" : "this stack's EC2 Instance Connect Endpoint";
        const instanceConnect = configured !== undefined ? configured.instanceConnect : stack.ofType(INSTANCE_CONNECT_ENDPOINT).length > 0;
        const homeKeys = configured?.homeKeys ?? CONFIGURED_HOME_KEYS;
        for (const roster of stack.ofType(ROSTER)) {
            const given = { homeKeys: at(roster.props, "options", "homeKeys"), instanceConnect: at(roster.props, "options", "instanceConnect") };
            if (isKnown(given.homeKeys) && given.homeKeys !== homeKeys) {
                reportViolation(
                    `The roster says option home-keys ${shown(given.homeKeys)}, but the stack config asks for ${homeKeys} (it has no other choice today): ` +
                        (given.homeKeys === "anywhere"
                            ? "keys users add to their own ~/.ssh/authorized_keys would open their accounts from anywhere, not only from inside the cluster's network. "
                            : "the agents refuse a roster with an unknown value, so no change reaches any node. ") +
                        `The program must write homeKeys: ${homeKeys} (the Roster's options, components/access/roster/).`,
                    roster.urn,
                );
            }
            if (isKnown(given.instanceConnect) && given.instanceConnect !== instanceConnect) {
                reportViolation(
                    `The roster says option instance-connect ${shown(given.instanceConnect)}, but ${source} says ${onOff(instanceConnect)}: ` +
                        (instanceConnect
                            ? "the nodes would drop EC2 Instance Connect's key command, and every Instance Connect login fails. "
                            : "the nodes would accept keys pushed through EC2 Instance Connect, a way in this environment does not grant. ") +
                        "The program must pass roster.instanceConnect to the Roster's options as configured.",
                    roster.urn,
                );
            }
        }
    },
};
