#!/bin/bash
# First step of `npm test` and `npm run bench`: make sure the machine has what the suites run for real. Debian's awscli
# (2.9.19, the last CLI with the opsworks commands the node scripts call; the agent tests fetch the roster
# with it), shellcheck (the gate), openssh-server and sudo (the node agent's login tests run a real sshd
# and sudo in a mount namespace). As root with apt, it installs what is missing; anywhere else it stops
# at once with one line naming the packages. moto_server is Python's, not Debian's: it is only checked.
set -euo pipefail

missing=()
/usr/bin/aws opsworks register help >/dev/null 2>&1 || missing+=(awscli)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
{ command -v sudo && command -v visudo; } >/dev/null 2>&1 || missing+=(sudo)

if ((${#missing[@]} > 0)); then
    if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "npm test needs these Debian packages: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
        exit 1
    fi
    echo "[test-deps] installing ${missing[*]} from Debian" >&2
    started=$SECONDS
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    echo "[test-deps] installed in $((SECONDS - started)) s" >&2
fi
if ! command -v "${MOTO_SERVER:-moto_server}" >/dev/null 2>&1; then
    echo "npm test needs moto_server on PATH (Python: pip install 'moto[server]'); the EC2 and S3 tests start it" >&2
    exit 1
fi
# The roster signing tests run moto's server from test/support/moto_kms_digest.py with this interpreter.
if ! "${MOTO_PYTHON:-python3}" -c 'import moto.server, cryptography' >/dev/null 2>&1; then
    echo "npm test needs ${MOTO_PYTHON:-python3} to import moto (the one moto_server runs; set MOTO_PYTHON to it)" >&2
    exit 1
fi
