/** OpsWorks users on an OpsWorks stack, with no cluster configuration anywhere in the stack. */
import { loadEnvironmentConfig } from "../../../components/config";
import { ClusterUsers } from "../../../components/clusterUsers";
import { OpsWorksStack } from "../../../components/opsworksStack";

const config = loadEnvironmentConfig();
const name = config.cluster.name;
const stack = new OpsWorksStack(`${name}-opsworks`, {
    settings: config.opsworks,
    region: config.region,
    vpcId: "vpc-0123456789abcdef0",
    defaultSubnetId: "subnet-0123456789abcdef0",
});
new ClusterUsers(`${name}-users`, { users: config.users, region: config.region, stackId: stack.stackId, maxAttempts: config.opsworks.maxAttempts });
