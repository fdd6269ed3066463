# pyship's own image: Node.js, pyship, tini and ShellCheck on Debian, running as a non-root user.
#   docker build -t pyship --build-arg GIT_COMMIT="$(git rev-parse HEAD)" .
#   docker run --rm -v "$PWD:/src" pyship check /src
# Behind a TLS-inspecting proxy, hand npm the proxy's CA: --secret id=ca,src=/path/to/ca.crt
# (Debian's nodejs: trixie has Node.js 20, the version pyship needs. No HEALTHCHECK: a one-shot command, not a service.)
ARG DEBIAN_IMAGE=debian:trixie-slim

FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${DEBIAN_IMAGE}
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="pyship" \
      org.opencontainers.image.description="Production Docker packaging for Python: check, plan, build, audit and smoke-test" \
      org.opencontainers.image.source="https://github.com/pyship/pyship" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.revision=$GIT_COMMIT
RUN apt-get update \
 && apt-get -y upgrade \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs shellcheck tini \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin pyship
WORKDIR /opt/pyship
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist/bundle ./dist/bundle
COPY bin ./bin
COPY docs/rules.md ./docs/rules.md
COPY docs/rules ./docs/rules
COPY README.md LICENSE ./
RUN ln -s /opt/pyship/bin/pyship.js /usr/local/bin/pyship
WORKDIR /src
USER 10001
ENTRYPOINT ["tini", "--", "pyship"]
CMD ["check", "/src"]
