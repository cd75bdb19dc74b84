/**
 * Node status (docs/node-status.md): what every node reports (record.ts), how the program reads it
 * (read.ts) and joins it with the cluster's instances (fleet.ts). The status command and `pulumi up`'s wait
 * for the roster to land are built on it.
 */
export { OWN_STATUS_KEY, STATUS_PREFIX, instanceIdOfKey, statusRecordParser, type StatusRecord } from "./record";
export { ago, assessFleet, progressLine, silentAfterSeconds, stragglerLine, type ClusterInstance, type FleetReport, type NodeRow } from "./fleet";
export { CLUSTER_NAME_TAG, NODE_TYPE_TAG, listClusterInstances, readNodeStatus, readRosterHead, readStatusRecords, type RecordCache } from "./read";
