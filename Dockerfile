# One image for the API, the worker and the billing sandbox; the command picks which:
#   node dist/api/main.js | node dist/worker/main.js | node dist/sandboxes/billing/main.js
# Built from TypeScript (tsconfig.build.json -> dist/), run with plain node and production deps only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No package install scripts, as in development (package.json "allowScripts"). The lock file lacks
# @swc/core's entries for platforms other than linux, so `npm ci` may refuse it: fall back to
# `npm install`, which resolves the same versions.
RUN npm ci --ignore-scripts --no-audit --no-fund || npm install --ignore-scripts --no-audit --no-fund
# Sources (see .dockerignore for what stays out).
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN (npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      || npm install --omit=dev --ignore-scripts --no-audit --no-fund) \
    && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    APP_PROFILE=production \
    DATA_DIR=/data \
    API_HOST=0.0.0.0 \
    BILLING_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The console's static modules, beside the compiled api/console.js that serves them.
COPY --from=build /app/console ./dist/console
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000 4010
CMD ["node", "dist/api/main.js"]
