/**
 * The roster backend (the default): the roster (users with UIDs that never move, keys, sudo, access
 * state, project groups) published as one signed document in the environment's bucket, and an agent on
 * every node that applies it (scripts/node/roster-agent.sh and its parts, uploaded as one bundle:
 * agentBundle.ts; started by post-install.sh's `roster` mode). Built on IAM, S3 and a KMS signing key: no
 * OpsWorks, no extra managed policy, and IMDSv2 stays required.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RosterSettings } from "../../config/model";
import { POST_INSTALL_KEY } from "../../postInstallAsset";
import type { AccessBackend, AccessContext, AccessLocation } from "../backend";
import { sshLogin, type UserLogin } from "../logins";
import type { NodeAccess } from "../nodeAccess";
import { todayUtc } from "./clock";
import { hasAccess, instanceConnectCommand, instanceConnectNote } from "./instanceConnect";
import { AGENT_KEY, ROSTER_KEY, RosterUsers } from "./rosterUsers";

export { agentBundle } from "./agentBundle";
export { AGENT_KEY, ROSTER_KEY, signingKeyName, UID_TAG } from "./rosterUsers";

/**
 * What the roster backend needs from every node: read its scripts and the roster; run post-install.sh in
 * roster mode with the signing key's public key (PUBKEY, base64 DER SubjectPublicKeyInfo), which reaches
 * the node through the cluster configuration CloudFormation and ParallelCluster hold, never through the
 * bucket: a bucket write cannot replace the key the agent verifies with.
 */
export function rosterNodeAccess(bucket: pulumi.Input<string>, environment: string, syncIntervalSeconds: number, publicKey: pulumi.Input<string>): NodeAccess {
    const url = (key: string) => pulumi.interpolate`s3://${bucket}/${key}`;
    return {
        iamPolicyArns: [],
        s3Reads: [POST_INSTALL_KEY, AGENT_KEY, ROSTER_KEY].map((key) => ({ bucket, key })),
        postInstallScript: url(POST_INSTALL_KEY),
        postInstallArgs: ["roster", url(ROSTER_KEY), url(AGENT_KEY), String(syncIntervalSeconds), environment, publicKey],
    };
}

/**
 * Builds the roster backend under `parent` (the environment), named from `name`. One day (UTC) decides, for
 * the whole run, which end dates have passed: the Instance Connect grants and the logins agree.
 */
export function buildRosterAccess(name: string, settings: RosterSettings, context: AccessContext, parent: pulumi.Resource, today: string = todayUtc()): AccessBackend {
    const users = new RosterUsers(
        `${name}-users`,
        {
            users: context.users,
            settings,
            region: context.region,
            environment: context.environment,
            bucket: context.bucket,
            after: context.bucketGuards,
            network: { vpcId: context.vpcId, subnetId: context.headNodeSubnetId },
            today,
        },
        { parent },
    );
    return {
        nodeAccess: rosterNodeAccess(context.bucket, context.environment, settings.syncIntervalSeconds, users.publicKey),
        users: users.table,
        location: users.rosterUrl.apply((rosterUrl): AccessLocation => ({ backend: "roster", rosterUrl })),
        // Expired users have no access any more (the agents expire their accounts); with Instance Connect, each
        // user granted it also gets the AWS CLI command (through the endpoint) to the head node.
        logins: (target) =>
            pulumi.all([target, users.table, pulumi.output(users.instanceConnectEndpointId)]).apply(([at, rows, endpointId]) =>
                Object.fromEntries(
                    context.users
                        .filter((user) => hasAccess(user, today))
                        .map((user): [string, UserLogin] => {
                            const login = sshLogin(user.sshUsername, at);
                            if (rows.find((row) => row.iamUser === user.iamUserName)?.instanceConnect !== true) {
                                return [user.iamUserName, login];
                            }
                            const command = instanceConnectCommand({ region: at.region, instanceId: at.headNodeInstanceId, osUser: user.sshUsername, ...(endpointId === undefined ? {} : { endpointId }) });
                            // The command runs with the IAM user's own AWS credentials (it calls SendSSHPublicKey as them).
                            return [user.iamUserName, { ...login, instanceConnect: command, note: instanceConnectNote(user.iamUserName, user.create) }];
                        }),
                ),
            ),
    };
}
