# The Sluice controller image: `docker build -t REGISTRY/sluice:TAG .` from the repository root.
# Runs `sluice controller` (deploy/controller.yaml and the Helm chart set the command) as a
# non-root user, from the JavaScript build that `npm ci` makes (scripts/build-cli.mjs).

# Build stage: compilers for the native modules (better-sqlite3, re2), production dependencies only.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# `npm ci` compiles the native modules and runs `prepare`, which builds dist/cli; esbuild comes
# with tsx, a production dependency, so --omit=dev keeps it.
RUN npm ci --omit=dev --no-audit --no-fund \
 && test -f dist/cli/main.js \
 && rm -rf test bench docs .git

# Runtime stage: no compilers; the files above, owned by root and read-only to the controller.
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
# `sluice` on PATH runs the build directly (no TypeScript at run time, nothing written to disk),
# so the Deployment's readOnlyRootFilesystem holds.
RUN printf '#!/bin/sh\nexec node /app/dist/cli/main.js "$@"\n' > /usr/local/bin/sluice \
 && chmod 0755 /usr/local/bin/sluice
# The uid the Deployment's securityContext names (runAsNonRoot, runAsUser 65532).
USER 65532:65532
ENTRYPOINT ["sluice"]
CMD ["controller"]
