# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the node's accounts and
# groups: read from the local files; created, renamed, expired and their groups' members set as edits of the
# account files' lines (accountfiles.sh writes them in one batch); revoked with shadow's userdel.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

declare -A pw_uid=() pw_gid=() pw_home=() uid_owner=() gr_gid=() gr_members=() gid_owner=() sh_expire=()
declare -A managed_user=() managed_group=() retired=() protected=()
# Where each name's line is in accountfiles.sh's copies of the four files.
declare -A pw_index=() gr_index=() sh_index=() gs_index=()

# read_account_lines: the four files' lines, and where each name's line is.
read_account_lines() {
    local i line
    pw_index=() gr_index=() sh_index=() gs_index=() file_changed=()
    mapfile -t passwd_lines <"$ACCOUNT_DIR/passwd"
    mapfile -t group_lines <"$ACCOUNT_DIR/group"
    mapfile -t shadow_lines <"$ACCOUNT_DIR/shadow"
    gshadow_lines=()
    [[ ! -f "$ACCOUNT_DIR/gshadow" ]] || mapfile -t gshadow_lines <"$ACCOUNT_DIR/gshadow"
    for i in "${!passwd_lines[@]}"; do line="${passwd_lines[i]}"; [[ -z "${line%%:*}" ]] || pw_index[${line%%:*}]="$i"; done
    for i in "${!group_lines[@]}"; do line="${group_lines[i]}"; [[ -z "${line%%:*}" ]] || gr_index[${line%%:*}]="$i"; done
    for i in "${!shadow_lines[@]}"; do line="${shadow_lines[i]}"; [[ -z "${line%%:*}" ]] || sh_index[${line%%:*}]="$i"; done
    for i in "${!gshadow_lines[@]}"; do line="${gshadow_lines[i]}"; [[ -z "${line%%:*}" ]] || gs_index[${line%%:*}]="$i"; done
}


