/**
 * The part of SigV4 the emulator checks: the Authorization header's credential scope
 * `<key>/<date>/<region>/opsworks/aws4_request`. The region in the scope picks the regional state,
 * as the regional endpoint does in AWS. Signatures are not verified (no secret is shared with the
 * emulator); their presence is. Error texts are the ones AWS sends for these cases.
 */
import { ApiError } from "./errors";
import { OPSWORKS_ENDPOINT_REGIONS } from "./regions";
import { SIGNING_NAME } from "./serviceModel";

export interface CredentialScope {
    readonly accessKeyId: string;
    readonly date: string;
    readonly region: string;
}

export function credentialScope(authorization: string | undefined): CredentialScope {
    if (!authorization) {
        throw new ApiError("MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    const [algorithm, ...rest] = authorization.trim().split(/\s+/);
    const params = new Map(
        rest
            .join(" ")
            .split(",")
            .map((part) => part.trim().split("=", 2) as [string, string | undefined]),
    );
    const missing = ["Credential", "Signature", "SignedHeaders"].filter((name) => !params.get(name));
    if (algorithm !== "AWS4-HMAC-SHA256" || missing.length > 0) {
        throw new ApiError(
            "IncompleteSignatureException",
            `Authorization header requires the AWS4-HMAC-SHA256 algorithm and the parameters Credential, Signature and SignedHeaders. Authorization=${algorithm}`,
        );
    }
    const scope = params.get("Credential")!.split("/");
    if (scope.length !== 5 || scope[4] !== "aws4_request") {
        throw new ApiError(
            "IncompleteSignatureException",
            `Credential should be scoped with a valid terminator: 'aws4_request', not '${scope[scope.length - 1]}'.`,
        );
    }
    const [accessKeyId, date, region, service] = scope;
    if (service !== SIGNING_NAME) {
        throw new ApiError("InvalidSignatureException", `Credential should be scoped to correct service: '${SIGNING_NAME}'. `);
    }
    if (!OPSWORKS_ENDPOINT_REGIONS.has(region)) {
        throw new ApiError("InvalidSignatureException", "Credential should be scoped to a valid region. ");
    }
    return { accessKeyId, date, region };
}
