/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policy`. Constructing a PolicyPack starts the
 * analyzer's gRPC server, so this module does nothing else and nothing imports it.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies, POLICY_PACK_NAME } from "./policies";

new PolicyPack(POLICY_PACK_NAME, { policies });
