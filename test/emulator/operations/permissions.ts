/**
 * SetPermission and DescribePermissions. Rules (reference/opsworks.md): omitted members stay unchanged
 * (a new permission starts with no SSH, no sudo, level iam_only); nobody can change their own level;
 * right after a profile is created SetPermission fails with "Unable to find user with ARN ..." until the
 * user has propagated, which the emulator plays as the first `propagationFailures` calls for that user.
 */
import { notFound, validationError } from "../errors";
import { OperationContext, PermissionRecord, permissionKey } from "../state";
import { findStack } from "./stacks";
import { findProfile } from "./userProfiles";

interface SetPermissionInput {
    StackId: string;
    IamUserArn: string;
    AllowSsh?: boolean;
    AllowSudo?: boolean;
    Level?: string;
}

const LEVELS = new Set(["deny", "show", "deploy", "manage", "iam_only"]);

function setPermission(context: OperationContext, input: SetPermissionInput): object {
    findStack(context, input.StackId);
    findProfile(context, input.IamUserArn);
    const owed = context.state.unpropagated.get(input.IamUserArn) ?? 0;
    if (owed > 0) {
        context.state.unpropagated.set(input.IamUserArn, owed - 1);
        throw notFound(`Unable to find user with ARN ${input.IamUserArn}`);
    }
    if (input.Level !== undefined && !LEVELS.has(input.Level)) {
        throw validationError(`Invalid permission level: ${input.Level}. Valid levels: ${[...LEVELS].join(", ")}`);
    }
    const key = permissionKey(input.StackId, input.IamUserArn);
    const current: PermissionRecord = context.state.permissions.get(key) ?? {
        StackId: input.StackId,
        IamUserArn: input.IamUserArn,
        AllowSsh: false,
        AllowSudo: false,
        Level: "iam_only",
    };
    if (input.IamUserArn === context.settings.callerArn && input.Level !== undefined && input.Level !== current.Level) {
        throw validationError("Unable to change own permission level. Only AllowSsh and AllowSudo allowed.");
    }
    context.state.permissions.set(key, {
        ...current,
        AllowSsh: input.AllowSsh ?? current.AllowSsh,
        AllowSudo: input.AllowSudo ?? current.AllowSudo,
        Level: input.Level ?? current.Level,
    });
    return {};
}

/** By StackId: every user on the stack; by IamUserArn: every stack of the user; both: that one entry. */
function describePermissions(context: OperationContext, input: { StackId?: string; IamUserArn?: string }): object {
    const { StackId, IamUserArn } = input;
    if (StackId === undefined && IamUserArn === undefined) {
        throw validationError("Please provide a stack ID, an IAM user ARN, or both");
    }
    if (StackId !== undefined) {
        findStack(context, StackId);
    }
    if (IamUserArn !== undefined) {
        findProfile(context, IamUserArn);
    }
    const permissions = [...context.state.permissions.values()].filter(
        (permission) =>
            (StackId === undefined || permission.StackId === StackId) &&
            (IamUserArn === undefined || permission.IamUserArn === IamUserArn),
    );
    return { Permissions: permissions };
}

export const permissionOperations = {
    SetPermission: setPermission,
    DescribePermissions: describePermissions,
};
