# The production image: the gateway's wheel and its dependencies, no simulators, no compiler,
# run as an unprivileged user. `mgw serve` by default; `mgw worker` with the same image.
# docs/deploying.md shows it with deploy/compose.yaml (gateway, worker, Redis, PostgreSQL).

# Build: the wheels of the gateway and of every pinned dependency.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY gateway/ gateway/
COPY resolvers/ resolvers/
COPY canonical_schema/ canonical_schema/
COPY hub/ hub/
COPY connectors/ connectors/
COPY access/ access/
COPY sync_jobs/ sync_jobs/
COPY cache/ cache/
RUN pip wheel --no-cache-dir --wheel-dir /wheels --constraint constraints.txt .

# Run: only the installed wheels.
FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 --user-group mgw
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/marketing_graph_gateway-*.whl \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /home/mgw
# Listen on every interface inside the container; keep the default SQLite store (only for a
# single container: set MGW_DATABASE_URL to PostgreSQL for more) in a volume-friendly place.
ENV MGW_HOST=0.0.0.0 \
    MGW_PORT=8000 \
    MGW_DATA_DIR=/home/mgw/data \
    MGW_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
ENTRYPOINT ["mgw"]
CMD ["serve"]
