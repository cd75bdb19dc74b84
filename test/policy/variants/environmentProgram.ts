/** index.ts's environment, with the active variant's overrides of ParallelClusterEnvironment's args. */
import { loadEnvironmentConfig } from "../../../components/config";
import { ParallelClusterEnvironment } from "../../../components/environment";
import { activeVariant } from "../support/variants";

const config = loadEnvironmentConfig();
const environment = new ParallelClusterEnvironment(config.cluster.name, { ...activeVariant().environment, config });

export const clusterConfiguration = environment.clusterConfiguration;
