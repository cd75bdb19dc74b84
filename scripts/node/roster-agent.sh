#!/bin/bash
# pcluster-access node agent: turns the environment's roster document (components/access/roster/FORMAT.md)
# into POSIX accounts, SSH keys and sudo rights on this node, the job the OpsWorks agent did. post-install.sh
# (roster mode) installs it at /opt/pcluster-access/roster-agent.sh, writes its settings file, runs one
# sync at once and then every interval from cron.
#
# Usage:
#   roster-agent.sh sync          one cycle under a lock: a conditional fetch (one request; an unchanged
#                                 roster ends the cycle there), checks, then the apply
#   roster-agent.sh check FILE    check a roster document against the settings' environment, change nothing
#
# What it manages: accounts it created (members of the marker group), the project groups it created
# (listed in its state directory), one key file per user, one sudoers file and one marked block at the end
# of sshd_config. It never touches root, the image's default user, slurm, munge, any account with a UID
# under 1000 or any account or group it did not create; a name, UID or GID that clashes with one is skipped
# and logged loudly. It never deletes a home directory, never reuses a revoked UID, and on doubt (failed or
# denied fetch, bad checksum, unknown format, wrong environment, lower generation) changes nothing.
#
# Settings: the settings file (PCA_AGENT_CONF, KEY=VALUE lines written by post-install.sh) sets any
# variable below that the environment does not already set; the rest take these defaults. Bash 4.2
# (Amazon Linux 2), coreutils, shadow-utils, sudo and any AWS CLI; no jq.
#   PCA_AGENT_CONF        settings file (default /etc/pcluster-access/roster-agent.conf)
#   PCA_ROSTER_URL        s3://BUCKET/KEY of the roster document (required)
#   PCA_ENVIRONMENT       this environment's name; a document for any other is refused (required)
#   PCA_NODE_TYPE         ParallelCluster's cfn_node_type; home directories and the intra-cluster key
#                         pair are created only on the head node (HeadNode or MasterServer) (required)
#   PCA_REGION            the bucket's region (required)
#   PCA_AWS_CLI           AWS CLI (default: aws on PATH); any version has s3api get-object
#   PCA_S3_ENDPOINT_URL   test and air-gapped hook: --endpoint-url for S3; empty = AWS's
#   PCA_STATE_DIR         last ETag, generation, managed groups, retired UIDs (default /var/lib/pcluster-access/roster)
#   PCA_LOG               log file (default /var/log/pcluster-access-roster.log); warnings also go to syslog
#   PCA_LOCK              lock file (default /var/lock/pcluster-access-roster.lock)
#   PCA_LOGGER            syslog command, called as: PCA_LOGGER -t TAG -p PRIORITY -- MESSAGE (default logger)
#   PCA_KEYS_DIR          root-owned directory of key files, one per user, read by sshd
#                         (default /etc/pcluster-access/authorized_keys)
#   PCA_SSHD_CONFIG       sshd's config file, which gets the marked block (default /etc/ssh/sshd_config)
#   PCA_SSHD              sshd binary, for `sshd -t` (default /usr/sbin/sshd)
#   PCA_SSHD_RELOAD       command that reloads sshd; empty = `systemctl reload` of sshd or ssh, whichever runs
#   PCA_SUDOERS           the one sudoers file (default /etc/sudoers.d/pcluster-access)
#   PCA_MARKER_GROUP      the group that marks managed accounts (default pcluster-access)
#   PCA_HOME_BASE         parent of home directories (default /home)
#   PCA_SHELL             login shell of new accounts (default /bin/bash)
#   PCA_PROTECTED         names never managed, whatever the roster says (default: root, the images' default
#                         users, ParallelCluster's service accounts)
set -euo pipefail
export LC_ALL=C TZ=UTC
export AWS_PAGER=""
umask 022

readonly LOG_TAG=roster-agent
readonly ROSTER_MAGIC="pcluster-access-roster"
readonly ROSTER_FORMAT=1
readonly NAME_RE='^[a-z_][a-z0-9_-]{0,31}$'
readonly ENV_RE='^[A-Za-z][A-Za-z0-9-]{0,59}$'
readonly ID_RE='^[1-9][0-9]{3,4}$'
readonly KEY_TYPE_RE='^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$'
readonly B64_RE='^[A-Za-z0-9+/]+={0,2}$'
readonly S3_URL_RE='^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^[:space:]]+)$'
# useradd's -e takes a date; day 1 is in the past everywhere, which sshd (with or without PAM) refuses.
readonly EXPIRED_DATE=1970-01-02
readonly EXPIRED_DAYS=1

