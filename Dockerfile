# The app in a container. Build and run one instance:
#   docker build -t matrix-calculus . && docker run -p 8000:8000 -e MC_SECRET_KEY=… matrix-calculus
# or the shared set-up with PostgreSQL: docker compose up (docs/deploy.md).

# --- build: compile the wheels in a throwaway stage, so the image has no compiler or cache
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY pyproject.toml README.md ./
COPY app ./app
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip install ".[postgres,redis]"

# --- run: the virtual environment, the course and the templates, as an unprivileged user
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MC_BASE_DIR=/srv/app \
    MC_ENV=production \
    MC_LOG_FORMAT=json \
    MC_ACCESS_LOG=1 \
    WEB_CONCURRENCY=2
RUN useradd --system --uid 10001 --home-dir /srv/app app
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/app
COPY --chown=root:root app ./app
COPY --chown=root:root templates ./templates
COPY --chown=root:root static ./static
COPY --chown=root:root content ./content
RUN mkdir -p /srv/app/data && chown app /srv/app/data
USER app
EXPOSE 8000
# /healthz answers without touching the maths workers or the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# WEB_CONCURRENCY server processes (uvicorn reads it), each with MC_MATH_WORKERS maths
# workers; --proxy-headers trusts X-Forwarded-* from FORWARDED_ALLOW_IPS (the load balancer).
CMD ["uvicorn", "app.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--no-access-log"]
