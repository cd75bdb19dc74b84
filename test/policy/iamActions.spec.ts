import * as assert from "node:assert/strict";
import { actionCovers, statementCovers } from "../../policy/lib/iamActions";

describe("policy/lib/iamActions: IAM's Action matching", () => {
    it("matches exactly, in any case, with * for any run and ? for one character", () => {
        const cases: [string, string, boolean][] = [
            ["kms:Sign", "kms:Sign", true],
            ["KMS:SIGN", "kms:sign", true],
            ["kms:*", "kms:PutKeyPolicy", true],
            ["*", "ec2-instance-connect:OpenTunnel", true],
            ["kms:*Alias", "kms:UpdateAlias", true],
            ["kms:*Alias", "kms:ListAliases", false],
            ["kms:Sig?", "kms:Sign", true],
            ["kms:Sig?", "kms:Signs", false],
            ["kms:Sign", "kms:SignX", false],
            ["kms:Sign.", "kms:SignX", false],
            ["ec2-instance-connect:Send*", "ec2-instance-connect:SendSSHPublicKey", true],
            ["ec2-instance-connect:Send*", "ec2:SendSSHPublicKey", false],
        ];
        assert.deepEqual(
            cases.filter(([pattern, action, expected]) => actionCovers(pattern, action) !== expected),
            [],
        );
    });

    it("applies a statement to what its Action lists, or to everything its NotAction does not", () => {
        assert.equal(statementCovers({ Action: ["kms:Sign", "kms:Verify"] }, "kms:Sign"), true);
        assert.equal(statementCovers({ Action: "kms:Verify" }, "kms:Sign"), false);
        assert.equal(statementCovers({ NotAction: "kms:Decrypt" }, "kms:Sign"), true);
        assert.equal(statementCovers({ NotAction: ["kms:Sig*"] }, "kms:Sign"), false);
        assert.equal(statementCovers({ NotAction: "s3:*" }, "ec2-instance-connect:SendSSHPublicKey"), true);
        assert.equal(statementCovers({}, "kms:Sign"), false);
    });
});
