# Sourced by set-up scripts: installs Debian packages that are missing, refreshing the package lists when they are
# over six hours old (so one `npm test` updates them at most once, and a long-lived machine never uses stale ones).
apt_install() {
  missing=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $pkg"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
  else
    sudo=
  fi
  echo "sysboy: installing Debian packages:$missing" >&2
  if [ -z "$(find /tmp/.sysboy-apt-updated -mmin -360 2>/dev/null)" ]; then
    $sudo apt-get update -qq >&2 && touch /tmp/.sysboy-apt-updated
  fi
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
}
