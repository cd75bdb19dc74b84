/**
 * Problems as people read them: `users[1] (bob).sshPublicKey`, the index to find the entry and the IAM
 * user to know whose it is. The parsed problems keep the bare path (`users[1].sshPublicKey`, what tests
 * and tools match); the message Pulumi prints, and the plan with it, carries the label.
 */
import type { ConfigProblem } from "./model";
import { iamUserNameOf } from "./schema";

/** Each `users[i]` in a problem's path and message followed by its IAM user's name, when the entry names one. */
export function labelUsers(problems: readonly ConfigProblem[], users: unknown): ConfigProblem[] {
    const names = Array.isArray(users)
        ? users.map((user) => (typeof (user as { iamUser?: unknown } | null)?.iamUser === "string" ? iamUserNameOf((user as { iamUser: string }).iamUser) : undefined))
        : [];
    const label = (text: string) => text.replace(/\busers\[(\d+)\](?! \()/g, (found, index: string) => (names[Number(index)] === undefined ? found : `${found} (${names[Number(index)]})`));
    return problems.map((problem) => ({ path: label(problem.path), message: label(problem.message) }));
}
