# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): sshd's marked block (which
# key files open a managed account, and from where) and the per-user key files it reads.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

readonly IPV4_CIDR_RE='^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$'
readonly IPV6_CIDR_RE='^[0-9a-f:]+/[0-9]{1,3}$'
# The node itself (`ssh localhost`, an MPI launcher starting ranks on its own node) is inside the cluster.
readonly NODE_ITSELF="127.0.0.1/32,::1/128"

# imds PATH: one IMDSv2 read with imds_token (imds_session gets one), the body on stdout.
imds_token=""
readonly IMDS_CURL=(curl -fsS --noproxy '*' --connect-timeout 2 --max-time 5)
imds_session() {
    imds_token="$("${IMDS_CURL[@]}" -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$PCA_IMDS_URL/latest/api/token")"
}
imds() {
    "${IMDS_CURL[@]}" -H "X-aws-ec2-metadata-token: $imds_token" "$PCA_IMDS_URL/latest/meta-data/$1"
}

# find_cluster_networks: the cluster's network as an sshd Match Address list in cluster_networks: the node
# itself and the VPC's IPv4 and IPv6 CIDR blocks (IMDS network/interfaces/macs/MAC/vpc-ipv4-cidr-blocks and
# vpc-ipv6-cidr-blocks, the latter 404 for a VPC without IPv6: docs.aws.amazon.com/AWSEC2/latest/UserGuide/
# instancedata-data-categories.html), or PCA_CLUSTER_NETWORKS when set. Every ParallelCluster node (head,
# compute, login) is in that VPC, and a node learns it alone, at no AWS API cost. Returns 1 when IMDS does
# not answer with CIDR blocks.
cluster_networks=""
find_cluster_networks() {
    local mac blocks v6 cidr list=""
    if [[ -n "$PCA_CLUSTER_NETWORKS" ]]; then
        blocks="${PCA_CLUSTER_NETWORKS//,/$'\n'}"
    else
        imds_session || return 1
        mac="$(imds mac)" || return 1
        [[ "$mac" =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] || return 1
        blocks="$(imds "network/interfaces/macs/$mac/vpc-ipv4-cidr-blocks")" || return 1
        if v6="$(imds "network/interfaces/macs/$mac/vpc-ipv6-cidr-blocks" 2>/dev/null)"; then blocks+=$'\n'"$v6"; fi
    fi
    while IFS= read -r cidr; do
        [[ -n "$cidr" ]] || continue
        [[ "$cidr" =~ $IPV4_CIDR_RE || "$cidr" =~ $IPV6_CIDR_RE ]] || return 1
        list+=",$cidr"
    done <<<"$blocks"
    [[ -n "$list" ]] || return 1
    cluster_networks="$NODE_ITSELF$list"
}

# ensure_sshd_block HOME_KEYS: the marked block that sends managed users' key lookups to PCA_KEYS_DIR, kept
# last in sshd_config (a Match block runs to the end of the file, and sshd's first value wins outside one, so
# a drop-in cannot override an AuthorizedKeysFile the main file sets, as Amazon Linux 2's does). Valid for
# OpenSSH 7.4 (Amazon Linux 2) onwards. Checked with `sshd -t` before it replaces the file; sshd reloaded
# only when it changed.
# HOME_KEYS (the document's `option home-keys`): `anywhere` lists ~/.ssh/authorized_keys after the roster's
# key file for every client; `cluster` only for clients inside the cluster's network (the intra-cluster key
# pair lives there, for MPI over SSH), so from outside only the roster's keys open the account and a key a
# user (or an intruder in their session) adds to ~/.ssh/authorized_keys is no way in. For a connection both
# Match blocks match, sshd takes each keyword's first value (sshd_config(5), Match), so the inside block
# comes first. Without the network (IMDS did not answer) the block is left as it is, or, on a node without
# one yet, written for the roster's keys alone; either way the cycle counts as failed and is retried.
ensure_sshd_block() {
    local home_keys="$1" current="" kept="" desired line in_block=0 had_block=0 tmp block
    [[ -f "$PCA_SSHD_CONFIG" ]] || { warn "no $PCA_SSHD_CONFIG: keys cannot be set up"; apply_failed=1; return; }
    IFS= read -r -d '' current <"$PCA_SSHD_CONFIG" || true
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" == "# BEGIN pcluster-access"* ]]; then in_block=1 had_block=1; continue; fi
        if ((in_block)); then [[ "$line" == "# END pcluster-access"* ]] && in_block=0; continue; fi
        kept+="$line"$'\n'
    done <<<"${current%$'\n'}"
    if [[ "$home_keys" == anywhere ]]; then
        block="Match Group $PCA_MARKER_GROUP
    AuthorizedKeysFile $PCA_KEYS_DIR/%u .ssh/authorized_keys
"
    elif find_cluster_networks; then
        block="Match Group $PCA_MARKER_GROUP Address $cluster_networks
    AuthorizedKeysFile $PCA_KEYS_DIR/%u .ssh/authorized_keys
Match Group $PCA_MARKER_GROUP
    AuthorizedKeysFile $PCA_KEYS_DIR/%u
"
    else
        apply_failed=1
        if ((had_block)); then
            warn "could not read the cluster's network from IMDS ($PCA_IMDS_URL): sshd's pcluster-access block left as it is"
            return
        fi
        warn "could not read the cluster's network from IMDS ($PCA_IMDS_URL): only the roster's keys open accounts until it answers"
        block="Match Group $PCA_MARKER_GROUP
    AuthorizedKeysFile $PCA_KEYS_DIR/%u
"
    fi
    desired="$kept# BEGIN pcluster-access: roster users' keys (roster-agent.sh keeps this block last; do not edit)
$block# END pcluster-access
"
    [[ "$desired" != "$current" ]] || return 0
    tmp="$(dirname "$PCA_SSHD_CONFIG")/.$(basename "$PCA_SSHD_CONFIG").pcluster-access"
    printf '%s' "$desired" >"$tmp"
    chmod --reference="$PCA_SSHD_CONFIG" "$tmp"
    if ! run "$PCA_SSHD" -t -f "$tmp"; then
        rm -f "$tmp"
        warn "sshd -t refused $PCA_SSHD_CONFIG with the pcluster-access block: left unchanged"
        return
    fi
    run mv -f "$tmp" "$PCA_SSHD_CONFIG" || return 0
    reload_sshd
}

reload_sshd() {
    local unit
    if [[ -n "$PCA_SSHD_RELOAD" ]]; then
        run /bin/sh -c "$PCA_SSHD_RELOAD" || true
        return 0
    fi
    for unit in sshd ssh; do
        if systemctl is-active --quiet "$unit" 2>/dev/null; then
            run systemctl reload "$unit" || true
            return 0
        fi
    done
    log "sshd is not running under systemd: it reads the new config when it starts"
}

# set_keys NAME: the user's key file as the roster says (allowed: its keys; otherwise none), staged: a file
# that changes is written into PCA_KEYS_DIR/.staging and moved into place by commit_keys, one mv for all of
# them (each a rename(2): sshd reads the old file or the new one, never half of one); an unchanged file is
# not touched. A name never starts with a dot, so the staging directory is no user's key file.
key_removals=()
staged_keys=0
set_keys() {
    local name="$1" file="$PCA_KEYS_DIR/$1" current=""
    if [[ "${user_state[$name]:-}" == allowed ]]; then
        if [[ -f "$file" ]]; then
            IFS= read -r -d '' current <"$file" || true
            [[ "$current" != "${user_keys[$name]}" ]] || return 0
        fi
        if ((staged_keys == 0)); then
            rm -rf "$PCA_KEYS_DIR/.staging"
            mkdir -m 0755 "$PCA_KEYS_DIR/.staging"
        fi
        # umask 022: the file is 0644, root's, as sshd requires of a key file outside the home.
        printf '%s' "${user_keys[$name]}" >"$PCA_KEYS_DIR/.staging/$name"
        staged_keys=$((staged_keys + 1))
    elif [[ -e "$file" ]]; then
        key_removals+=("$file")
    fi
}

# commit_keys: the staged key files moved into place and the removed ones deleted, one command each.
commit_keys() {
    if ((staged_keys > 0)); then
        run mv -f "$PCA_KEYS_DIR/.staging/"* "$PCA_KEYS_DIR/" || true
        rmdir "$PCA_KEYS_DIR/.staging" 2>/dev/null || true
        log "key files written: $staged_keys"
        staged_keys=0
    fi
    if ((${#key_removals[@]} > 0)); then
        run rm -f "${key_removals[@]}" || true
        key_removals=()
    fi
}
