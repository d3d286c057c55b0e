# Plausch production image. Build: docker build -t plausch .   Run: docker run -p 3000:3000 -v plausch-data:/app/data plausch
# Two stages: the first compiles TypeScript and the native SQLite binding, the second carries only what runs.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles against Node's headers; puppeteer must not download a browser.
ENV PUPPETEER_SKIP_DOWNLOAD=true
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# Debian's Chromium serves WhatsApp Web (only started when WHATSAPP_WEB_ENABLED=true); tini reaps its processes.
RUN apt-get update && apt-get install -y --no-install-recommends chromium tini fonts-noto-color-emoji \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    PORT=3000 \
    SQLITE_PATH=/app/data/plausch.sqlite \
    WHATSAPP_WEB_SESSION_DIR=/app/data/whatsapp-web \
    FLOWS_DIR=/app/flows
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY flows ./flows
COPY src/console/static ./dist/console/static
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/plausch.mjs", "serve"]
