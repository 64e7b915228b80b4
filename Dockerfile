# The bot, its migrations and the offline tiny.en model in one image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data

RUN useradd --create-home --uid 1000 reflect && mkdir -p /data && chown reflect /data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY prompts ./prompts
RUN pip install .

USER reflect
VOLUME ["/data"]
# Applies migrations, then long-polls Telegram.
ENTRYPOINT ["reflectbot"]
CMD ["run"]
