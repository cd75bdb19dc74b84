/** OpsWorks users on an OpsWorks stack, with no cluster configuration anywhere in the stack. */
import { loadEnvironmentConfig } from "../../../components/config";
import { ClusterUsers } from "../../../components/access/opsworks/clusterUsers";
import { OpsWorksStack } from "../../../components/access/opsworks/opsworksStack";

const config = loadEnvironmentConfig();
if (config.access.backend !== "opsworks") {
    throw new Error("this variant needs an OpsWorks stack file (access.backend: opsworks)");
}
const settings = config.access.opsworks;
const name = config.cluster.name;
const stack = new OpsWorksStack(`${name}-opsworks`, {
    settings,
    region: config.region,
    vpcId: "vpc-0123456789abcdef0",
    defaultSubnetId: "subnet-0123456789abcdef0",
});
new ClusterUsers(`${name}-users`, { users: config.users, region: config.region, stackId: stack.stackId, maxAttempts: settings.maxAttempts });
