/**
 * SSH usernames: OpsWorks' derivation rule and the Linux login rules the cluster nodes enforce.
 */

/**
 * OpsWorks keeps letters, digits, '-' and '_' and drops other punctuation (`adam.black` becomes
 * `adamblack`); an omitted SshUsername is derived from the IAM user name the same way
 * (CreateUserProfile, reference/opsworks.md).
 */
export function deriveSshUsername(iamUserName: string): string {
    return iamUserName.replace(/[^A-Za-z0-9_-]/g, "");
}

/**
 * The `useradd` default NAME_REGEX with the 32-character limit: portable across the cluster's Linux
 * distributions (Ubuntu's adduser refuses uppercase, for one).
 */
export const SSH_USERNAME_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;

export const SSH_USERNAME_RULE =
    "lowercase letters, digits, '-' and '_', starting with a letter or '_', at most 32 characters";

/**
 * Accounts that exist on ParallelCluster nodes already: the OpsWorks agent would take them over, or fail.
 * System accounts of the supported images, the image default users, and the scheduler's and
 * ParallelCluster's own service users.
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
    "root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "operator", "games", "ftp",
    "nobody", "nfsnobody", "dbus", "polkitd", "sshd", "chrony", "rpc", "rpcuser", "tss", "postfix",
    "systemd-network", "systemd-resolve", "systemd-timesync", "systemd-coredump", "messagebus", "syslog",
    "libstoragemgmt", "ec2-instance-connect", "_apt", "uuidd", "www-data", "sys", "man", "news", "uucp",
    "proxy", "backup", "list", "irc", "gnats",
    "ec2-user", "centos", "ubuntu", "rocky", "admin", "cloud-user",
    "slurm", "munge", "pcluster-admin", "pcluster-scheduler-plugin", "dcvextauth", "dcv", "opsworks",
    "aws-opsworks", "nvidia-persistenced",
]);
