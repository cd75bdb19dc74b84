/**
 * How the providers reach an endpoint: only through the SDK's standard settings. The providers take no
 * endpoint of their own; @aws-sdk/client-opsworks 3.876.0 reads AWS_ENDPOINT_URL_OPSWORKS, then
 * AWS_ENDPOINT_URL. The region input picks the SigV4 scope, hence the regional endpoint's state.
 */
import * as assert from "node:assert/strict";
import { stackProvider, userProfileProvider } from "../../../../components/access/opsworks/providers";
import { OpsWorksEmulator, startEmulator } from "../../../emulator";
import { pointSdkAt, profileInputs, stackInputs } from "./support";

describe("OpsWorks providers and the SDK's endpoint settings", () => {
    let specific: OpsWorksEmulator;
    let general: OpsWorksEmulator;
    let restore: () => void;

    before(async () => {
        specific = await startEmulator();
        general = await startEmulator();
        restore = pointSdkAt(specific.url, { AWS_ENDPOINT_URL: general.url });
    });
    after(async () => {
        restore();
        await specific.close();
        await general.close();
    });

    it("uses AWS_ENDPOINT_URL_OPSWORKS first, and AWS_ENDPOINT_URL when it is not set", async () => {
        await stackProvider.create(stackInputs());
        assert.deepEqual([specific.callCount("CreateStack"), general.callCount("CreateStack")], [1, 0]);

        const specificUrl = process.env.AWS_ENDPOINT_URL_OPSWORKS;
        delete process.env.AWS_ENDPOINT_URL_OPSWORKS;
        try {
            await stackProvider.create(stackInputs());
        } finally {
            process.env.AWS_ENDPOINT_URL_OPSWORKS = specificUrl;
        }
        assert.deepEqual([specific.callCount("CreateStack"), general.callCount("CreateStack")], [1, 1]);
    });

    it("signs for the region input, so each region keeps its own profiles", async () => {
        specific.reset();
        const inputs = profileInputs("alice");
        await userProfileProvider.create(inputs);
        await userProfileProvider.create({ ...inputs, region: "us-east-1" });
        assert.deepEqual(
            specific.calls.map((call) => [call.operation, call.region, call.status]),
            [
                ["CreateUserProfile", "eu-west-1", 200],
                ["CreateUserProfile", "us-east-1", 200],
            ],
        );
    });
});
