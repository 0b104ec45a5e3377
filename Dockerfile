# syntax=docker/dockerfile:1
# factory-bot server (`npm start`): GitHub and GitLab webhooks, /healthz, the local task runner.
#
#   docker build -t factory-bot .
#   docker build -t factory-bot --build-arg AGENT_NPM_PACKAGES="@factory/cli@0.225.1" .   # with an agent CLI
#   docker run -p 3000:3000 --env-file factory-bot.env \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --security-opt systempaths=unconfined factory-bot
#
# The three --security-opt let the local runner's bubblewrap sandbox make its namespaces and its
# own /proc (docs/security.md); without them `factory-bot doctor` says so and local tasks are refused.
# The entrypoint is already tini (PID 1 that forwards signals and reaps orphans), so do not add `docker run --init`.
#
# Secrets come from the environment at run time (--env-file, or your orchestrator's secrets),
# never from build arguments or files baked into a layer. docs/deployment.md has the details.

ARG NODE_VERSION=24

# ---- build: every dependency, TypeScript → dist/
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and the built files only
FROM node:${NODE_VERSION}-slim
# git: the local runner makes each workspace a one-commit repository for the agent.
# tini: PID 1 that forwards signals and reaps orphans; agents run in their own process groups and
# may leave grandchildren behind.
# bubblewrap: the local runner's sandbox (FACTORY_SANDBOX=bwrap). It needs user namespaces, which
# Docker's default seccomp and AppArmor profiles refuse: see docs/security.md for the run options.
# Versions come from the pinned Debian release of the base image, which is what its security
# updates patch; pinning each package's exact version would break on every point release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap ca-certificates git tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    FACTORY_WORKDIR=/tmp/factory

# Agent CLIs the local runner may run, as npm package specs separated by spaces, pinned, e.g.
# --build-arg AGENT_NPM_PACKAGES="@factory/cli@0.225.1 @anthropic-ai/claude-code@2.1.328".
# Installed globally (on PATH) before the app, so changing the app does not reinstall them.
ARG AGENT_NPM_PACKAGES=""
COPY docker/install-agent-packages.sh /usr/local/bin/install-agent-packages
RUN install-agent-packages

WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the build is copied from the first stage; no dependency needs an install script.
# The factory-bot command on PATH, so `docker exec <container> factory-bot doctor` works.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /tmp/factory \
 && chown node:node /tmp/factory \
 && printf '#!/bin/sh\nexec node /app/dist/src/entry/cli.js "$@"\n' > /usr/local/bin/factory-bot \
 && chmod 755 /usr/local/bin/factory-bot
COPY --from=build /app/dist/src ./dist/src
COPY app.yml ./
COPY templates ./templates
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/entry/server.js"]
