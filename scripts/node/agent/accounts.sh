# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the node's accounts and groups: read from the local files, created, expired, revoked, and the project groups' members.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

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
