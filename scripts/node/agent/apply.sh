# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): one user, then the whole roster, in the order that keeps every safety rule.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

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

apply_roster() {
    local name
    sudoers=""
    ensure_sshd_block "${doc_options[home-keys]:-cluster}"
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
