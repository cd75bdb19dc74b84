export { ConfigError, loadEnvironmentConfig } from "./load";
export type * from "./model";
export { formatProblems, parseEnvironmentConfig, type RawConfigInput } from "./parse";
export * from "./parallelClusterRules";
export { OPSWORKS_REGIONS } from "./opsworksRegions";