# load_settings FILE: KEY=VALUE lines (values without quotes or whitespace) for variables the environment
# does not set. Read, not sourced: the file is data.
load_settings() {
    local line name value
    [[ -f "$1" ]] || return 0
    while IFS= read -r line || [[ -n "$line" ]]; do
        [[ "$line" =~ ^(PCA_[A-Z0-9_]+)=([^[:space:]]*)$ ]] || continue
        name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
        [[ -n "${!name+set}" ]] || printf -v "$name" '%s' "$value"
    done <"$1"
}

: "${PCA_AGENT_CONF:=/etc/pcluster-access/roster-agent.conf}"
load_settings "$PCA_AGENT_CONF"
: "${PCA_ROSTER_URL:=}"
: "${PCA_ENVIRONMENT:=}"
: "${PCA_NODE_TYPE:=}"
: "${PCA_REGION:=}"
: "${PCA_AWS_CLI:=aws}"
: "${PCA_S3_ENDPOINT_URL:=}"
: "${PCA_STATE_DIR:=/var/lib/pcluster-access/roster}"
: "${PCA_LOG:=/var/log/pcluster-access-roster.log}"
: "${PCA_LOCK:=/var/lock/pcluster-access-roster.lock}"
: "${PCA_LOGGER:=logger}"
: "${PCA_KEYS_DIR:=/etc/pcluster-access/authorized_keys}"
: "${PCA_SSHD_CONFIG:=/etc/ssh/sshd_config}"
: "${PCA_SSHD:=/usr/sbin/sshd}"
: "${PCA_SSHD_RELOAD:=}"
: "${PCA_SUDOERS:=/etc/sudoers.d/pcluster-access}"
: "${PCA_MARKER_GROUP:=pcluster-access}"
: "${PCA_HOME_BASE:=/home}"
: "${PCA_SHELL:=/bin/bash}"
: "${PCA_PROTECTED:=root ec2-user ubuntu centos rocky admin slurm munge pcluster-admin dcvextauth slurmrestd}"

# ---------------------------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------------------------

# log MESSAGE: one UTC-stamped line to the log file and stderr (printf's clock: no fork per line).
log() {
    local line
    printf -v line '%(%Y-%m-%dT%H:%M:%SZ)T %s: %s' -1 "$LOG_TAG" "$*"
    printf '%s\n' "$line" >>"$PCA_LOG"
    printf '%s\n' "$line" >&2
}

# warn MESSAGE: log, and to syslog too: what an administrator must see (clashes, refusals, failures).
warn() {
    log "WARNING: $*"
    "$PCA_LOGGER" -t "$LOG_TAG" -p auth.warning -- "$*" 2>/dev/null || true
}

