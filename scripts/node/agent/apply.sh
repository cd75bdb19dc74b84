# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): one user, then the whole
# roster, in the order that keeps every safety rule.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# plan_user NAME: the account edits one (not revoked) roster user needs, made on the files' lines.
# Users whose account exists (or is made) and is theirs are listed in applied_users for the steps after
# the batch (home, keys, sudo); the others are skipped, loudly.
applied_users=()
plan_user() {
    local name="$1" state="${user_state[$1]}" uid="${user_uid[$1]}" owner
    if [[ -n "${protected[$name]:-}" ]]; then
        clash "$name" "a protected account name (PCA_PROTECTED)"
        return
    fi
    owner="${uid_owner[$uid]:-}"
    if [[ -z "${pw_uid[$name]:-}" ]]; then
        # The roster's UID on a managed account it no longer lists: the same person under a new name.
        if [[ -n "$owner" && -n "${managed_user[$owner]:-}" && -z "${user_state[$owner]+set}" ]]; then
            rename_account "$owner" "$name" || { apply_failed=1; return; }
        else
            create_account "$name" || return 0
        fi
    elif [[ -z "${managed_user[$name]:-}" ]]; then
        if [[ -n "$owner" && -n "${managed_user[$owner]:-}" && -z "${user_state[$owner]+set}" ]]; then
            # A rename onto someone else's account: skipped, and the generation is not recorded as applied.
            clash "$name" "renaming $owner (UID $uid): $name is a local account that pcluster-access did not create"
            apply_failed=1
        else
            clash "$name" "a local account that pcluster-access did not create"
        fi
        return
    elif [[ "${pw_uid[$name]}" != "$uid" ]]; then
        clash "$name" "local UID ${pw_uid[$name]}, the roster says $uid (UIDs never move)"
        return
    fi
    account_expiry "$name"
    set_expiry "$name" "$want_expiry"
    applied_users+=("$name")
}

# apply_roster: sshd's block; shadow's tools for what is rare (the marker group once, revocations); then every
# other account change planned on the files' lines and, if there is any, written in one batch under shadow's
# lock, provided the files are still the ones planned on (else nothing is written: doubt); then what needs the
# accounts: homes (head node), key files, sudo, the agent's records. A lock that cannot be had, or files
# that changed meanwhile, change no account file and fail the cycle (the next one applies the generation again).
apply_roster() {
    local name revoked_any=0 signature
    sudoers="" applied_users=() renamed_from=() new_members=()
    ensure_sshd_block "${doc_options[home-keys]:-cluster}"
    mkdir -p "$PCA_KEYS_DIR"
    chmod 0755 "$PCA_KEYS_DIR"
    if ! ensure_marker_group; then
        warn "could not create the marker group $PCA_MARKER_GROUP: no account is managed this cycle"
        apply_failed=1
        return 0
    fi
    for name in "${user_names[@]}"; do
        if [[ "${user_state[$name]}" == revoked && -z "${protected[$name]:-}" ]]; then revoke "$name"; fi
    done
    ((revoked_any == 0)) || read_accounts
    signature="$(account_files_signature)"
    ensure_groups
    for name in "${user_names[@]}"; do
        [[ "${user_state[$name]}" == revoked ]] || plan_user "$name"
    done
    add_new_members_to_marker
    # Managed accounts the roster no longer lists are blocked, never deleted.
    for name in "${!managed_user[@]}"; do
        [[ -z "${user_state[$name]+set}" ]] || continue
        if [[ "${sh_expire[$name]:-}" != "$EXPIRED_DAYS" ]]; then
            warn "$name is not in the roster: blocking it (account, home and UID kept)"
        fi
        set_expiry "$name" "$EXPIRED_DAYS"
        set_keys "$name"
    done
    set_memberships
    if ((${#file_changed[@]} > 0)) && ! write_planned_accounts "$signature"; then
        commit_keys
        return 0
    fi
    move_renamed_homes
    for name in "${applied_users[@]+"${applied_users[@]}"}"; do
        create_home "$name"
        set_keys "$name"
        [[ -z "${renamed_from[$name]:-}" ]] || set_keys "${renamed_from[$name]}"
        [[ "${user_sudo[$name]}" != sudo ]] || sudoers+="$name ALL=(ALL) NOPASSWD:ALL"$'\n'
    done
    make_homes
    commit_keys
    set_sudoers
    # EC2 Instance Connect's IMDS access on a locked-down head or login node (instance-connect.sh).
    ensure_instance_connect "${doc_options[instance-connect]:-off}"
    write_state_lists
}

# write_planned_accounts SIGNATURE: the planned lines written under shadow's lock, if the files still match
# SIGNATURE (account_files_signature when they were read). 1, with nothing written, otherwise.
write_planned_accounts() {
    if ! lock_account_files; then
        warn "could not lock the account files ($lock_error): no account changed this cycle"
        apply_failed=1
        return 1
    fi
    if [[ "$(account_files_signature)" != "$1" ]]; then
        unlock_account_files
        warn "the account files changed while this cycle planned its changes: none written, the next cycle plans again"
        apply_failed=1
        return 1
    fi
    if ! commit_account_files; then
        unlock_account_files
        warn "the account files were not written: the next cycle applies this generation again"
        return 1
    fi
    unlock_account_files
}
