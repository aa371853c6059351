# plowboard: the sidecar and its built-in server in one small image.
# Build: docker build -t plowboard .   Run: see deploy/docker-compose.yml.

# --- build: compile TypeScript and the native SQLite binding -------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY sidecar ./sidecar
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev

# --- run: only what the sidecar needs, as a user without privileges -------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PLOWBOARD_HOST=0.0.0.0 \
    PLOWBOARD_OUTPUT=/data/output \
    PLOWBOARD_STATE_DIR=/data/state
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json .eleventy.js ./
COPY bin ./bin
COPY src ./src
# The browser code in src/client imports these shared wording modules; esbuild bundles them when the site is built.
COPY sidecar/format ./sidecar/format
COPY templates ./templates
RUN mkdir -p /data/output /data/state && chown -R node:node /data
USER node
VOLUME ["/data/output", "/data/state"]
EXPOSE 47949
# cloudplow's folder mounted at /config is found by itself (/config/config.json).
# The heartbeat in index.json moves at least every few seconds while the sidecar works.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "bin/plowboard-healthcheck.js"]
# The V8 flags of bin/v8Flags.js on the command line: no re-exec at start.
ENTRYPOINT ["node", "--max-semi-space-size=1", "bin/plowboard.js"]
CMD ["run"]
