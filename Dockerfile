# The app in a container: `docker build -t matrix-calculus . && docker run -p 8000:8000 matrix-calculus`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MC_BASE_DIR=/srv/app

WORKDIR /srv/app

# Dependencies first, so editing lessons or templates does not reinstall them.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install ".[postgres]"

COPY . .
RUN useradd --system --uid 10001 --home-dir /srv/app app \
    && mkdir -p /srv/app/data \
    && chown -R app /srv/app/data

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["uvicorn", "app.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
