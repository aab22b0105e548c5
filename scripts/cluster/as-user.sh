#!/usr/bin/env bash
# as-user.sh USER CMD...: exec CMD as USER (setpriv, same pid, our environment) when root; as ourselves otherwise.
set -euo pipefail
user=$1; shift
if [[ "$(id -u)" == 0 ]]; then exec setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; fi
exec "$@"
