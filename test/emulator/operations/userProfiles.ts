/**
 * CreateUserProfile, DescribeUserProfiles, UpdateUserProfile, DeleteUserProfile. A profile lives per
 * regional endpoint. Rules (reference/opsworks.md, model documentation): one profile per IAM user,
 * SshUsername keeps only letters, digits, '-' and '_', an omitted one is derived from the IAM user name,
 * and a new profile is not yet visible to SetPermission (see permissions.ts).
 */
import { notFound, validationError } from "../errors";
import { OperationContext, ProfileRecord } from "../state";

interface ProfileInput {
    IamUserArn: string;
    SshUsername?: string;
    SshPublicKey?: string;
    AllowSelfManagement?: boolean;
}

/** IAM users (with an optional path) and federated users, the two ARN kinds the API accepts. */
const USER_ARN = /^arn:aws[a-z-]*:(?:iam::\d{12}:user\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)|sts::\d{12}:federated-user\/([\w+=,.@-]+))$/;

export function findProfile(context: OperationContext, iamUserArn: string): ProfileRecord {
    const profile = context.state.profiles.get(iamUserArn);
    if (!profile) {
        throw notFound(`Unable to find user with ARN ${iamUserArn}`);
    }
    return profile;
}

/** `adam.black` becomes `adamblack` (CreateUserProfileRequest.SshUsername). */
function cleanSshUsername(name: string): string {
    const cleaned = name.replace(/[^A-Za-z0-9_-]/g, "");
    if (cleaned === "") {
        throw validationError(`Invalid SSH user name: ${name}`);
    }
    return cleaned;
}

function createUserProfile(context: OperationContext, input: ProfileInput): object {
    const match = USER_ARN.exec(input.IamUserArn);
    if (!match) {
        throw validationError(`Invalid IAM user ARN: ${input.IamUserArn}`);
    }
    if (context.state.profiles.has(input.IamUserArn)) {
        throw validationError(`A user profile already exists for ${input.IamUserArn}`);
    }
    const userName = match[1] ?? match[2];
    context.state.profiles.set(input.IamUserArn, {
        IamUserArn: input.IamUserArn,
        Name: userName,
        SshUsername: cleanSshUsername(input.SshUsername ?? userName),
        SshPublicKey: input.SshPublicKey,
        AllowSelfManagement: input.AllowSelfManagement ?? false,
    });
    context.state.unpropagated.set(input.IamUserArn, context.settings.propagationFailures);
    return { IamUserArn: input.IamUserArn };
}

function describeUserProfiles(context: OperationContext, input: { IamUserArns?: string[] }): object {
    const profiles = input.IamUserArns
        ? input.IamUserArns.map((arn) => findProfile(context, arn))
        : [...context.state.profiles.values()];
    return { UserProfiles: profiles };
}

function updateUserProfile(context: OperationContext, input: ProfileInput): object {
    const profile = findProfile(context, input.IamUserArn);
    if (input.SshUsername !== undefined) {
        profile.SshUsername = cleanSshUsername(input.SshUsername);
    }
    if (input.SshPublicKey !== undefined) {
        profile.SshPublicKey = input.SshPublicKey;
    }
    if (input.AllowSelfManagement !== undefined) {
        profile.AllowSelfManagement = input.AllowSelfManagement;
    }
    return {};
}

/** Deleting a profile removes the user from every stack of the region. */
function deleteUserProfile(context: OperationContext, input: { IamUserArn: string }): object {
    findProfile(context, input.IamUserArn);
    context.state.profiles.delete(input.IamUserArn);
    context.state.unpropagated.delete(input.IamUserArn);
    for (const [key, permission] of context.state.permissions) {
        if (permission.IamUserArn === input.IamUserArn) {
            context.state.permissions.delete(key);
        }
    }
    return {};
}

export const userProfileOperations = {
    CreateUserProfile: createUserProfile,
    DescribeUserProfiles: describeUserProfiles,
    UpdateUserProfile: updateUserProfile,
    DeleteUserProfile: deleteUserProfile,
};
