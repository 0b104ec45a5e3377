# syntax=docker/dockerfile:1
# factory-bot server (`npm start`): GitHub and GitLab webhooks, /healthz, the local task runner.
#
#   docker build -t factory-bot .
#   docker run --init -p 3000:3000 --env-file factory-bot.env \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --security-opt systempaths=unconfined factory-bot
#
# The three --security-opt let the local runner's bubblewrap sandbox make its namespaces and its
# own /proc (docs/security.md); without them `factory-bot doctor` says so and local tasks are refused.
#
# Secrets come from the environment at run time (--env-file, or your orchestrator's secrets),
# never from build arguments or files baked into a layer.

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
# may leave grandchildren behind. (`docker run --init` does the same.)
# bubblewrap: the local runner's sandbox (FACTORY_SANDBOX). It needs user namespaces, which
# Docker's default seccomp and AppArmor profiles refuse: see docs/security.md for the run options.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git tini ca-certificates bubblewrap \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    FACTORY_WORKDIR=/tmp/factory
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the build is copied from the first stage; no dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY app.yml ./
COPY templates ./templates
RUN mkdir -p /tmp/factory && chown node:node /tmp/factory
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/entry/server.js"]
