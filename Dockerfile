# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=compagnonnage.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 app

# WeasyPrint (attestation PDFs) needs Pango and HarfBuzz; without them only the
# PDF answers 503.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt babel==2.18.0

COPY . .
# collectstatic needs settings but no real secrets or services: a throwaway key,
# strong because production settings refuse a weak one.
# Production settings also refuse to start without attestation signing keys:
# a throwaway set, removed at once (the real one lives in /srv/private).
RUN pybabel compile -d locale -D django \
    && python -m certification.signing_keys /tmp/build-keys.json \
    && DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
       DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       SITE_URL=https://build.invalid ATTESTATION_SIGNING_KEYS_FILE=/tmp/build-keys.json \
       python manage.py collectstatic --noinput \
    && rm /tmp/build-keys.json

RUN mkdir -p /srv/media /srv/private && chown app:app /srv/media /srv/private
USER app
EXPOSE 8000
CMD ["gunicorn", "compagnonnage.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
