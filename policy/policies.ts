/**
 * The pack's policies, in the order the analyzer lists them (resource policies run per resource, stack
 * policies after all resources). Importing this module starts nothing, so tests and the
 * offline plan (scripts/offline/policyHarness.ts) use it; index.ts alone builds the PolicyPack.
 */
import type { Policies } from "@pulumi/policy";
import { requiredDeployedConfiguration } from "./deployedConfiguration";
import { requiredConfiguredEndDates } from "./endDates";
import { discouragedScratchFileSystem } from "./fileSystems";
import { discouragedUpdateNeedingFleetStop } from "./fleetStop";
import { requiredOpsWorksIamPolicies } from "./iamPolicies";
import { prohibitedImdsV1WithoutNeed, requiredImdsV1ForOpsWorks } from "./imds";
import { discouragedAccessEndingSoon, requiredInstanceConnectClientIp, requiredInstanceConnectScope } from "./logins";
import { requiredNodeStatusGrant } from "./nodeStatus";
import { requiredOpsWorksStackPlacement } from "./opsworksStack";
import { prohibitedOtherClusterDocuments } from "./poolReads";
import { prohibitedPcsNodeRosterWrite, prohibitedPcsSshOpenToWorld } from "./pcs";
import { requiredPostInstallWiring } from "./postInstall";
import { prohibitedNodeSigningKeyUse, requiredRosterSigningKey, requiredSigningKeyRetention } from "./rosterSigning";
import { requiredConfiguredRosterAccess } from "./rosterAccess";
import { requiredConfiguredRosterOptions } from "./rosterOptions";
import { requiredRosterUids } from "./rosterUids";
import { requiredRosterWiring } from "./rosterWiring";
import { requiredPrivateScriptBucket } from "./scriptBucket";
import { discouragedSshOpenToWorld } from "./ssh";
import { discouragedAccessRevocation, discouragedSudoUsers, requiredValidSshPublicKey } from "./users";

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const POLICY_PACK_NAME = "pcluster-access";

export const policies: Policies = [
    requiredOpsWorksIamPolicies,
    requiredPostInstallWiring,
    requiredImdsV1ForOpsWorks,
    prohibitedImdsV1WithoutNeed,
    requiredOpsWorksStackPlacement,
    requiredRosterWiring,
    prohibitedOtherClusterDocuments,
    requiredRosterUids,
    requiredRosterSigningKey,
    prohibitedNodeSigningKeyUse,
    requiredSigningKeyRetention,
    requiredValidSshPublicKey,
    requiredPrivateScriptBucket,
    requiredDeployedConfiguration,
    requiredInstanceConnectScope,
    requiredInstanceConnectClientIp,
    requiredConfiguredEndDates,
    requiredConfiguredRosterOptions,
    requiredConfiguredRosterAccess,
    requiredNodeStatusGrant,
    prohibitedPcsSshOpenToWorld,
    prohibitedPcsNodeRosterWrite,
    discouragedSudoUsers,
    discouragedAccessRevocation,
    discouragedScratchFileSystem,
    discouragedSshOpenToWorld,
    discouragedUpdateNeedingFleetStop,
    discouragedAccessEndingSoon,
];