die() {
    log "error: $*"
    "$PCA_LOGGER" -t "$LOG_TAG" -p auth.err -- "$*" 2>/dev/null || true
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Account commands: every command that changes the node goes through run, which logs it first
# ---------------------------------------------------------------------------------------------

commands_run=0
apply_failed=0

# run CMD ARGS..: log and run one command that changes the node; a failure is logged and remembered
# (the cycle then does not record the generation, so the next cycle applies the document again).
run() {
    commands_run=$((commands_run + 1))
    log "run: $*"
    local out status=0
    out="$("$@" 2>&1)" || status=$?
    [[ -z "$out" ]] || log "  $1: ${out//$'\n'/ | }"
    if ((status != 0)); then
        warn "failed (exit $status): $*"
        apply_failed=1
        return 1
    fi
    return 0
}

# install_text DEST MODE CONTENT: put CONTENT at DEST atomically (a dot file beside it, renamed) unless
# DEST already holds exactly that. An argument, not stdin: a function at the end of a pipe runs in a
# subshell, and the command count and failure flag must survive it.
install_text() {
    local dest="$1" mode="$2" content="$3" tmp
    if [[ -f "$dest" ]]; then
        local current=""
        IFS= read -r -d '' current <"$dest" || true
        [[ "$current" != "$content" ]] || return 0
    fi
    tmp="$(dirname "$dest")/.$(basename "$dest").new"
    printf '%s' "$content" >"$tmp"
    chmod "$mode" "$tmp"
    run mv -f "$tmp" "$dest" || true
}

# ---------------------------------------------------------------------------------------------
# Settings and fetch
# ---------------------------------------------------------------------------------------------

bucket="" key=""

check_settings() {
    [[ "$PCA_ROSTER_URL" =~ $S3_URL_RE ]] ||
        die "PCA_ROSTER_URL '$PCA_ROSTER_URL' is not s3://BUCKET/KEY (set it in $PCA_AGENT_CONF; post-install.sh writes it)"
    bucket="${BASH_REMATCH[1]}" key="${BASH_REMATCH[2]}"
    [[ "$PCA_ENVIRONMENT" =~ $ENV_RE ]] ||
        die "PCA_ENVIRONMENT '$PCA_ENVIRONMENT' is not an environment name (letters, digits and '-', starting with a letter, at most 60)"
    [[ "$PCA_NODE_TYPE" =~ ^(HeadNode|MasterServer|ComputeFleet|LoginNode)$ ]] ||
        die "PCA_NODE_TYPE '$PCA_NODE_TYPE' is not HeadNode, MasterServer, ComputeFleet or LoginNode"
    [[ "$PCA_REGION" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || die "PCA_REGION '$PCA_REGION' is not an AWS region"
    [[ "$PCA_MARKER_GROUP" =~ $NAME_RE ]] || die "PCA_MARKER_GROUP '$PCA_MARKER_GROUP' is not a group name"
}

is_head_node() {
    [[ "$PCA_NODE_TYPE" == HeadNode || "$PCA_NODE_TYPE" == MasterServer ]]
}

# fetch OUT: the roster into OUT and its ETag into fetched_etag. Returns 0 (new body), 2 (304: unchanged
# since the last applied ETag) or 1 (any failure, logged).
fetched_etag=""
fetch() {
    local out="$1" last="" answer err status=0
    [[ -f "$PCA_STATE_DIR/etag" ]] && IFS= read -r last <"$PCA_STATE_DIR/etag"
    err="$PCA_STATE_DIR/fetch.err"
    # ${x:+...} rather than arrays: bash 4.2 calls an empty array unbound under set -u.
    answer="$("$PCA_AWS_CLI" s3api get-object --region "$PCA_REGION" \
        ${PCA_S3_ENDPOINT_URL:+--endpoint-url "$PCA_S3_ENDPOINT_URL"} \
        --bucket "$bucket" --key "$key" ${last:+--if-none-match "$last"} \
        --query ETag --output text "$out" 2>"$err")" || status=$?
    if ((status == 0)); then
        fetched_etag="$answer"
        return 0
    fi
    # Both CLI generations report a conditional miss as "An error occurred (304) ...".
    if grep -q '(304)' "$err"; then
        return 2
    fi
    warn "fetching $PCA_ROSTER_URL failed (exit $status): $(tr '\n' ' ' <"$err")"
    return 1
}

# ---------------------------------------------------------------------------------------------
# The document: parsed completely, or refused
# ---------------------------------------------------------------------------------------------

doc_generation=""
group_names=()
declare -A group_gid=() group_members=()
user_names=()
declare -A user_uid=() user_gid=() user_state=() user_sudo=() user_keys=()

# refuse REASON: why the document is not applied (parse_roster's caller logs it).
refuse_reason=""
refuse() {
    refuse_reason="$*"
    return 1
}

# parse_roster FILE: fill the tables above, or return 1 with refuse_reason set.
parse_roster() {
    local file="$1" size lines=() n i line last total=0 body_size digest
    local prev_group="" prev_user="" current="" name id gid state sudo type blob member members=()
    declare -A uids=() user_gids=() group_gids=()
    size="$(stat -c %s "$file")"
    ((size > 0)) || refuse "the document is empty" || return 1
    # ASCII text only: a NUL, CR, tab or any byte outside printable ASCII is not format 1.
    if grep -q '[^ -~]' "$file"; then refuse "the document has bytes that are not printable ASCII" || return 1; fi
    mapfile -t lines <"$file"
    for line in "${lines[@]}"; do total=$((total + ${#line} + 1)); done
    ((total == size)) || refuse "the last line does not end with a line feed (truncated)" || return 1
    n=${#lines[@]}
    last="${lines[n - 1]}"
    [[ "$last" =~ ^end\ ([0-9a-f]{64})$ ]] || refuse "the last line is not an end line (truncated or corrupt)" || return 1
    body_size=$((size - ${#last} - 1))
    digest="$(head -c "$body_size" "$file" | sha256sum)"
    [[ "${digest%% *}" == "${BASH_REMATCH[1]}" ]] ||
        refuse "the end line's SHA-256 does not match the document (corrupt or truncated)" || return 1
    ((n >= 4)) || refuse "too few lines" || return 1

    if [[ "${lines[0]}" =~ ^${ROSTER_MAGIC}\ ([0-9]+)$ ]]; then
        [[ "${BASH_REMATCH[1]}" == "$ROSTER_FORMAT" ]] ||
            refuse "unknown format version ${BASH_REMATCH[1]} (this agent knows $ROSTER_FORMAT)" || return 1
    else
        refuse "line 1 is not '$ROSTER_MAGIC N'" || return 1
    fi
    [[ "${lines[1]}" =~ ^environment\ (.+)$ ]] || refuse "line 2 is not 'environment NAME'" || return 1
    [[ "${BASH_REMATCH[1]}" == "$PCA_ENVIRONMENT" ]] ||
        refuse "the document is for environment '${BASH_REMATCH[1]}', this node is in '$PCA_ENVIRONMENT'" || return 1
    [[ "${lines[2]}" =~ ^generation\ ([1-9][0-9]{0,17})$ ]] || refuse "line 3 is not 'generation N'" || return 1
    doc_generation="${BASH_REMATCH[1]}"

    for ((i = 3; i < n - 1; i++)); do
        line="${lines[i]}"
        if [[ "$line" =~ ^group\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" gid="${BASH_REMATCH[2]}" member="${BASH_REMATCH[3]}"
            [[ -z "$prev_user" ]] || refuse "line $((i + 1)): group lines come before user lines" || return 1
            [[ "$name" =~ $NAME_RE ]] || refuse "line $((i + 1)): bad group name '$name'" || return 1
            [[ -z "$prev_group" || "$prev_group" < "$name" ]] || refuse "line $((i + 1)): groups not sorted by name" || return 1
            id_in_range "$gid" || refuse "line $((i + 1)): GID '$gid' is not 1000 to 60000" || return 1
            [[ -z "${group_gids[$gid]+set}" ]] || refuse "line $((i + 1)): GID $gid used twice" || return 1
            [[ "$member" == - || "$member" =~ ^[a-z_][a-z0-9_-]{0,31}(,[a-z_][a-z0-9_-]{0,31})*$ ]] ||
                refuse "line $((i + 1)): bad member list '$member'" || return 1
            group_gids[$gid]="$name"
            group_names+=("$name")
            group_gid[$name]="$gid"
            group_members[$name]="$member"
            prev_group="$name"
        elif [[ "$line" =~ ^user\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" id="${BASH_REMATCH[2]}" gid="${BASH_REMATCH[3]}"
            state="${BASH_REMATCH[4]}" sudo="${BASH_REMATCH[5]}"
            finish_user "$current" "$((i + 1))" || return 1
            [[ "$name" =~ $NAME_RE ]] || refuse "line $((i + 1)): bad user name '$name'" || return 1
            [[ -z "$prev_user" || "$prev_user" < "$name" ]] || refuse "line $((i + 1)): users not sorted by name" || return 1
            [[ -z "${group_gid[$name]+set}" ]] || refuse "line $((i + 1)): user $name has the name of a project group" || return 1
            id_in_range "$id" || refuse "line $((i + 1)): UID '$id' is not 1000 to 60000" || return 1
            id_in_range "$gid" || refuse "line $((i + 1)): GID '$gid' is not 1000 to 60000" || return 1
            [[ -z "${uids[$id]+set}" ]] || refuse "line $((i + 1)): UID $id used twice" || return 1
            [[ -z "${user_gids[$gid]+set}" && -z "${group_gids[$gid]+set}" ]] ||
                refuse "line $((i + 1)): GID $gid used twice" || return 1
            [[ "$state" =~ ^(allowed|blocked|revoked)$ ]] || refuse "line $((i + 1)): bad state '$state'" || return 1
            [[ "$sudo" == nosudo || ("$sudo" == sudo && "$state" == allowed) ]] ||
                refuse "line $((i + 1)): sudo '$sudo' (only allowed users may have sudo)" || return 1
            uids[$id]="$name"
            user_gids[$gid]="$name"
            user_names+=("$name")
            user_uid[$name]="$id" user_gid[$name]="$gid" user_state[$name]="$state" user_sudo[$name]="$sudo"
            user_keys[$name]=""
            prev_user="$name" current="$name"
        elif [[ "$line" =~ ^key\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" type="${BASH_REMATCH[2]}" blob="${BASH_REMATCH[3]}"
            [[ -n "$current" && "$name" == "$current" ]] ||
                refuse "line $((i + 1)): key line for '$name' not right after its user line" || return 1
            [[ "${user_state[$name]}" == allowed ]] || refuse "line $((i + 1)): key line for a user that is not allowed" || return 1
            [[ "$type" =~ $KEY_TYPE_RE ]] || refuse "line $((i + 1)): unknown key type '$type'" || return 1
            [[ "$blob" =~ $B64_RE ]] || refuse "line $((i + 1)): key is not base64" || return 1
            user_keys[$name]+="$type $blob $name@$PCA_ENVIRONMENT"$'\n'
        else
            refuse "line $((i + 1)): not a group, user or key line" || return 1
        fi
    done
    finish_user "$current" "$n" || return 1
    # Members are checked once every user is known: group lines come first.
    for name in "${group_names[@]}"; do
        [[ "${group_members[$name]}" != - ]] || continue
        prev_user=""
        IFS=, read -r -a members <<<"${group_members[$name]}"
        for member in "${members[@]}"; do
            [[ -z "$prev_user" || "$prev_user" < "$member" ]] || refuse "group $name: members not sorted" || return 1
            [[ "${user_state[$member]:-}" == allowed || "${user_state[$member]:-}" == blocked ]] ||
                refuse "group $name: member '$member' is not an allowed or blocked user" || return 1
            prev_user="$member"
        done
    done
    return 0
}

id_in_range() {
    [[ "$1" =~ $ID_RE ]] && (($1 >= 1000 && $1 <= 60000))
}

# finish_user NAME LINE: an allowed user needs at least one key line.
finish_user() {
    [[ -z "$1" || "${user_state[$1]}" != allowed || -n "${user_keys[$1]}" ]] ||
        refuse "line $2: allowed user $1 has no key line"
}

# ---------------------------------------------------------------------------------------------
# The node's accounts, read from the local files (no fork per account)
# ---------------------------------------------------------------------------------------------

declare -A pw_uid=() pw_gid=() uid_owner=() gr_gid=() gr_members=() gid_owner=() sh_expire=()
declare -A managed_user=() managed_group=() retired=() protected=()

read_accounts() {
    local name uid gid rest members expire
    pw_uid=() pw_gid=() uid_owner=() gr_gid=() gr_members=() gid_owner=() sh_expire=() managed_user=()
    while IFS=: read -r name _ uid gid rest; do
        [[ -n "$name" ]] || continue
        pw_uid[$name]="$uid" pw_gid[$name]="$gid" uid_owner[$uid]="$name"
    done </etc/passwd
    while IFS=: read -r name _ gid members; do
        [[ -n "$name" ]] || continue
        gr_gid[$name]="$gid" gr_members[$name]="$members" gid_owner[$gid]="$name"
    done </etc/group
    # name:password:lastchg:min:max:warn:inactive:expire:reserved
    while IFS=: read -r name _ _ _ _ _ _ expire rest; do
        [[ -n "$name" ]] || continue
        sh_expire[$name]="$expire"
    done </etc/shadow
    if [[ -n "${gr_members[$PCA_MARKER_GROUP]:-}" ]]; then
        IFS=, read -r -a members <<<"${gr_members[$PCA_MARKER_GROUP]}"
        for name in "${members[@]}"; do
            # Belt and braces: a protected name or a system UID is never managed, marker or not.
            if [[ -n "${pw_uid[$name]:-}" && -z "${protected[$name]:-}" ]] && ((pw_uid[$name] >= 1000)); then
                managed_user[$name]=1
            fi
        done
    fi
}

read_state() {
    local name uid
    for name in $PCA_PROTECTED; do protected[$name]=1; done
    if [[ -f "$PCA_STATE_DIR/groups" ]]; then
        while read -r name; do [[ -z "$name" ]] || managed_group[$name]=1; done <"$PCA_STATE_DIR/groups"
    fi
    if [[ -f "$PCA_STATE_DIR/retired" ]]; then
        while read -r uid name; do [[ -z "$uid" ]] || retired[$uid]="$name"; done <"$PCA_STATE_DIR/retired"
    fi
}

# write_state_lists: the agent's own records, renamed into place (not account changes, so not run).
write_state_lists() {
    local name uid
    for name in "${!managed_group[@]}"; do printf '%s\n' "$name"; done | sort >"$PCA_STATE_DIR/.groups.new"
    for uid in "${!retired[@]}"; do printf '%s %s\n' "$uid" "${retired[$uid]}"; done | sort -n >"$PCA_STATE_DIR/.retired.new"
    mv -f "$PCA_STATE_DIR/.groups.new" "$PCA_STATE_DIR/groups"
    mv -f "$PCA_STATE_DIR/.retired.new" "$PCA_STATE_DIR/retired"
}

# ---------------------------------------------------------------------------------------------
# Apply
# ---------------------------------------------------------------------------------------------

# ensure_sshd_block: the marked block that sends managed users' key lookups to PCA_KEYS_DIR, kept last in
# sshd_config (a Match block runs to the end of the file, and sshd's first value wins outside one, so a
# drop-in cannot override an AuthorizedKeysFile the main file sets, as Amazon Linux 2's does). Valid for
# OpenSSH 7.4 (Amazon Linux 2) onwards. ~/.ssh/authorized_keys stays second: the intra-cluster key lives
# there. Checked with `sshd -t` before it replaces the file; sshd reloaded only when it changed.
ensure_sshd_block() {
    local current="" kept="" desired line in_block=0 tmp
    [[ -f "$PCA_SSHD_CONFIG" ]] || { warn "no $PCA_SSHD_CONFIG: keys cannot be set up"; apply_failed=1; return; }
    IFS= read -r -d '' current <"$PCA_SSHD_CONFIG" || true
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" == "# BEGIN pcluster-access"* ]]; then in_block=1; continue; fi
        if ((in_block)); then [[ "$line" == "# END pcluster-access"* ]] && in_block=0; continue; fi
        kept+="$line"$'\n'
    done <<<"${current%$'\n'}"
    desired="$kept# BEGIN pcluster-access: roster users' keys (roster-agent.sh keeps this block last; do not edit)
Match Group $PCA_MARKER_GROUP
    AuthorizedKeysFile $PCA_KEYS_DIR/%u .ssh/authorized_keys
# END pcluster-access
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

# clash NAME WHY: skipped, loudly.
clash() {
    warn "skipped $1: $2; pcluster-access leaves it alone, fix the clash by hand"
}

# create_account NAME: group and user with the roster's ids; 1 when skipped.
created_with_u=()

create_account() {
    local name="$1" uid="${user_uid[$1]}" gid="${user_gid[$1]}" group_args=(-g "${user_gid[$1]}")
    if [[ -n "${uid_owner[$uid]:-}" ]]; then
        clash "$name" "UID $uid belongs to local account ${uid_owner[$uid]}"
        return 1
    fi
    if [[ -n "${retired[$uid]:-}" && "${retired[$uid]}" != "$name" ]]; then
        clash "$name" "UID $uid was revoked from ${retired[$uid]} and is never reused"
        return 1
    fi
    if [[ -n "${gr_gid[$name]:-}" ]]; then
        # A private group left behind (userdel keeps it where USERGROUPS_ENAB is off) is taken back.
        if [[ "${gr_gid[$name]}" != "$gid" ]]; then
            clash "$name" "local group $name has GID ${gr_gid[$name]}, the roster says $gid"
            return 1
        fi
    elif [[ -n "${gid_owner[$gid]:-}" ]]; then
        clash "$name" "GID $gid belongs to local group ${gid_owner[$gid]}"
        return 1
    elif [[ "$gid" == "$uid" ]]; then
        # One command instead of two, each of which rewrites and syncs every account file: useradd -U
        # gives the new group the UID as its GID when that is free (checked above; verified after).
        group_args=(-U)
        created_with_u+=("$name")
    else
        run groupadd -g "$gid" "$name" || return 1
        gr_gid[$name]="$gid" gid_owner[$gid]="$name"
    fi
    local expire=()
    [[ "${user_state[$name]}" == blocked ]] && expire=(-e "$EXPIRED_DATE")
    # -p '*': no password, not locked: sshd without PAM treats useradd's default '!' as locked.
    run useradd -u "$uid" "${group_args[@]}" -G "$PCA_MARKER_GROUP" -M -d "$PCA_HOME_BASE/$name" -s "$PCA_SHELL" \
        -c "pcluster-access" -p '*' "${expire[@]+"${expire[@]}"}" "$name" || return 1
    pw_uid[$name]="$uid" uid_owner[$uid]="$name" managed_user[$name]=1 sh_expire[$name]=""
    [[ "${user_state[$name]}" != blocked ]] || sh_expire[$name]="$EXPIRED_DAYS"
    log "created $name (UID $uid, ${user_state[$name]})"
}

# create_home NAME: on the head node only, and only where the directory does not exist (compute and
# login nodes mount /home from the head node): noted here, made by make_homes after the user loop.
new_homes=()
create_home() {
    is_head_node || return 0
    [[ ! -e "$PCA_HOME_BASE/$1" ]] || return 0
    new_homes+=("$1")
}

# make_homes: every noted home from /etc/skel, with the intra-cluster key pair ParallelCluster gives its
# default user (public half in authorized_keys), so MPI over SSH works between nodes. One install for all
# the directories; then per user a copy, ssh-keygen and chown.
make_homes() {
    local name home dirs=() pub
    ((${#new_homes[@]} > 0)) || return 0
    for name in "${new_homes[@]}"; do dirs+=("$PCA_HOME_BASE/$name" "$PCA_HOME_BASE/$name/.ssh"); done
    run install -d -m 0700 "${dirs[@]}" || return 0
    for name in "${new_homes[@]}"; do
        home="$PCA_HOME_BASE/$name"
        # -R without -a: the home keeps its 0700 instead of taking the skeleton directory's mode.
        if [[ -d /etc/skel ]]; then run cp -R /etc/skel/. "$home/" || continue; fi
        run ssh-keygen -q -t ed25519 -N '' -C "$name@$PCA_ENVIRONMENT-cluster" -f "$home/.ssh/id_ed25519" || continue
        IFS= read -r pub <"$home/.ssh/id_ed25519.pub"
        printf '%s\n' "$pub" >"$home/.ssh/authorized_keys"
        chmod 0600 "$home/.ssh/authorized_keys"
        run chown -R "${user_uid[$name]}:${user_gid[$name]}" "$home" || continue
        log "created home $home with an intra-cluster key pair"
    done
}

set_keys() {
    local name="$1" file="$PCA_KEYS_DIR/$1"
    if [[ "${user_state[$name]:-}" == allowed ]]; then
        install_text "$file" 0644 "${user_keys[$name]}"
    elif [[ -e "$file" ]]; then
        run rm -f "$file" || true
    fi
}

set_expiry() {
    local name="$1" want="$2"
    [[ "${sh_expire[$name]:-}" != "$want" ]] || return 0
    if [[ -n "$want" ]]; then
        run usermod -e "$EXPIRED_DATE" "$name" || return 0
        log "blocked $name: account expired, so no key works and no session starts"
    else
        run usermod -e '' "$name" || return 0
        log "unblocked $name"
    fi
    sh_expire[$name]="$want"
}

# revoke NAME: account, keys and sudo gone, processes ended, home and UID kept for good.
revoke() {
    local name="$1" uid="${user_uid[$1]}" tries
    retired[$uid]="$name"
    set_keys "$name"
    [[ -n "${pw_uid[$name]:-}" ]] || return 0
    if [[ -z "${managed_user[$name]:-}" ]]; then
        clash "$name" "revoked in the roster, but the local account $name is not one pcluster-access created"
        return 0
    fi
    if [[ "${pw_uid[$name]}" != "$uid" ]]; then
        clash "$name" "local UID ${pw_uid[$name]}, the roster says $uid"
        return 0
    fi
    for ((tries = 0; tries < 20; tries++)); do
        pgrep -u "$uid" >/dev/null 2>&1 || break
        run pkill -KILL -u "$uid" || true
        sleep 0.1
    done
    run userdel "$name" || return 0
    if grep -q "^$name:" /etc/group; then run groupdel "$name" || true; fi
    unset "managed_user[$name]"
    log "revoked $name: account removed, home $PCA_HOME_BASE/$name kept, UID $uid retired"
}

apply_user() {
    local name="$1" state="${user_state[$1]}"
    if [[ -n "${protected[$name]:-}" ]]; then
        clash "$name" "a protected account name (PCA_PROTECTED)"
        return
    fi
    if [[ "$state" == revoked ]]; then
        revoke "$name"
        return
    fi
    if [[ -z "${pw_uid[$name]:-}" ]]; then
        create_account "$name" || return 0
    elif [[ -z "${managed_user[$name]:-}" ]]; then
        clash "$name" "a local account that pcluster-access did not create"
        return
    elif [[ "${pw_uid[$name]}" != "${user_uid[$name]}" ]]; then
        clash "$name" "local UID ${pw_uid[$name]}, the roster says ${user_uid[$name]} (UIDs never move)"
        return
    fi
    if [[ "$state" == blocked ]]; then set_expiry "$name" "$EXPIRED_DAYS"; else set_expiry "$name" ""; fi
    create_home "$name"
    set_keys "$name"
    [[ "${user_sudo[$name]}" != sudo ]] || sudoers+="$name ALL=(ALL) NOPASSWD:ALL"$'\n'
}

ensure_groups() {
    local name gid
    if [[ -z "${gr_gid[$PCA_MARKER_GROUP]:-}" ]]; then
        run groupadd -r "$PCA_MARKER_GROUP" || return 1
        read_accounts
    fi
    for name in "${group_names[@]}"; do
        gid="${group_gid[$name]}"
        if [[ -z "${gr_gid[$name]:-}" ]]; then
            if [[ -n "${gid_owner[$gid]:-}" ]]; then
                clash "group $name" "GID $gid belongs to local group ${gid_owner[$gid]}"
                continue
            fi
            run groupadd -g "$gid" "$name" || continue
            managed_group[$name]=1 gr_gid[$name]="$gid" gid_owner[$gid]="$name" gr_members[$name]=""
        elif [[ -z "${managed_group[$name]:-}" ]]; then
            clash "group $name" "a local group that pcluster-access did not create"
        elif [[ "${gr_gid[$name]}" != "$gid" ]]; then
            clash "group $name" "local GID ${gr_gid[$name]}, the roster says $gid"
        fi
    done
}

# set_memberships: each managed project group holds exactly the roster's members that are managed
# accounts here; a managed group no longer in the roster is emptied (kept: files carry its GID).
set_memberships() {
    local name want member members=()
    for name in "${!managed_group[@]}"; do
        [[ -n "${gr_gid[$name]:-}" ]] || continue
        want=""
        if [[ -n "${group_members[$name]+set}" && "${group_members[$name]}" != - ]]; then
            IFS=, read -r -a members <<<"${group_members[$name]}"
            for member in "${members[@]}"; do
                [[ -z "${managed_user[$member]:-}" ]] || want+="${want:+,}$member"
            done
        fi
        [[ "$want" != "${gr_members[$name]}" ]] || continue
        run gpasswd -M "$want" "$name" || continue
        log "group $name: members now ${want:--}"
    done
}

apply_roster() {
    local name
    sudoers=""
    ensure_sshd_block
    mkdir -p "$PCA_KEYS_DIR"
    chmod 0755 "$PCA_KEYS_DIR"
    ensure_groups || return
    for name in "${user_names[@]}"; do apply_user "$name"; done
    make_homes
    # Managed accounts the roster no longer lists are blocked, never deleted.
    for name in "${!managed_user[@]}"; do
        [[ -z "${user_state[$name]+set}" ]] || continue
        if [[ "${sh_expire[$name]:-}" != "$EXPIRED_DAYS" ]]; then
            warn "$name is not in the roster: blocking it (account, home and UID kept)"
        fi
        set_expiry "$name" "$EXPIRED_DAYS"
        set_keys "$name"
    done
    read_accounts
    for name in "${created_with_u[@]+"${created_with_u[@]}"}"; do
        [[ "${pw_gid[$name]:-}" == "${user_gid[$name]}" ]] ||
            warn "created $name with GID ${pw_gid[$name]:-none}, not the roster's ${user_gid[$name]}: fix it by hand (groupmod -g)"
    done
    set_memberships
    set_sudoers
    write_state_lists
}

sudoers=""
set_sudoers() {
    local tmp content
    content="# pcluster-access: sudo for the roster's users. Written by roster-agent.sh; do not edit."$'\n'"$sudoers"
    if [[ -f "$PCA_SUDOERS" ]]; then
        local current=""
        IFS= read -r -d '' current <"$PCA_SUDOERS" || true
        [[ "$current" != "$content" ]] || return 0
    fi
    # A dot in the name: sudo's includedir skips the file until it is renamed into place.
    tmp="$(dirname "$PCA_SUDOERS")/.pcluster-access.new"
    printf '%s' "$content" >"$tmp"
    chmod 0440 "$tmp"
    if ! run visudo -c -q -f "$tmp"; then
        rm -f "$tmp"
        warn "visudo refused the new sudoers file: $PCA_SUDOERS left unchanged"
        return
    fi
    run mv -f "$tmp" "$PCA_SUDOERS" || true
}

# ---------------------------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------------------------

sync_main() {
    local body status=0 last_gen=0
    mkdir -p "$PCA_STATE_DIR" "$(dirname "$PCA_LOG")" "$(dirname "$PCA_LOCK")"
    check_settings
    chmod 0700 "$PCA_STATE_DIR"
    exec 9>"$PCA_LOCK"
    if ! flock -n 9; then
        log "another sync holds $PCA_LOCK: skipping this one"
        return 0
    fi
    body="$PCA_STATE_DIR/fetched"
    fetch "$body" || status=$?
    if ((status == 2)); then
        log "roster unchanged (304): nothing to do"
        return 0
    fi
    if ((status != 0)); then
        warn "nothing changed this cycle: the roster could not be fetched"
        return 1
    fi
    if ! parse_roster "$body"; then
        warn "refused the roster (ETag $fetched_etag): $refuse_reason; nothing changed"
        return 1
    fi
    [[ -f "$PCA_STATE_DIR/generation" ]] && read -r last_gen <"$PCA_STATE_DIR/generation"
    if ((doc_generation < last_gen)); then
        warn "refused the roster (ETag $fetched_etag): generation $doc_generation is lower than the applied $last_gen; nothing changed"
        return 1
    fi
    if ((doc_generation == last_gen)); then
        log "roster generation $doc_generation is already applied: nothing to do"
        printf '%s\n' "$fetched_etag" >"$PCA_STATE_DIR/etag"
        return 0
    fi
    log "applying roster generation $doc_generation (ETag $fetched_etag, ${#user_names[@]} users, ${#group_names[@]} groups)"
    read_state
    read_accounts
    apply_roster
    if ((apply_failed)); then
        warn "generation $doc_generation applied with failures ($commands_run commands): the next cycle applies it again"
        return 1
    fi
    printf '%s\n' "$doc_generation" >"$PCA_STATE_DIR/generation"
    printf '%s\n' "$fetched_etag" >"$PCA_STATE_DIR/etag"
    log "applied roster generation $doc_generation ($commands_run commands)"
    "$PCA_LOGGER" -t "$LOG_TAG" -p auth.info -- "applied roster generation $doc_generation ($commands_run commands)" 2>/dev/null || true
}

check_main() {
    [[ -r "${1:-}" ]] || { echo "usage: roster-agent.sh check FILE" >&2; exit 2; }
    [[ "$PCA_ENVIRONMENT" =~ $ENV_RE ]] || { echo "PCA_ENVIRONMENT is not set to an environment name" >&2; exit 2; }
    if parse_roster "$1"; then
        echo "ok: generation $doc_generation, ${#user_names[@]} users, ${#group_names[@]} groups"
    else
        echo "refused: $refuse_reason"
        exit 1
    fi
}

case "${1:-}" in
sync) sync_main ;;
check) PCA_LOG=/dev/null check_main "${2:-}" ;;
*)
    echo "usage: roster-agent.sh sync | check FILE" >&2
    exit 2
    ;;
esac
