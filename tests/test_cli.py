"""The commands people type: sandbox start-up, settings errors, migrations, the deployment files."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def reflectbot(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=env.get("CWD", str(ROOT)),
    )


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No settings leak in from the developer's shell; the working directory has no `.env`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "WHISPER_"))
    }
    env.update({"DATA_DIR": str(tmp_path / "data"), "CWD": str(tmp_path), **extra})
    return env


def test_sandbox_starts_quickly_prints_its_url_and_answers_start(tmp_path: Path) -> None:
    env = clean_env(tmp_path, RUN_WORKER="false")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        seconds = time.monotonic() - started
        assert line.startswith("Sandbox web chat: http://127.0.0.1:"), line
        url = line.split(": ", 1)[1].strip().rstrip("/")
        page = urllib.request.urlopen(url + "/", timeout=10).read().decode()
        assert "<html" in page.lower()
        request = urllib.request.Request(
            url + "/api/messages",
            data=json.dumps({"user_id": 1001, "text": "/start"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10)
        for _ in range(100):
            messages = json.load(
                urllib.request.urlopen(url + "/api/chats/1001/messages", timeout=10)
            )
            if any(m["from"]["is_bot"] for m in messages["messages"]):
                break
            time.sleep(0.1)
        assert "consent" in str(messages).lower() or "is that ok" in str(messages).lower()
        assert (tmp_path / "data" / "reflectbot.db").exists(), "migrations ran on the SQLite file"
        print(f"sandbox ready in {seconds:.1f} s")
        assert seconds < 30  # generous: the target is 10 s on an idle machine
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    result = reflectbot("run", env=clean_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "@BotFather" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("MAX_VOICE_SECONDS", "-5"),
        ("LOG_LEVEL", "LOUD"),
        ("COORDINATOR_IDS", "12,abc"),
    ],
)
def test_a_bad_setting_names_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = reflectbot("db", "upgrade", env=clean_env(tmp_path, **{variable: value}))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Configuration error: ") and variable in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_db_upgrade_and_downgrade_on_postgresql(tmp_path: Path, fresh_postgres_url: str) -> None:
    env = clean_env(tmp_path, DATABASE_URL=fresh_postgres_url.replace("+asyncpg", ""))
    upgraded = reflectbot("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    downgraded = reflectbot("db", "downgrade", "base", env=env)
    assert downgraded.returncode == 0, downgraded.stderr


def test_compose_and_dockerfile_use_real_commands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "bot", "worker"} <= set(services)
    parser = build_parser()
    for name in ("bot", "worker"):
        args = parser.parse_args(services[name]["command"])
        assert callable(args.handler)
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://")
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    assert 'ENTRYPOINT ["reflectbot"]' in dockerfile
    assert 'reflectbot = "bot.cli:main"' in (ROOT / "pyproject.toml").read_text()


def test_env_example_documents_every_setting() -> None:
    from bot.settings import Settings

    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    compose_only = {"POSTGRES_PASSWORD"}
    assert {name.upper() for name in Settings.model_fields} | compose_only == documented


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://127.0.0.1:5432", "name the database"),
        ("postgresql://nobody@127.0.0.1:1/reflectbot", "cannot open the database"),
        ("mysql://host/reflectbot", "postgresql:// or sqlite:///"),
        ("not a url at all", "not a database URL"),
    ],
)
def test_database_url_problems_are_one_line(tmp_path: Path, url: str, problem: str) -> None:
    result = reflectbot("db", "upgrade", env=clean_env(tmp_path, DATABASE_URL=url))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Configuration error: DATABASE_URL:")
    assert problem in result.stderr


async def test_a_rejected_token_is_one_line_and_never_printed(tmp_path: Path) -> None:
    from bot.sandbox.runner import running_emulator

    token = "999:rejected-token-for-the-test"
    async with running_emulator(tmp_path / "emulator") as (_, url):
        env = clean_env(
            tmp_path, TELEGRAM_API_URL=url, TELEGRAM_BOT_TOKEN=token, RUN_WORKER="false"
        )
        result = await asyncio.to_thread(reflectbot, "run", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert token not in output and "rejected-token" not in output
    assert "RuntimeError" not in output and "Traceback" not in output
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("Configuration error: TELEGRAM_BOT_TOKEN: Telegram rejected this token")
    )


def test_compose_variables_are_documented_and_the_password_is_required() -> None:
    """Every ${VAR} compose reads is in .env.example, and no default password slips through."""
    import re

    text = (ROOT / "docker-compose.yml").read_text()
    documented = (ROOT / ".env.example").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    assert used and all(f"\n{name}=" in documented for name in used), used
    assert "POSTGRES_PASSWORD:-" not in text and "POSTGRES_PASSWORD:?" in text
    bot = yaml.safe_load(text)["services"]["bot"]
    port = bot["environment"]["HEALTH_PORT"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(bot["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER reflect" in dockerfile and "ffmpeg" in dockerfile


def test_group_create_and_list_from_the_command_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    made = reflectbot("group", "create", "Oakfield Strings", "--lead", "5001", "--json", env=env)
    assert made.returncode == 0, made.stderr
    group = json.loads(made.stdout.strip().splitlines()[-1])
    assert group["name"] == "Oakfield Strings" and len(group["invite_code"]) >= 16
    listed = reflectbot("group", "list", "--json", env=env)
    rows = [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]
    assert [(row["id"], row["invite_code"]) for row in rows] == [
        (group["id"], group["invite_code"])
    ]
    bad = reflectbot("group", "create", "Elsewhere", "--timezone", "Mars/Base", env=env)
    assert bad.returncode == 2 and "--timezone" in bad.stderr


def test_digest_renders_a_week_from_the_command_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    assert reflectbot("group", "create", "Oakfield Strings", env=env).returncode == 0
    chart = tmp_path / "chart.png"
    shown = reflectbot(
        "digest",
        "--group",
        "oakfield strings",
        "--week",
        "2026-W47",
        "--dry-run",
        "--png",
        str(chart),
        env=env,
    )
    assert shown.returncode == 0, shown.stderr
    assert "Oakfield Strings — week of Mon 16 Nov" in shown.stdout
    assert "0 reflections from 0 of 0 members" in shown.stdout
    assert chart.read_bytes().startswith(b"\x89PNG")
    queued = reflectbot("digest", "--group", "Oakfield Strings", "--week", "2026-W47", env=env)
    assert queued.returncode == 0 and "Queued 0 copies" in queued.stdout, queued.stderr
    for wrong in (["--week", "2026-W60", "--dry-run"], ["--dry-run", "--group", "Nowhere"]):
        refused = reflectbot("digest", "--group", "Oakfield Strings", *wrong, env=env)
        assert refused.returncode == 2 and "Configuration error" in refused.stderr, wrong
