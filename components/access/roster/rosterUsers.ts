/**
 * The roster backend's users (RosterUsers): the signing key, the Roster (document and allocation), the IAM
 * users this program creates, EC2 Instance Connect's endpoint and grants, and the user table.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { UserRow } from "../userRow";
import type { PoolClusterSettings, RosterSettings, UserSettings } from "../../config/model";
import { poolDocumentKey, POOL_PREFIX } from "../pool/poolOutput";
import { agentBundle } from "./agentBundle";
import { Roster, type RosterUserInput } from "./rosterResource";
import { RosterSigningKey } from "./signingKey";
import { grantsInstanceConnect, InstanceConnectEndpoint, instanceConnectNote, instanceConnectUserPolicy } from "./instanceConnect";

/** Where the document and the agent live in the environment's bucket (FORMAT.md's ROSTER_KEY, AGENT_KEY). */
export const ROSTER_KEY = "roster.txt";
export const AGENT_KEY = "agent.tar";

/**
 * Tag on IAM users this program creates: the UID the environment gave them. Another environment of the
 * account that looks the user up reads it and gives the same UID (they may share FSx or EFS).
 */
export const UID_TAG = "pcluster-access:uid";

/**
 * The signing key's resource name: version 1 keeps the name the first key had; each later version is a
 * new key. The previous key leaves the program protected, so `up` stops until it is unprotected
 * (`pulumi state unprotect`), and retained: it stays in KMS, enabled, until an administrator schedules its
 * deletion once no node trusts it (README, "Rotating the signing key").
 */
export function signingKeyName(name: string, version: number): string {
    return version === 1 ? `${name}-signing-key` : `${name}-signing-key-v${version}`;
}

export interface RosterUsersArgs {
    /** The validated roster; decides which resources exist, so a plain value. */
    readonly users: readonly UserSettings[];
    readonly settings: RosterSettings;
    readonly region: string;
    /** The environment's name: the document's `environment` line and the agents' last argument. */
    readonly environment: string;
    readonly bucket: pulumi.Input<string>;
    /** Written only after these (the bucket's guards), so the document is never readable or unencrypted. */
    readonly after?: pulumi.Input<pulumi.Resource>[];
    /** Where EC2 Instance Connect's endpoint goes (used when settings.instanceConnect; a pool has none). */
    readonly network?: { readonly vpcId: pulumi.Input<string>; readonly subnetId: pulumi.Input<string> };
    /** A pool's clusters: one document each (pool/<cluster>/roster.txt) instead of one at ROSTER_KEY. */
    readonly clusters?: readonly PoolClusterSettings[];
    /** Today (YYYY-MM-DD, UTC): users whose end date is on or before it get no Instance Connect grant. */
    readonly today: string;
}

export class RosterUsers extends pulumi.ComponentResource {
    readonly table: pulumi.Output<UserRow[]>;
    readonly rosterUrl: pulumi.Output<string>;
    /** The EC2 Instance Connect Endpoint's id; undefined unless roster.instanceConnect. */
    readonly instanceConnectEndpointId?: pulumi.Output<string>;
    /** The signing key's ARN (what the Roster signs with). */
    readonly signingKeyArn: pulumi.Output<string>;
    /** Base64 DER SubjectPublicKeyInfo of the signing key: what every node verifies the roster with. */
    readonly publicKey: pulumi.Output<string>;

