/** One row of the user table output: what either backend reports for a user (the plan prints it). */
import type { AccessState } from "../config/model";

export interface UserRow {
    readonly iamUser: string;
    readonly iamUserArn: string;
    readonly sshUsername: string;
    /** The account exists and may hold a key (allowed or blocked). */
    readonly ssh: boolean;
    readonly sudo: boolean;
    readonly access: AccessState;
    /** Roster backend: the UID (and own group's GID) the roster gave the user. */
    readonly uid?: number;
    /** Roster backend: the project groups the user belongs to. */
    readonly groups?: readonly string[];
    /** Roster backend: no access from 00:00 UTC on this day (YYYY-MM-DD). */
    readonly expires?: string;
    /** Roster backend: the end date of each key (null: none), in config order. */
    readonly keyExpires?: readonly (string | null)[];
    /** Roster backend: the user may log in with EC2 Instance Connect (an IAM grant). */
    readonly instanceConnect?: boolean;
    /** A pool's table: per subscribed cluster, the user's access and sudo there. */
    readonly clusters?: Readonly<Record<string, { readonly access: AccessState; readonly sudo: boolean }>>;
}
