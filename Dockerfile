# One image for every factory process: the pipeline worker, the scenario worker and the CLI
# (docker-compose.yml runs each as its own service). Scenario bodies are never baked in: .dockerignore
# keeps scenarios/ down to its lock (manifests only); scenario workers mount their scenarios at run time.
FROM node:20-bookworm-slim

# git for stages that use it; ca-certificates for HTTPS providers and registries; bubblewrap: the sandbox
# for agent commands, tool stages, hooks and command scenarios (docs/security.md; inside a container it
# needs user namespaces or CAP_SYS_ADMIN — see docs/deployment.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates fonts-dejavu-core bubblewrap \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so code changes reuse this layer.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY . .
# The CLI and workers run the JavaScript compiled into dist/ (swc, shipped with @temporalio/worker).
RUN node scripts/build.js --force

# The run root (a shared volume in compose) and the example workdir must be writable by the worker user.
RUN mkdir -p runs && chown -R node:node runs examples/workspace
USER node

CMD ["node", "bin/factory", "--help"]