# read_accounts: the account files' lines (accountfiles.sh) and these tables, from the lines: no fork per account.
read_accounts() {
    local line name rest uid gid members k
    read_account_lines
    pw_uid=() pw_gid=() pw_home=() uid_owner=() gr_gid=() gr_members=() gid_owner=() sh_expire=() managed_user=()
    # name:password:UID:GID:GECOS:home:shell
    for line in "${passwd_lines[@]+"${passwd_lines[@]}"}"; do
        name="${line%%:*}" rest="${line#*:}"
        [[ -n "$name" && "$rest" != "$line" ]] || continue
        rest="${rest#*:}" uid="${rest%%:*}" rest="${rest#*:}" gid="${rest%%:*}" rest="${rest#*:}" rest="${rest#*:}"
        pw_uid[$name]="$uid" pw_gid[$name]="$gid" pw_home[$name]="${rest%%:*}" uid_owner[$uid]="$name"
    done
    # name:password:GID:members
    for line in "${group_lines[@]+"${group_lines[@]}"}"; do
        name="${line%%:*}" rest="${line#*:}"
        [[ -n "$name" && "$rest" != "$line" ]] || continue
        rest="${rest#*:}" gid="${rest%%:*}" members="${rest#*:}"
        [[ "$members" != "$rest" ]] || members=""
        gr_gid[$name]="$gid" gr_members[$name]="$members" gid_owner[$gid]="$name"
    done
    # name:password:lastchg:min:max:warn:inactive:expire:reserved
    for line in "${shadow_lines[@]+"${shadow_lines[@]}"}"; do
        name="${line%%:*}" rest="$line"
        [[ -n "$name" ]] || continue
        for ((k = 0; k < 7; k++)); do rest="${rest#*:}"; done
        sh_expire[$name]="${rest%%:*}"
    done
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

# The day number shadow counts in (days since 1970-01-01 UTC), for a new entry's last-change field.
today_days() {
    local now
    printf -v now '%(%s)T' -1
    echo $((now / 86400))
}

# add_group NAME GID: a group line and its gshadow line ('!': no group password, as groupadd writes it).
add_group() {
    group_lines+=("$1:x:$2:")
    gr_index[$1]=$((${#group_lines[@]} - 1))
    file_changed[group]=1
    if [[ -f "$ACCOUNT_DIR/gshadow" ]]; then
        gshadow_lines+=("$1:!::")
        gs_index[$1]=$((${#gshadow_lines[@]} - 1))
        file_changed[gshadow]=1
    fi
    gr_gid[$1]="$2" gr_members[$1]="" gid_owner[$2]="$1"
}

# set_group_members NAME MEMBERS: the member list (comma-separated) in group and gshadow.
set_group_members() {
    local i
    [[ "${gr_members[$1]:-}" != "$2" ]] || return 0
    i="${gr_index[$1]}"
    with_field "${group_lines[i]}" 4 4 "$2"
    group_lines[i]="$edited_line"
    file_changed[group]=1
    if [[ -n "${gs_index[$1]+set}" ]]; then
        i="${gs_index[$1]}"
        with_field "${gshadow_lines[i]}" 4 4 "$2"
        gshadow_lines[i]="$edited_line"
        file_changed[gshadow]=1
    fi
    gr_members[$1]="$2"
}

# create_account NAME: its private group and user with the roster's ids, as lines for the batch; 1 when skipped.
# The shadow entry: password '*' (no password, and not locked: sshd without PAM treats useradd's default '!'
# as locked), no password aging (a key-only account has no password to age, and an aged one would make PAM
# demand a change at a key login), and the roster's expiry.
shadow_today=""
create_account() {
    local name="$1" uid="${user_uid[$1]}" gid="${user_gid[$1]}" expire=""
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
    else
        add_group "$name" "$gid"
    fi
    account_expiry "$name"
    expire="$want_expiry"
    [[ -n "$shadow_today" ]] || shadow_today="$(today_days)"
    passwd_lines+=("$name:x:$uid:$gid:pcluster-access:$PCA_HOME_BASE/$name:$PCA_SHELL")
    pw_index[$name]=$((${#passwd_lines[@]} - 1))
    shadow_lines+=("$name:*:$shadow_today:::::$expire:")
    sh_index[$name]=$((${#shadow_lines[@]} - 1))
    file_changed[passwd]=1 file_changed[shadow]=1
    new_members+=("$name")
    pw_uid[$name]="$uid" pw_gid[$name]="$gid" pw_home[$name]="$PCA_HOME_BASE/$name" uid_owner[$uid]="$name"
    managed_user[$name]=1 sh_expire[$name]="$expire"
    log "creating $name (UID $uid, ${user_state[$name]})"
}

# new_members: accounts created this cycle, added to the marker group once the user loop is done.
new_members=()
add_new_members_to_marker() {
    local list="${gr_members[$PCA_MARKER_GROUP]:-}" name
    ((${#new_members[@]} > 0)) || return 0
    for name in "${new_members[@]}"; do list+="${list:+,}$name"; done
    set_group_members "$PCA_MARKER_GROUP" "$list"
    new_members=()
}

# rename_account OLD NEW: the managed account OLD, whose UID the roster now gives NEW, takes the new name
# (the roster keys users by IAM user, so the UID follows the person): its passwd, shadow, private group and
# every group membership, in the batch. The home field becomes the new name's path; on the head node the
# directory itself is moved after the batch (move_renamed_homes). Returns 1 (a clash, logged) when it cannot.
declare -A renamed_from=()
rename_account() {
    local old="$1" name="$2" gid="${user_gid[$2]}" i group members
    if [[ "${pw_gid[$old]}" != "$gid" || "${gr_gid[$old]:-}" != "$gid" ]]; then
        clash "$name" "renaming $old (UID ${pw_uid[$old]}): its private group is not $old with GID $gid as the roster says"
        return 1
    fi
    if [[ -n "${gr_gid[$name]:-}" ]]; then
        clash "$name" "renaming $old: a local group is already called $name"
        return 1
    fi
    if owns_homes && [[ -e "$PCA_HOME_BASE/$name" ]]; then
        clash "$name" "renaming $old: $PCA_HOME_BASE/$name exists already, so $PCA_HOME_BASE/$old cannot move there"
        return 1
    fi
    rename_entry passwd_lines pw_index 7 "$old" "$name"
    rename_entry shadow_lines sh_index 9 "$old" "$name"
    rename_entry group_lines gr_index 4 "$old" "$name"
    rename_entry gshadow_lines gs_index 4 "$old" "$name"
    i="${pw_index[$name]}"
    with_field "${passwd_lines[i]}" 6 7 "$PCA_HOME_BASE/$name"
    passwd_lines[i]="$edited_line"
    gr_gid[$name]="$gid" gr_members[$name]="${gr_members[$old]}" gid_owner[$gid]="$name"
    unset "gr_gid[$old]" "gr_members[$old]"
    # Every group that lists the old name (the marker group, project groups, any other) lists the new one.
    for group in "${!gr_members[@]}"; do
        members=",${gr_members[$group]},"
        [[ "$members" == *",$old,"* ]] || continue
        members="${members/,$old,/,$name,}"
        members="${members#,}"
        set_group_members "$group" "${members%,}"
    done
    pw_uid[$name]="${pw_uid[$old]}" pw_gid[$name]="$gid" pw_home[$name]="$PCA_HOME_BASE/$name" uid_owner[${pw_uid[$old]}]="$name"
    sh_expire[$name]="${sh_expire[$old]:-}" managed_user[$name]=1
    renamed_from[$name]="$old"
    unset "pw_uid[$old]" "pw_gid[$old]" "pw_home[$old]" "sh_expire[$old]" "managed_user[$old]"
    log "renaming $old to $name (UID ${pw_uid[$name]}: the roster gives that user the new name)"
}

# rename_entry LINES INDEX COUNT OLD NEW: in the copy LINES (the name of one of the four files' line arrays,
# whose lines have COUNT fields; INDEX the name of its name-to-line table), OLD's line gets the name NEW.
rename_entry() {
    local lines="$1" index="$2" count="$3" old="$4" new="$5" ref i
    ref="${index}[$old]"
    [[ -n "${!ref+set}" ]] || return 0
    i="${!ref}"
    ref="${lines}[$i]"
    with_field "${!ref}" 1 "$count" "$new"
    printf -v "${lines}[$i]" '%s' "$edited_line"
    printf -v "${index}[$new]" '%s' "$i"
    unset "${index}[$old]"
    file_changed[${lines%_lines}]=1
}

# move_renamed_homes: on the head node (or a PCS login node), each renamed account's home moved to the new name's path (rename(2)
# on the one file system: files keep their owner, running processes keep their working directory). The
# other nodes see it through the shared /home.
move_renamed_homes() {
    local name old
    owns_homes || return 0
    for name in "${!renamed_from[@]}"; do
        old="${renamed_from[$name]}"
        [[ -d "$PCA_HOME_BASE/$old" && ! -e "$PCA_HOME_BASE/$name" ]] || continue
        run mv -T "$PCA_HOME_BASE/$old" "$PCA_HOME_BASE/$name" || continue
        log "moved $PCA_HOME_BASE/$old to $PCA_HOME_BASE/$name"
    done
}

# set_expiry NAME WANT: the shadow expiry field (days since 1970-01-01, or '' for none) as account_expiry
# (agent/expiry.sh) computes it: EXPIRED_DAYS blocks; a later day is the user's EXPIRES, which sshd refuses
# from then on with or without PAM, whether or not the agent runs again.
set_expiry() {
    local name="$1" want="$2" i
    [[ "${sh_expire[$name]:-}" != "$want" ]] || return 0
    if [[ -z "${sh_index[$name]+set}" ]]; then
        # A managed account without a shadow entry (a batch cut short between two renames) gets one.
        [[ -n "$shadow_today" ]] || shadow_today="$(today_days)"
        shadow_lines+=("$name:*:$shadow_today:::::$want:")
        sh_index[$name]=$((${#shadow_lines[@]} - 1))
    else
        i="${sh_index[$name]}"
        with_field "${shadow_lines[i]}" 8 9 "$want"
        shadow_lines[i]="$edited_line"
    fi
    file_changed[shadow]=1
    if [[ "$want" == "$EXPIRED_DAYS" ]]; then
        log "blocking $name: account expired, so no key works and no session starts"
    elif [[ -n "$want" ]]; then
        log "$name: account expires on day $want since 1970-01-01 (refused from 00:00 UTC on the roster's date)"
    elif [[ "${sh_expire[$name]:-}" == "$EXPIRED_DAYS" ]]; then
        log "unblocking $name"
    else
        log "$name: no account expiry"
    fi
    sh_expire[$name]="$want"
}

# revoke NAME: account, keys and sudo gone, processes ended, home and UID kept for good. With shadow's userdel
# (revocations are rare; it also drops the user from every group), before the batch takes the lock.
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
    revoked_any=1
    log "revoked $name: account removed, home $PCA_HOME_BASE/$name kept, UID $uid retired"
}

# ensure_marker_group: the group that marks managed accounts, made once with groupadd -r (a system GID from
# login.defs, as an administrator would), before the batch. 1 when it cannot be made.
ensure_marker_group() {
    [[ -z "${gr_gid[$PCA_MARKER_GROUP]:-}" ]] || return 0
    run groupadd -r "$PCA_MARKER_GROUP" || return 1
    read_accounts
}

# ensure_groups: the roster's project groups, created as lines for the batch.
ensure_groups() {
    local name gid
    for name in "${group_names[@]}"; do
        gid="${group_gid[$name]}"
        if [[ -z "${gr_gid[$name]:-}" ]]; then
            if [[ -n "${gid_owner[$gid]:-}" ]]; then
                clash "group $name" "GID $gid belongs to local group ${gid_owner[$gid]}"
                continue
            fi
            add_group "$name" "$gid"
            managed_group[$name]=1
            log "creating group $name (GID $gid)"
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
        set_group_members "$name" "$want"
        log "group $name: members now ${want:--}"
    done
}
