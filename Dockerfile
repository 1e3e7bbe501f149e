# CX Align web, worker and beat image (the services mode).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CXALIGN_VAR_DIR=/var/lib/cxalign
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# Static files are collected at build time with a throwaway key; whitenoise serves them.
RUN SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput
RUN useradd --system --home /app cxalign && mkdir -p /var/lib/cxalign && chown cxalign /var/lib/cxalign
USER cxalign
EXPOSE 8000
CMD ["gunicorn", "cxalign.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
