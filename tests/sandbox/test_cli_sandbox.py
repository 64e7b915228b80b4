"""`reflectbot sandbox` from a shell: a busy port is one helpful line, and --help shows defaults."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from bot.cli import build_parser
from tests.test_cli import clean_env, reflectbot


@pytest.mark.parametrize("mode", [[], ["--emulator-only"]], ids=["sandbox", "emulator-only"])
def test_a_busy_port_is_one_line_that_suggests_another(tmp_path: Path, mode: list[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = reflectbot(
            "sandbox", *mode, "--port", str(port), env=clean_env(tmp_path, RUN_WORKER="false")
        )
    said = (done.stdout + done.stderr).strip()
    assert done.returncode != 0
    assert "Traceback" not in said and len(said.splitlines()) == 1, said
    assert said.startswith(f"Port {port} is already in use. Try: reflectbot sandbox "), said
    suggested = re.search(r"--port (\d+)$", said)
    assert suggested and int(suggested.group(1)) != port, said
    assert all(flag in said for flag in mode), said
    assert not (tmp_path / "data" / "reflectbot.db").exists(), "nothing was set up on the way"


def help_text(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*args, "--help"])
    assert exited.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # the same however wide the terminal


def test_help_describes_each_command_and_shows_the_sandbox_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    top = help_text(capsys)
    for command in ("run", "sandbox", "worker", "db", "group", "digest", "export"):
        assert re.search(rf" {command} [a-z]+ ", top), f"{command} has no description"
    assert "reflectbot COMMAND --help" in top

    sandbox = help_text(capsys, "sandbox")
    assert "Try the bot in a local web chat" in sandbox
    assert re.search(r"--host HOST [^-]+\(default: 127\.0\.0\.1\)", sandbox), sandbox
    assert re.search(r"--port PORT [^-]+\(default: 8080\)", sandbox), sandbox
    assert "(default: False)" not in sandbox, "on/off flags need no default"

    run = help_text(capsys, "run")
    assert "Run the bot against Telegram" in run and "(default: 8443)" in run
    upgrade = help_text(capsys, "db", "upgrade")
    assert "(default: head)" in upgrade
