/**
 * What the agent's tests must never change on the host: its account files, sudoers, sshd config, and
 * the contents of /home and /var/mail. Compared as SHA-256 digests and listings before and after.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const FILES = ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh/sshd_config"];
const DIRS = ["/etc/sudoers.d", "/home", "/var/mail", "/var/lib/pcluster-access", "/opt", "/etc/cron.d"];

export function hostAccountFiles(): Record<string, string> {
    const digests: Record<string, string> = {};
    const files = [...FILES];
    for (const dir of DIRS) {
        const entries = existsSync(dir) ? readdirSync(dir).sort() : [];
        digests[`${dir}/`] = entries.join(" ");
        if (dir === "/etc/sudoers.d") files.push(...entries.map((e) => path.join(dir, e)));
    }
    for (const file of files) {
        digests[file] = existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "absent";
    }
    return digests;
}
