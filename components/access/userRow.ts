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
}
