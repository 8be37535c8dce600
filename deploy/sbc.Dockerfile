# The product's SBC: Kamailio 5.6 from Debian bookworm with its PostgreSQL module, started by
# `sbc/start.ts` (schema set-up, then Kamailio in the foreground with sbc/kamailio.cfg).
# Built from the repository root: docker build -f deploy/sbc.Dockerfile .

FROM node:20-bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends kamailio kamailio-postgres-modules \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# tsx and pg are production dependencies; no install scripts, as in the main image.
RUN (npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      || npm install --omit=dev --ignore-scripts --no-audit --no-fund) \
    && npm cache clean --force
# Sources (see .dockerignore); start.ts imports config/ and sip/ beside sbc/.
COPY . .
ENV NODE_ENV=production \
    APP_PROFILE=production
USER node
EXPOSE 5080/udp 5080/tcp
CMD ["npx", "tsx", "sbc/start.ts"]
