# The bot, its migrations and its offline speech models (Moonshine base, Whisper tiny.en) in one image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data

# ffmpeg decodes every audio format Telegram hands us (openai-whisper needs the binary).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

# Never run as root: the bot only needs its data folder.
RUN useradd --create-home --uid 1000 reflect && mkdir -p /data/models && chown -R reflect /data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY prompts ./prompts
# Extras by name, e.g. --build-arg EXTRAS=balanced for the Whisper base profile.
ARG EXTRAS=""
RUN pip install ".${EXTRAS:+[$EXTRAS]}"

USER reflect
# /data holds audio awaiting transcription; /data/models caches any model downloaded by name.
VOLUME ["/data", "/data/models"]
# Applies migrations, then long-polls Telegram.
ENTRYPOINT ["reflectbot"]
CMD ["run"]
