/**
 * One SSH key, one person: a key given to two users lets whoever holds its private half log in as both
 * (and take the other's sudo), and a key listed twice for one user is written twice. Keys are compared as
 * the nodes see them, `TYPE BASE64`, without the comment. A revoked user's key is never written, so it
 * counts for nobody. FORMAT.md: the agents refuse a document with one key blob twice for a user.
 */
import type { ProblemSink } from "./problems";
import type { RawSections } from "./schema";
import { iamUserNameOf } from "./schema";

/** `TYPE BASE64`: what sshd matches; the comment is only a label. */
function keyIdentity(line: string): string {
    return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

export function checkKeysUnique(users: RawSections["users"], { report }: ProblemSink): void {
    const owners = new Map<string, { path: string; user: number; name: string; sudo: boolean }>();
    users.forEach((user, i) => {
        if (user === undefined || user.access === "revoked") {
            return;
        }
        const name = iamUserNameOf(user.iamUser);
        const keys =
            user.sshPublicKeys !== undefined
                ? user.sshPublicKeys.map((entry, k) => ({ path: `users[${i}].sshPublicKeys[${k}]`, line: typeof entry === "string" ? entry : entry.key }))
                : user.sshPublicKey !== undefined
                  ? [{ path: `users[${i}].sshPublicKey`, line: user.sshPublicKey }]
                  : [];
        for (const { path, line } of keys) {
            const identity = keyIdentity(line);
            const first = owners.get(identity);
            if (first === undefined) {
                owners.set(identity, { path, user: i, name, sudo: user.sudo });
            } else if (first.user === i) {
                report(path, `is the same key as ${first.path}. List each key once.`);
            } else {
                const sudo = [first.sudo ? first.name : undefined, user.sudo ? name : undefined].filter((who) => who !== undefined);
                report(
                    path,
                    `is the same key as ${first.path}: whoever holds its private half could log in as both ${first.name} and ${name}` +
                        `${sudo.length > 0 ? `, with ${sudo.join(" and ")}'s sudo` : ""}. Each person needs their own key pair: ask ${name} for the .pub line of theirs.`,
                );
            }
        }
    });
}
