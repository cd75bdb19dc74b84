#!/bin/bash
# pcluster-access on an AWS PCS node: the shell part of every node group's launch template user data
# (components/pcs/userData.ts prepends the settings below as `export` lines). cloud-init runs it as root
# after the node registers with PCS and before slurmd starts (PCS user guide, "Working with Amazon EC2 user
# data": text/x-shellscript parts run "after registration completes, but before the Slurm daemon starts"),
# so users exist before the node takes jobs. It does what ParallelCluster's post-install does for the
# roster backend, without ParallelCluster's cfnconfig: mounts the shared /home (PCS has no head node to
# export it), fetches the node agent bundle and runs the bundle's setup with the same six words, telling it
# the node type and region through PCA_NODE_TYPE and PCA_REGION.
#
# Settings (environment):
#   PCA_NODE_TYPE          LoginNode (the login node group) or ComputeFleet (a queue's compute node group)
#   PCA_REGION             the environment's region (its bucket's)
#   PCA_HOMES              locked on login nodes: they create missing homes, one at a time across nodes
#                          (an flock on the shared home base); empty on compute nodes, which never do
#   PCA_HOME_FSTYPE        nfs4 (EFS) or lustre (FSx for Lustre)
#   PCA_HOME_SOURCE        what is mounted at /home: fs-ID.efs.REGION.amazonaws.com:/ or DNSNAME@tcp:/MOUNTNAME
#   PCA_AGENT_URL          s3://BUCKET/KEY of the agent bundle (the second word's sibling: AGENT_URL)
#   PCA_SETUP_WORDS        the six words post-install takes: roster ROSTER_URL AGENT_URL INTERVAL ENVIRONMENT
#                          PUBKEY, space-separated (none holds whitespace)
#   PCA_AWS_CLI            AWS CLI (default aws); PCA_S3_ENDPOINT_URL: --endpoint-url for S3 (tests)
#   PCA_FETCH_ATTEMPTS     attempts to fetch the bundle (default 5, 10 s apart: the NAT route may lag the boot)
set -euo pipefail

: "${PCA_NODE_TYPE:?LoginNode or ComputeFleet}"
: "${PCA_REGION:?the region}"
: "${PCA_HOMES:=}"
: "${PCA_HOME_FSTYPE:?nfs4 or lustre}"
: "${PCA_HOME_SOURCE:?the shared home file system}"
: "${PCA_AGENT_URL:?s3://BUCKET/KEY of the agent bundle}"
: "${PCA_SETUP_WORDS:?the six words of roster mode}"
: "${PCA_AWS_CLI:=aws}"
: "${PCA_S3_ENDPOINT_URL:=}"
: "${PCA_FETCH_ATTEMPTS:=5}"
export PCA_NODE_TYPE PCA_REGION PCA_HOMES PCA_AWS_CLI PCA_S3_ENDPOINT_URL

readonly HOME_BASE=/home
# On the shared file system, so login nodes take turns (NFSv4 sends flock to the server: nfs(5), local_lock).
readonly HOMES_LOCK="$HOME_BASE/.pcluster-access-homes.lock"
# The bundle's setup entry (agent/setup.sh, run as `roster-agent.sh setup` from the unpacked bundle, as
# post-install.sh's roster mode runs it on ParallelCluster).
readonly SETUP_ENTRY="roster-agent.sh"

log() {
    printf '%s pcs-node: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
    logger -t pcluster-access-pcs -- "$*" 2>/dev/null || true
}

die() {
    log "error: $*"
    exit 1
}

