# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=compagnonnage.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 app

COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt babel==2.18.0

COPY . .
# collectstatic needs settings but no real secrets or services: a throwaway key,
# strong because production settings refuse a weak one.
RUN pybabel compile -d locale -D django \
    && DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
       DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       SITE_URL=https://build.invalid \
       python manage.py collectstatic --noinput

RUN mkdir -p /srv/media /srv/private && chown app:app /srv/media /srv/private
USER app
EXPOSE 8000
CMD ["gunicorn", "compagnonnage.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
