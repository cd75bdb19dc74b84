/**
 * discouraged-ssh-open-to-world: the head node sits in a public subnet, and ParallelCluster opens its SSH
 * port to 0.0.0.0/0 unless told otherwise (HeadNode.Ssh.AllowedIps in 3.x, ssh_from in 2.x). Keys are
 * still needed, but the whole internet can knock on sshd; most sites allow only an office or VPN range.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configurationModelOf } from "./lib/clusterConfiguration";
import { isKnown } from "./lib/known";

/** A /0 block is every IPv4 address, whatever its address part. */
function isWholeInternet(allowedIps: string): boolean {
    return /^\d{1,3}(\.\d{1,3}){3}\/0$/.test(allowedIps.trim());
}

export const discouragedSshOpenToWorld: ResourceValidationPolicy = {
    name: "discouraged-ssh-open-to-world",
    description: "Checks whether the cluster accepts SSH from anywhere on the internet (0.0.0.0/0, ParallelCluster's default).",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const model = configurationModelOf(args);
        if (model === undefined) {
            return;
        }
        for (const source of model.sshSources) {
            const allowedIps = source.allowedIps;
            if (!isKnown(allowedIps) || (allowedIps !== undefined && !isWholeInternet(allowedIps))) {
                continue;
            }
            const setting = allowedIps === undefined ? `${source.path} is not set, and ParallelCluster then allows 0.0.0.0/0` : `${source.path} is ${allowedIps}`;
            reportViolation(
                `SSH to ${source.label} is open to the whole internet (${setting}): anyone can reach sshd and try logins. ` +
                    "Set pcluster-access:cluster.sshAllowedIps to the range your users connect from (an office or VPN CIDR block, or a prefix list id in v3).",
            );
        }
    },
};
