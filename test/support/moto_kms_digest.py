"""moto_server with two behaviours of real KMS that moto 5.2.1 lacks, for the roster signing tests.

1. Sign with MessageType DIGEST. moto 5.2.1 reads MessageType and ignores it (moto/kms/responses.py
   `sign`), so it hashes the digest again and signs SHA-256(digest): a signature no verifier of the
   document accepts (getmoto/moto#10202, open, proposes the same fix). Real KMS "skips the hashing step"
   and requires the digest's length to match the algorithm (Sign API reference, MessageType). Here:
   ECDSA over the given digest with cryptography's Prehashed, 32 bytes for ECDSA_SHA_256.
2. A key that is not Enabled does not sign. moto 5.2.1 signs with a disabled key or one pending deletion;
   real KMS answers KMSInvalidStateException ("the key can't be used in any cryptographic operations",
   ScheduleKeyDeletion API reference).

test/access/roster/motoKms.spec.ts checks stock moto still behaves as said, so this file goes when moto is fixed.
Everything else is moto's own server (moto.server.main), with the same arguments as moto_server.
"""
import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
from moto.core.exceptions import JsonRESTError
from moto.kms import responses
from moto.kms.exceptions import ValidationException
from moto.server import main

DIGESTS = {"ECDSA_SHA_256": hashes.SHA256(), "ECDSA_SHA_384": hashes.SHA384(), "ECDSA_SHA_512": hashes.SHA512()}
stock_sign = responses.KmsResponse.sign


class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("KMSInvalidStateException", message)


def sign(self):
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    key = self.kms_backend.describe_key(self.kms_backend.get_key_id(key_id))
    if key.key_state != "Enabled":
        raise KMSInvalidStateException(f"{key.arn} is {key.key_state}.")
    if self._get_param("MessageType") != "DIGEST":
        return stock_sign(self)
    algorithm = self._get_param("SigningAlgorithm")
    digest = self._get_param("Message")
    private = getattr(key.private_key, "private_key", None)
    if algorithm not in DIGESTS or not isinstance(private, ec.EllipticCurvePrivateKey):
        raise ValidationException(f"moto_kms_digest.py signs digests with ECDSA keys only, not {algorithm}")
    if len(digest) != DIGESTS[algorithm].digest_size:
        raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
    signature = private.sign(digest, ec.ECDSA(utils.Prehashed(DIGESTS[algorithm])))
    return json.dumps({"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(), "SigningAlgorithm": algorithm})


responses.KmsResponse.sign = sign

if __name__ == "__main__":
    main()
