"""`reflectbot run` in a process of its own, pointed at an emulator in the test's process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from bot.settings import SANDBOX_TOKEN


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(data_dir: Path, emulator_url: str, database_url: str) -> dict[str, str]:
    """What `reflectbot run` needs to talk to the emulator, with no worker of its own."""
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "TELEGRAM_API_URL": emulator_url,
        "TELEGRAM_BOT_TOKEN": SANDBOX_TOKEN,
        "RUN_WORKER": "false",
        "LOG_LEVEL": "WARNING",
    }


class BotProcess:
    """`reflectbot run` against the emulator; killed without warning, started again."""

    def __init__(self, env: dict[str, str], options: list[str]) -> None:
        self.env, self.options = env, options
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "bot", "run", *self.options]
        self.process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
