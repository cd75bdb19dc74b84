/**
 * Issue 16's logins: access that ends on a date (users and keys of the roster), and EC2 Instance Connect
 * grants, which must stay within this cluster's instances and their user's own login name.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { at, isKnown, isObject, items, plainProps, str, type Plain } from "./lib/known";
import { statementCovers } from "./lib/iamActions";
import { configWithDefaults } from "./lib/policyConfig";
import { IAM_POLICY, IAM_USER_POLICY, INSTANCE_CONNECT_ENDPOINT, ROSTER } from "./lib/resourceTypes";
import { rosterUsers } from "./lib/roster";
import { configuredAccess } from "./lib/stackConfig";
import { StackResources } from "./lib/stackResources";

export interface AccessEndingSoonConfig {
    /** How many days ahead an end date is reported. */
    readonly windowDays: number;
}

export const ACCESS_ENDING_SOON_DEFAULTS: AccessEndingSoonConfig = { windowDays: 30 };

const DAY_MS = 24 * 60 * 60 * 1000;

function today(): string {
    return new Date().toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
function daysBetween(from: string, to: string): number {
    return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export const discouragedAccessEndingSoon: ResourceValidationPolicy = {
    name: "discouraged-access-ending-soon",
    description: "Checks which roster users, and which of their keys, lose access within the configured number of days (their expires date).",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            windowDays: { type: "integer", minimum: 1, default: ACCESS_ENDING_SOON_DEFAULTS.windowDays, description: "How many days ahead an end date is reported." },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== ROSTER) {
            return;
        }
        const { windowDays } = configWithDefaults(args, ACCESS_ENDING_SOON_DEFAULTS);
        const now = today();
        const soon = (date: unknown): number | undefined => {
            if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date) || date <= now) {
                return undefined;
            }
            const days = daysBetween(now, date);
            return days <= windowDays ? days : undefined;
        };
        const fix = "If that is intended, nothing to do; to extend it, set a later expires in the stack config.";
        for (const user of rosterUsers(plainProps(args.props)).filter((candidate) => candidate.state === "allowed")) {
            const days = soon(user.expires);
            if (days !== undefined) {
                reportViolation(`${user.iamUser} (${user.name}) loses access on ${String(user.expires)}, in ${days} day${days === 1 ? "" : "s"}: from 00:00 UTC that day the nodes refuse the account. ${fix}`);
            }
            user.keyExpires.forEach((expires, k) => {
                const keyDays = soon(expires);
                if (keyDays !== undefined) {
                    const key = user.keys[k];
                    const type = typeof key === "string" ? key.split(" ")[0] : "key";
                    reportViolation(`Key ${k + 1} (${type}) of ${user.iamUser} (${user.name}) ends on ${String(expires)}, in ${keyDays} day${keyDays === 1 ? "" : "s"}: from 00:00 UTC that day sshd refuses it. ${fix}`);
                }
            });
        }
    },
};

const SEND_KEY = "ec2-instance-connect:sendsshpublickey";
const OPEN_TUNNEL = "ec2-instance-connect:opentunnel";
const CLUSTER_TAG_KEY = "aws:resourcetag/parallelcluster:cluster-name";


const asList = (value: Plain): Plain[] => (Array.isArray(value) ? [...value] : [value]);

/** The single value a condition operator requires of a key (case-insensitive key), or undefined. */
function required(condition: Plain, operator: string, key: string): string[] | undefined {
    const block = at(condition, operator);
    if (!isObject(block)) {
        return undefined;
    }
    const entry = Object.entries(block).find(([name]) => name.toLowerCase() === key);
    return entry === undefined ? undefined : asList(entry[1]).map((value) => String(value));
}

