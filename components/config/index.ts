export { ConfigError, loadEnvironmentConfig, loadPoolConfig, loadStackConfig, type StackConfig } from "./load";
export type * from "./model";
export { formatProblems, parseEnvironmentConfig, parsePoolStackConfig, type RawConfigInput } from "./parse";
export * from "./parallelClusterRules";
export { OPSWORKS_REGIONS } from "./opsworksRegions";
