/**
 * AWS PCS node groups (lib/pcsNodeGroups.ts). required-roster-wiring and required-roster-signing-key judge them as
 * they judge ParallelCluster's nodes (the six words in their user data, the roster and agent their role may read,
 * the environment's key). These two add what a PCS cluster's own resources can get wrong:
 * - prohibited-pcs-ssh-open-to-world: a PCS node group's security groups let anyone on the internet reach sshd.
 *   ParallelCluster's head node is judged by the advisory discouraged-ssh-open-to-world, since 0.0.0.0/0 is
 *   ParallelCluster's own default and a running cluster keeps it; a PCS environment is new, and the program
 *   opens SSH to its login nodes only from cluster.sshAllowedIps.
 * - prohibited-pcs-node-roster-write: a PCS node's role may write or delete the roster. Every node reads the
 *   roster; a node that can replace it decides who logs in on every node (its signature still has to verify,
 *   but deleting it, or writing an older signed one, is in reach).
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { isKnown, isObject, items, str, UNKNOWN, type Plain } from "./lib/known";
import { pcsNodeGroups } from "./lib/pcsNodeGroups";
import { asList, policyStatements } from "./lib/policyDocument";
import { EC2_SECURITY_GROUP, IAM_POLICY, ROSTER } from "./lib/resourceTypes";
import { globMatches, objectArn } from "./lib/s3";
import { StackResources, type StackResource } from "./lib/stackResources";
import { capitalize } from "./lib/text";

/** Standalone rules that add ingress to a security group. */
const INGRESS_RULES = ["aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"];

/** Whether an ingress rule (inline or standalone) reaches port 22 from anywhere. */
function sshFromAnywhere(rule: Plain): boolean {
    if (!isObject(rule)) {
        return false;
    }
    if (rule.type !== undefined && rule.type !== "ingress") {
        return false;
    }
    const protocol = String(rule.protocol ?? rule.ipProtocol ?? "");
    const from = typeof rule.fromPort === "number" ? rule.fromPort : 0;
    const to = typeof rule.toPort === "number" ? rule.toPort : 65535;
    const reachesSsh = protocol === "-1" || protocol === "all" || ((protocol === "tcp" || protocol === "6") && from <= 22 && 22 <= to);
    const sources = [...items(rule.cidrBlocks ?? []), ...items(rule.ipv6CidrBlocks ?? []), rule.cidrIpv4, rule.cidrIpv6];
    return reachesSsh && sources.some((source) => source === "0.0.0.0/0" || source === "::/0");
}

export const prohibitedPcsSshOpenToWorld: StackValidationPolicy = {
    name: "prohibited-pcs-ssh-open-to-world",
    description: "Checks that no AWS PCS node group's security groups accept SSH from anywhere on the internet (0.0.0.0/0 or ::/0).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        for (const group of pcsNodeGroups(stack)) {
            const template = group.template;
            if (template === undefined) {
                continue;
            }
            const securityGroups = stack.ofType(EC2_SECURITY_GROUP).filter((candidate) => template.dependencies.includes(candidate.urn));
            for (const securityGroup of securityGroups) {
                const standalone = INGRESS_RULES.flatMap((type) => stack.ofType(type).filter((rule) => rule.dependencies.includes(securityGroup.urn)));
                const open = items(securityGroup.props.ingress ?? []).some(sshFromAnywhere) || standalone.some((rule) => sshFromAnywhere(rule.props));
                if (open) {
                    reportViolation(
                        `${capitalize(group.label)} accepts SSH from the whole internet: its launch template's security group ${securityGroup.name} allows port 22 from 0.0.0.0/0 or ::/0. ` +
                            "Allow only the range your users connect from: set pcluster-access:cluster.sshAllowedIps (an office or VPN CIDR block, or a prefix list id).",
                        group.resource.urn,
                    );
                }
            }
        }
    },
};

/** The actions that replace or remove an object. */
const WRITES = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"];

/** AWS managed policies known to allow writing any object. */
const AWS_MANAGED_WRITERS = /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|AmazonS3FullAccess)$/;

/** The write actions a policy document allows on `arn`. */
function writesOn(document: Plain, arn: string): string[] {
    if (typeof document !== "string") {
        return [];
    }
    return (policyStatements(document) ?? []).flatMap(({ Effect, Action, Resource }) => {
        if (Effect !== "Allow" || !asList(Resource).some((resource) => typeof resource === "string" && globMatches(resource, arn))) {
            return [];
        }
        return WRITES.filter((write) => asList(Action).some((action) => typeof action === "string" && globMatches(action, write)));
    });
}

export const prohibitedPcsNodeRosterWrite: StackValidationPolicy = {
    name: "prohibited-pcs-node-roster-write",
    description: "Checks that no AWS PCS node group's instance role may write or delete the roster.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        const roster = stack.ofType(ROSTER)[0];
        const bucket = roster === undefined ? undefined : str(roster.props.bucket);
        const key = roster === undefined ? undefined : str(roster.props.key);
        if (typeof bucket !== "string" || typeof key !== "string") {
            return;
        }
        const arn = objectArn({ bucket, key });
        const managed = new Map(stack.ofType(IAM_POLICY).map((policy): [Plain, StackResource] => [policy.props.arn, policy]));
        for (const group of pcsNodeGroups(stack)) {
            const grants: [string, string[]][] = [
                ...group.inlinePolicies.map((policy): [string, string[]] => [`its inline policy ${policy.name}`, writesOn(policy.props.policy, arn)]),
                ...group.policyArns.map((policyArn): [string, string[]] => {
                    if (!isKnown(policyArn) || policyArn === undefined) {
                        return ["", []];
                    }
                    const own = managed.get(policyArn);
                    if (own !== undefined) {
                        return [`the managed policy ${own.name}`, own.props.policy === UNKNOWN ? [] : writesOn(own.props.policy, arn)];
                    }
                    return AWS_MANAGED_WRITERS.test(policyArn) ? [`the managed policy ${policyArn}`, ["s3:PutObject"]] : ["", []];
                }),
            ];
            for (const [where, writes] of grants) {
                if (writes.length > 0) {
                    reportViolation(
                        `${capitalize(group.label)} may ${writes.join(", ")} on the roster ${arn} through ${where}: a node must only read it (a node that can replace or delete the roster decides who logs in on every node). Remove the grant; nodes need s3:GetObject only.`,
                        group.resource.urn,
                    );
                }
            }
        }
    },
};

