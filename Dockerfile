# One image for the api, worker and beat services (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY jobgate ./jobgate
COPY connectors ./connectors
COPY normalizer ./normalizer
COPY dedup ./dedup
COPY publisher ./publisher
COPY scheduler ./scheduler
COPY examples ./examples
RUN pip install --no-cache-dir . && useradd --system --uid 1000 jobgate
USER jobgate
EXPOSE 8000
CMD ["jobgate", "serve", "--config", "/etc/jobgate/jobgate.toml", "--host", "0.0.0.0", "--port", "8000"]