export const requiredInstanceConnectScope: StackValidationPolicy = {
    name: "required-instance-connect-scope",
    description: "Checks that every EC2 Instance Connect grant in the stack reaches only this cluster's instances, as its own user's login name, and tunnels only through this environment's endpoint to SSH.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        const rosters = stack.ofType(ROSTER);
        const cluster = rosters.map((roster) => str(roster.props.environment)).find((name) => typeof name === "string");
        const users = new Map(rosters.flatMap((roster) => rosterUsers(roster.props)).map((user) => [user.iamUser, user]));
        const endpoints = stack.ofType(INSTANCE_CONNECT_ENDPOINT).map((endpoint) => str(endpoint.props.arn));
        // Who the stack config grants Instance Connect (lib/stackConfig.ts); undefined when no config is visible.
        const configured = configuredAccess();
        const granted = configured === undefined ? undefined : new Map(configured.users.map((user) => [user.iamUserName, user.instanceConnect]));
        for (const resource of [...stack.ofType(IAM_USER_POLICY), ...stack.ofType(IAM_POLICY)]) {
            const text = str(resource.props.policy);
            if (typeof text !== "string") {
                continue; // unknown in a first preview (a grant names the endpoint, not created yet)
            }
            let document: Plain;
            try {
                document = JSON.parse(text) as Plain;
            } catch {
                continue;
            }
            const owner = resource.type === IAM_USER_POLICY ? str(resource.props.user) : undefined;
            const rosterUser = typeof owner === "string" ? users.get(owner) : undefined;
            const where = `${resource.type === IAM_USER_POLICY ? "the inline policy" : "the managed policy"} ${resource.name}`;
            for (const statement of items(at(document, "Statement"))) {
                if (str(at(statement, "Effect")) !== "Allow") {
                    continue;
                }
                const actions = { Action: at(statement, "Action"), NotAction: at(statement, "NotAction") };
                const condition = at(statement, "Condition");
                if (statementCovers(actions, SEND_KEY)) {
                    const tags = required(condition, "StringEquals", CLUSTER_TAG_KEY);
                    if (cluster !== undefined && isKnown(cluster) && (tags === undefined || tags.length !== 1 || tags[0] !== cluster)) {
                        reportViolation(
                            `${where} lets its holder push SSH keys with EC2 Instance Connect to instances beyond this cluster's: it must require StringEquals aws:ResourceTag/parallelcluster:cluster-name = ${cluster} (ParallelCluster's tag on every instance of the cluster). Grant through roster.instanceConnect, which writes it.`,
                            resource.urn,
                        );
                    }
                    const osUsers = required(condition, "StringEquals", "ec2:osuser");
                    const own = rosterUser?.name;
                    if (osUsers === undefined || osUsers.length !== 1 || (own !== undefined && osUsers[0] !== own) || rosterUser === undefined) {
                        const whose = rosterUser === undefined ? `${typeof owner === "string" ? owner : "a principal"} is not a user of this roster` : `${rosterUser.iamUser}'s login name is ${rosterUser.name}`;
                        reportViolation(
                            `${where} lets its holder push SSH keys with EC2 Instance Connect as ${osUsers === undefined ? "any OS user" : osUsers.join(", ")}; ${whose}. A grant must require StringEquals ec2:osuser = its own user's login name, on that user's IAM user. Grant through roster.instanceConnect, which writes it.`,
                            resource.urn,
                        );
                    } else if (rosterUser.state !== "allowed") {
                        reportViolation(
                            `${where} grants EC2 Instance Connect to ${rosterUser.iamUser} (${rosterUser.name}), who is ${String(rosterUser.state)} in the roster: blocked and revoked users must have no grant. Remove it (the program grants allowed users only).`,
                            resource.urn,
                        );
                    } else if (granted !== undefined && granted.get(rosterUser.iamUser) === false) {
                        reportViolation(
                            `${where} grants EC2 Instance Connect to ${rosterUser.iamUser} (${rosterUser.name}), whom the stack config does not grant it (` +
                                (configured?.instanceConnect ? "the user sets instanceConnect: false" : "roster.instanceConnect is off") +
                                "). A grant must exist only where the config asks for it: remove it (the program grants exactly those users).",
                            resource.urn,
                        );
                    }
                }
                if (statementCovers(actions, OPEN_TUNNEL)) {
                    const resources = asList(at(statement, "Resource")).map((value) => String(value));
                    const ports = required(condition, "NumericEquals", "ec2-instance-connect:remoteport");
                    const known = endpoints.filter((arn): arn is string => typeof arn === "string");
                    if (resources.some((arn) => !known.includes(arn)) || ports === undefined || ports.join() !== "22") {
                        reportViolation(
                            `${where} lets its holder open EC2 Instance Connect tunnels through ${resources.join(", ")}${ports === undefined ? " to any port" : ` to port ${ports.join(", ")}`}; a grant must name only this environment's endpoint (${known.join(", ") || "none in this stack"}) and require NumericEquals ec2-instance-connect:remotePort = 22.`,
                            resource.urn,
                        );
                    }
                }
            }
        }
    },
};

export const requiredInstanceConnectClientIp: ResourceValidationPolicy = {
    name: "required-instance-connect-client-ip",
    description: "Checks that every EC2 Instance Connect Endpoint preserves the client's IP address, so the nodes see where each login comes from.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== INSTANCE_CONNECT_ENDPOINT) {
            return;
        }
        const preserved = plainProps(args.props).preserveClientIp;
        // Known in every preview: the program sets it as a plain value. Unset is refused too: the EC2 API
        // Reference (CreateInstanceConnectEndpoint, PreserveClientIp) now gives "Default: false", while
        // older pages and the Terraform-based provider say true; only an explicit true is certain.
        if (isKnown(preserved) && preserved !== true) {
            reportViolation(
                `The EC2 Instance Connect Endpoint ${preserved === false ? "hides" : "may hide (preserveClientIp is not set, and the EC2 API's default is false)"} the client's IP address: every login through it then comes from the endpoint's own address in the VPC, ` +
                    "so cluster.sshAllowedIps no longer decides who may connect, and the agent's home-keys rule (a key in ~/.ssh opens an account only from inside the cluster's network) " +
                    "lets keys users add to ~/.ssh open accounts from anywhere. Set preserveClientIp: true (InstanceConnectEndpoint in components/access/roster/instanceConnect.ts does).",
            );
        }
    },
};