    constructor(name: string, args: RosterUsersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:users:RosterUsers", name, {}, opts);
        const signingKey = new RosterSigningKey(signingKeyName(name, args.settings.signingKeyVersion), { environment: args.environment, signers: args.settings.signers }, { parent: this });
        // Users this environment does not create are looked up: their ARN, and the UID tag another environment wrote.
        const lookups = new Map(
            args.users
                .filter((user) => !user.create)
                .map((user) => [user.iamUserName, aws.iam.getUserOutput({ userName: user.iamUserName }, { parent: this })]),
        );
        const roster = new Roster(
            `${name}-roster`,
            {
                region: args.region,
                bucket: args.bucket,
                key: args.clusters === undefined ? ROSTER_KEY : POOL_PREFIX,
                environment: args.environment,
                ...(args.clusters === undefined
                    ? {}
                    : { clusters: args.clusters.map((cluster) => ({ name: cluster.name, key: poolDocumentKey(cluster.name), allowed: [...cluster.allowed], sudo: [...cluster.sudo] })) }),
                signingKeyArn: signingKey.keyArn,
                publicKey: signingKey.publicKey,
                range: args.settings.uidRange,
                users: args.users.map((user) => rosterInput(user, lookups.get(user.iamUserName)?.tags)),
                groups: args.settings.groups.map((group) => ({ ...group })),
                // The agent every node must run: the bundle this program uploads at AGENT_KEY.
                agentSha256: agentBundle().sha256,
                // home-keys: the agent's key rule (issue 17): ~/.ssh/authorized_keys opens an account only from
                // inside the cluster's network, the agent's default; the config has no other choice yet.
                options: { homeKeys: "cluster", instanceConnect: args.settings.instanceConnect },
            },
            { parent: this, dependsOn: args.after },
        );
        const today = args.today;
        const endpoint = args.settings.instanceConnect && args.network !== undefined
            ? new InstanceConnectEndpoint(`${name}-instance-connect`, { ...args.network, clusterName: args.environment }, { parent: this })
            : undefined;
        const rows = args.users.map((user) => {
            const uid = roster.allocation.apply((allocation) => allocation.users[user.iamUserName].uid);
            const created = user.create
                ? // No login profile and no access keys: the user can only SSH to the cluster (the article's advice).
                  new aws.iam.User(
                      `${name}-${user.iamUserName}-iam-user`,
                      { name: user.iamUserName, tags: { "pcluster-access:role": "cluster-user", [UID_TAG]: uid.apply(String) } },
                      // Kept when it leaves the program (create: false, removal, destroy): see ClusterUsers.
                      { parent: this, retainOnDelete: true },
                  )
                : undefined;
            const arn = created?.arn ?? pulumi.output(user.iamUserArn ?? lookups.get(user.iamUserName)!.arn);
            const granted = endpoint !== undefined && grantsInstanceConnect(user, today);
            if (granted && user.create) {
                // Created with no console password and no access key: the grant is useless until they get credentials.
                void pulumi.log.warn(
                    `users: ${user.iamUserName} is created by this program (create: true) with no console password and no access key, yet gets EC2 Instance Connect. ` +
                        `${instanceConnectNote(user.iamUserName, true)} Or leave instanceConnect off for them.`,
                    this,
                );
            }
            if (granted) {
                // Keyed by IAM user name (known in a preview, for the policies); on a user this program creates, after it.
                instanceConnectUserPolicy(
                    `${name}-${user.iamUserName}-instance-connect`,
                    { iamUserName: user.iamUserName },
                    { region: args.region, clusterName: args.environment, osUser: user.sshUsername, endpointArn: endpoint.arn, ...(user.expires === undefined ? {} : { expires: user.expires }) },
                    { parent: this, ...(created === undefined ? {} : { dependsOn: [created] }) },
                );
            }
            return pulumi.all([arn, uid]).apply(([iamUserArn, id]): UserRow => ({
                iamUser: user.iamUserName,
                iamUserArn,
                sshUsername: user.sshUsername,
                ssh: user.access !== "revoked",
                sudo: user.access !== "revoked" && user.sudo,
                access: user.access,
                uid: id,
                groups: [...user.groups],
                ...(user.expires === undefined ? {} : { expires: user.expires }),
                keyExpires: user.sshPublicKeys.map((key) => key.expires ?? null),
                // Blocked, revoked and expired users get no grant (instanceConnect.ts).
                instanceConnect: granted,
                ...(args.clusters === undefined ? {} : { clusters: Object.fromEntries(args.clusters.map((cluster) => [cluster.name, clusterAccess(user, cluster)])) }),
            }));
        });
        this.table = pulumi.all(rows);
        this.rosterUrl = roster.url;
        this.instanceConnectEndpointId = endpoint?.endpointId;
        this.signingKeyArn = signingKey.keyArn;
        this.publicKey = signingKey.publicKey;
        this.registerOutputs({ table: this.table, rosterUrl: this.rosterUrl, signingKeyArn: this.signingKeyArn, publicKey: this.publicKey });
    }
}

/** A pool user's access and sudo on one of its clusters (as that cluster's document says: planner.ts). */
function clusterAccess(user: UserSettings, cluster: PoolClusterSettings): { access: UserSettings["access"]; sudo: boolean } {
    if (user.access === "revoked") {
        return { access: "revoked", sudo: false };
    }
    const here = user.access === "allowed" && cluster.allowed.includes(user.iamUserName);
    return { access: here ? "allowed" : "blocked", sudo: here && cluster.sudo.includes(user.iamUserName) };
}

/** The user as the Roster takes them, with the UID tag of a looked-up IAM user as `pinnedUid`. */
function rosterInput(user: UserSettings, tags: pulumi.Output<Record<string, string> | undefined> | undefined): pulumi.Output<RosterUserInput> {
    const base: RosterUserInput = {
        iamUser: user.iamUserName,
        name: user.sshUsername,
        state: user.access,
        sudo: user.sudo,
        keys: user.sshPublicKeys.map((key) => (key.expires === undefined ? key.key : { ...key })),
        ...(user.expires === undefined ? {} : { expires: user.expires }),
        groups: [...user.groups],
        ...(user.uid === undefined ? {} : { uid: user.uid }),
    };
    if (tags === undefined) {
        return pulumi.output(base);
    }
    return tags.apply((found) => {
        const pinned = found?.[UID_TAG];
        return pinned !== undefined && /^\d+$/.test(pinned) ? { ...base, pinnedUid: Number(pinned) } : base;
    });
}
