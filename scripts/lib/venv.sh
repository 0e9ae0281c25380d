# Sourced by set-up scripts: the project's Python venv (.cache/venv), with `venv_install MODULE PACKAGE==VERSION…`
# installing the pinned packages when MODULE does not import yet.
venv_install() {
  module=$1
  shift
  command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
  venv="$root/.cache/venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
  fi
  "$venv/bin/python" -c "import $module" 2>/dev/null && return 0
  echo "sysboy: installing $* into .cache/venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
}