case "$PCA_NODE_TYPE" in
LoginNode | ComputeFleet) ;;
*) die "PCA_NODE_TYPE '$PCA_NODE_TYPE' is not LoginNode or ComputeFleet" ;;
esac
case "$PCA_HOME_FSTYPE" in
nfs4) home_options="nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev" ;;
lustre) home_options="relatime,flock,_netdev" ;;
*) die "PCA_HOME_FSTYPE '$PCA_HOME_FSTYPE' is not nfs4 or lustre" ;;
esac
[[ "$PCA_AGENT_URL" =~ ^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^[:space:]]+)$ ]] || die "PCA_AGENT_URL '$PCA_AGENT_URL' is not s3://BUCKET/KEY"
agent_bucket="${BASH_REMATCH[1]}" agent_key="${BASH_REMATCH[2]}"
read -r -a words <<<"$PCA_SETUP_WORDS"
if ((${#words[@]} != 6)) || [[ "${words[0]}" != roster ]]; then
    die "PCA_SETUP_WORDS must be the six words of roster mode, got ${#words[@]}: $PCA_SETUP_WORDS"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# mount_homes: the shared file system at /home (EFS's recommended NFS options: EFS user guide, "Mounting EFS
# file systems using the NFS client"), recorded in /etc/fstab for reboots. What the AMI had in /home (its
# default user's home, with the key cloud-init put there) would be hidden by the mount: copied onto the
# shared file system first, unless a node already did.
mount_homes() {
    local entry fstab_line
    if [[ "$(findmnt -rn --mountpoint "$HOME_BASE" -o FSTYPE 2>/dev/null || true)" == "$PCA_HOME_FSTYPE" ]]; then
        log "$HOME_BASE is already a $PCA_HOME_FSTYPE mount"
        return
    fi
    mkdir -p "$HOME_BASE" "$work/local-home"
    cp -a "$HOME_BASE/." "$work/local-home/"
    log "mounting $PCA_HOME_SOURCE ($PCA_HOME_FSTYPE) at $HOME_BASE"
    mount -t "$PCA_HOME_FSTYPE" -o "$home_options" "$PCA_HOME_SOURCE" "$HOME_BASE" || die "could not mount $PCA_HOME_SOURCE at $HOME_BASE"
    fstab_line="$PCA_HOME_SOURCE $HOME_BASE $PCA_HOME_FSTYPE $home_options 0 0"
    grep -qxF -- "$fstab_line" /etc/fstab 2>/dev/null || printf '%s\n' "$fstab_line" >>/etc/fstab
    (
        flock -w 120 9 || die "could not lock $HOMES_LOCK to keep the image's own homes"
        for entry in "$work/local-home"/* "$work/local-home"/.[!.]*; do
            [[ -e "$entry" && ! -e "$HOME_BASE/${entry##*/}" ]] || continue
            cp -a "$entry" "$HOME_BASE/" && log "kept the image's ${entry##*/} in $HOME_BASE"
        done
    ) 9>>"$HOMES_LOCK"
}

# fetch_bundle: the agent bundle from the environment's bucket, a few times (the route out may lag the boot).
fetch_bundle() {
    local attempt
    for ((attempt = 1; attempt <= PCA_FETCH_ATTEMPTS; attempt++)); do
        if "$PCA_AWS_CLI" s3api get-object --region "$PCA_REGION" ${PCA_S3_ENDPOINT_URL:+--endpoint-url "$PCA_S3_ENDPOINT_URL"} \
            --bucket "$agent_bucket" --key "$agent_key" "$work/agent.tar" >/dev/null 2>"$work/fetch.err"; then
            return
        fi
        log "could not fetch $PCA_AGENT_URL (attempt $attempt of $PCA_FETCH_ATTEMPTS): $(tr '\n' ' ' <"$work/fetch.err")"
        ((attempt == PCA_FETCH_ATTEMPTS)) || sleep 10
    done
    die "could not fetch the node agent bundle $PCA_AGENT_URL"
}

log "PCS ${PCA_NODE_TYPE} node in $PCA_REGION: /home from $PCA_HOME_SOURCE, agent $PCA_AGENT_URL"
mount_homes
fetch_bundle
mkdir -p "$work/bundle"
tar -xf "$work/agent.tar" -C "$work/bundle" --no-same-owner || die "$PCA_AGENT_URL is not the node agent bundle"
[[ -f "$work/bundle/$SETUP_ENTRY" ]] || die "$PCA_AGENT_URL has no $SETUP_ENTRY"
# The cluster is the environment (the fifth word): its status records name it.
PCA_BUNDLE="$work/agent.tar" PCA_CLUSTER="${words[4]}" bash "$work/bundle/$SETUP_ENTRY" setup "${words[@]}" || die "the node agent's setup failed"
log "node agent set up"
