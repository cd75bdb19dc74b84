#!/bin/bash
# pcluster-access node agent: turns the environment's roster document (components/access/roster/FORMAT.md)
# into POSIX accounts, SSH keys and sudo rights on this node, the job the OpsWorks agent did. post-install.sh
# (roster mode, ParallelCluster) or a launch template's user data (AWS PCS) fetches the agent as one bundle (this
# file and agent/*.sh, a tar the program uploads at AGENT_KEY) and runs its `setup` from an unpacked copy: the
# bundle installed, its settings, cron entry, log rotation and CloudWatch wiring written, one sync at once, then
# one every interval from cron. After each sync that changes something or fails, and hourly otherwise, it writes
# the node's status record (agent/status.sh).
#
# Usage:
#   roster-agent.sh sync          one cycle under a lock: a conditional fetch (one request; an unchanged
#                                 roster ends the cycle there), checks, then the apply
#   roster-agent.sh check FILE    check a roster document against the settings' environment, change nothing
#   roster-agent.sh sync-document FILE ETAG FROM
#                                 what an upgrading agent execs: the same cycle on the document it fetched
#   roster-agent.sh install FILE  install the agent bundle FILE (a tar of this file and agent/) as the agent
#                                 cron runs: its own directory under PCA_AGENT_HOME, switched to atomically
#   roster-agent.sh setup roster ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT PUBKEY
#                                 make this node run the agent (agent/setup.sh: PCA_BUNDLE, PCA_NODE_TYPE, PCA_REGION,
#                                 PCA_CLUSTER say what to install and what the node is)
#
# What it manages: accounts it created (members of the marker group), the project groups it created
# (listed in its state directory), one key file per user, one sudoers file and one marked block at the end
# of sshd_config. It never touches root, the image's default user, slurm, munge, any account with a UID
# under 1000 or any account or group it did not create; a name, UID or GID that clashes with one is skipped
# and logged loudly. It never deletes a home directory, never reuses a revoked UID, and on doubt (failed or
# denied fetch, a signature not made by this environment's key, bad checksum, unknown format, wrong
# environment, lower generation) changes nothing.
#
# The work is in agent/, one job a file (agent/settings.sh documents the PCA_* settings); they are sourced
# from this file's own directory, so a cycle runs the parts of the one release it started from.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# Setup writes the settings file: one left by an earlier setup (a cluster update) must not fill in what this one
# is not given.
[[ "${1:-}" != setup ]] || PCA_AGENT_CONF=/dev/null
export LC_ALL=C TZ=UTC
export AWS_PAGER=""
umask 022

# -P: the release directory itself, not the symlink cron calls through, which an upgrade may switch.
AGENT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
readonly AGENT_DIR

# shellcheck source=agent/settings.sh
source "$AGENT_DIR/agent/settings.sh"
# shellcheck source=agent/log.sh
source "$AGENT_DIR/agent/log.sh"
# shellcheck source=agent/fetch.sh
source "$AGENT_DIR/agent/fetch.sh"
# shellcheck source=agent/document.sh
source "$AGENT_DIR/agent/document.sh"
# shellcheck source=agent/expiry.sh
source "$AGENT_DIR/agent/expiry.sh"
# shellcheck source=agent/accountfiles.sh
source "$AGENT_DIR/agent/accountfiles.sh"
# shellcheck source=agent/accounts.sh
source "$AGENT_DIR/agent/accounts.sh"
# shellcheck source=agent/homes.sh
source "$AGENT_DIR/agent/homes.sh"
# shellcheck source=agent/sshd.sh
source "$AGENT_DIR/agent/sshd.sh"
# shellcheck source=agent/sudo.sh
source "$AGENT_DIR/agent/sudo.sh"
# shellcheck source=agent/instance-connect.sh
source "$AGENT_DIR/agent/instance-connect.sh"
# shellcheck source=agent/apply.sh
source "$AGENT_DIR/agent/apply.sh"
# shellcheck source=agent/install.sh
source "$AGENT_DIR/agent/install.sh"
# shellcheck source=agent/upgrade.sh
source "$AGENT_DIR/agent/upgrade.sh"
# shellcheck source=agent/fingerprints.sh
source "$AGENT_DIR/agent/fingerprints.sh"
# shellcheck source=agent/status.sh
source "$AGENT_DIR/agent/status.sh"
# shellcheck source=agent/setup.sh
source "$AGENT_DIR/agent/setup.sh"
# shellcheck source=agent/main.sh
source "$AGENT_DIR/agent/main.sh"

case "${1:-}" in
sync) sync_main ;;
sync-document) sync_main "${2:?}" "${3:?}" "${4:?}" ;;
check) PCA_LOG=/dev/null check_main "${2:-}" ;;
install) install_main "${2:-}" ;;
setup) setup_main "${@:2}" ;;
*)
    echo "usage: roster-agent.sh sync | check FILE | sync-document FILE ETAG FROM | install FILE | setup roster ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT PUBKEY" >&2
    exit 2
    ;;
esac
