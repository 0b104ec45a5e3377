#!/bin/sh
# Installs the npm packages named in AGENT_NPM_PACKAGES (space-separated npm specs, e.g.
# "@factory/cli@0.225.1 @anthropic-ai/claude-code@2.1.328") globally, so an agent CLI is on PATH in
# the image. Empty: nothing to do. Used by the Dockerfile's AGENT_NPM_PACKAGES build argument and
# usable in a `FROM factory-bot` image (docs/deployment.md).
set -euf  # -f: no filename expansion when the list is split into specs

packages="${AGENT_NPM_PACKAGES:-}"
if [ -z "$(printf '%s' "$packages" | tr -d ' \t\n')" ]; then
  echo "install-agent-packages: AGENT_NPM_PACKAGES is empty, no agent CLI installed"
  exit 0
fi

# Specs are names, versions, tags and ranges: refuse anything a shell or npm could read otherwise
# (a build argument is text, but it must stay a list of package specs).
for spec in $packages; do
  case "$spec" in
    -*) echo "install-agent-packages: \"$spec\" is an option, not a package spec" >&2; exit 2 ;;
  esac
  if ! printf '%s' "$spec" | grep -Eq '^[A-Za-z0-9@/._~^:<>=+#-]+$'; then
    echo "install-agent-packages: \"$spec\" is not an npm package spec" >&2
    exit 2
  fi
done

# shellcheck disable=SC2086 # one argument per spec, split on spaces on purpose
npm install --global --omit=dev --no-audit --no-fund --no-update-notifier -- $packages
npm cache clean --force 2>/dev/null
echo "install-agent-packages: installed" $packages
