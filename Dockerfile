# syntax=docker/dockerfile:1
# The egress gateway as a container: one per host (see ops/k8s/daemonset.yaml), state in a volume.
#   docker build -t egress-gateway .
#   docker run -d -p 127.0.0.1:3128:3128 -v egress-gateway:/var/lib/egress-gateway egress-gateway
# Configuration: mount a file at /etc/egress-gateway/gateway.yaml, or set GATEWAY__SECTION__KEY.

# Build: the SDK image restores (project files first, so the restore layer is cached) and publishes.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY policy-compiler/PolicyCompiler.csproj policy-compiler/
COPY gateway/Gateway.csproj gateway/
RUN dotnet restore gateway/Gateway.csproj
COPY policy-compiler/ policy-compiler/
COPY gateway/ gateway/
# Framework-dependent single file: the runtime image below supplies ASP.NET Core.
RUN dotnet publish gateway/Gateway.csproj -c Release -o /out --no-restore --self-contained false \
      -p:PublishSingleFile=true -p:DebugType=none -p:GenerateDocumentationFile=false

# Run: the ASP.NET Core runtime image, as its unprivileged "app" user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl is the health check's client; nothing else is added to the image.
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/egress-gateway /etc/egress-gateway/kits \
    && chown app:app /var/lib/egress-gateway
COPY --from=build /out/gateway /opt/egress-gateway/gateway
COPY README.md /opt/egress-gateway/README.md
COPY ops/kits/ /etc/egress-gateway/kits/
# Inside a container the listeners face the container's own interface; the port mapping (or the
# pod's network policy) decides who reaches them. Metrics on a non-loopback address must be
# allowed explicitly: keep 9090 off any network a sandbox can reach.
ENV GATEWAY_STATE_DIR=/var/lib/egress-gateway \
    GATEWAY__LISTEN__FORWARD=0.0.0.0:3128 \
    GATEWAY__LISTEN__METRICS=0.0.0.0:9090 \
    GATEWAY__LISTEN__METRICSALLOWREMOTE=true \
    DOTNET_gcServer=0
VOLUME /var/lib/egress-gateway
# 3128 forward proxy; 9090 /metrics, /healthz, /readyz. Transparent listeners (15080, 15443) and
# DNS (53) are for hosts whose sandboxes are redirected to the gateway; enable them in the config.
EXPOSE 3128 9090
USER app
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:9090/healthz || exit 1
ENTRYPOINT ["/opt/egress-gateway/gateway"]
CMD ["run", "--log-format", "json"]
