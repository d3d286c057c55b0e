# Plausch production image.
#   docker build -t plausch .                                     (no browser)
#   docker build --target whatsapp-web -t plausch:whatsapp-web .  (with Chromium for WhatsApp Web)
#   docker run -p 3000:3000 -e PUBLIC_URL=https://chat.example.com -e ERASURE_HASH_KEY=<secret> -v plausch-data:/app/data -v ./flows:/app/flows plausch
# See README "Running in production" for every -e flag a first start needs.
# Stages: `build` compiles TypeScript; `deps` installs production dependencies only (native SQLite binding
# compiled there); `runtime` carries compiled JavaScript and those dependencies, nothing else (no tsx,
# no compiler); `whatsapp-web` adds Debian's Chromium on top.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles against Node's headers; puppeteer must not download a browser.
ENV PUPPETEER_SKIP_DOWNLOAD=true
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=true
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# tini forwards signals (graceful shutdown on SIGTERM, reload on SIGHUP) and reaps child processes.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    PORT=3000 \
    SQLITE_PATH=/app/data/plausch.sqlite \
    WHATSAPP_WEB_SESSION_DIR=/app/data/whatsapp-web \
    FLOWS_DIR=/app/flows
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The sample flows; mount your own over them: -v ./flows:/app/flows
COPY flows ./flows
COPY src/console/static ./dist/console/static
# The console screens are bundled from their sources at run time, and the FAQ matcher
# reads its language data file; both are found beside dist/ under src/.
COPY src/console/web ./src/console/web
COPY src/understanding/data ./src/understanding/data
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/plausch.mjs", "serve"]

FROM runtime AS whatsapp-web
USER root
# Debian's Chromium for whatsapp-web.js (started only when WHATSAPP_WEB_ENABLED=true).
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji \
  && rm -rf /var/lib/apt/lists/*
ENV PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    WHATSAPP_WEB_ENABLED=true
USER node

# The default target (a plain `docker build`) is the image without a browser.
FROM runtime
