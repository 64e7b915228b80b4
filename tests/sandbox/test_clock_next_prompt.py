"""`GET /api/clock/next-prompt`: answered by whatever hook the runner hands the emulator."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.sandbox.client import SandboxClient, SandboxError
from tests.sandbox.conftest import AISHA, BEN, RunningEmulator

DUE = datetime.fromisoformat("2027-03-23T15:50:00+00:00")


async def test_without_a_bot_beside_it_the_route_says_so(client: SandboxClient) -> None:
    with pytest.raises(SandboxError) as refused:
        await client.next_prompt(AISHA)
    assert refused.value.status == 404
    assert "no bot" in refused.value.message


async def test_the_hook_answers_for_the_person_asked_about(
    sandbox: RunningEmulator, client: SandboxClient
) -> None:
    asked: list[int] = []

    async def hook(user_id: int) -> datetime | None:
        asked.append(user_id)
        return DUE if user_id == AISHA else None

    sandbox.emulator.state.next_prompt = hook
    assert await client.next_prompt(AISHA) == DUE.isoformat()
    assert await client.next_prompt(BEN) is None
    assert asked == [AISHA, BEN]


@pytest.mark.parametrize("query", ["", "?user_id=", "?user_id=aisha", "?user_id=0", "?user_id=-5"])
async def test_a_missing_or_bad_user_id_is_a_400(
    sandbox: RunningEmulator, client: SandboxClient, query: str
) -> None:
    async def hook(user_id: int) -> datetime | None:
        raise AssertionError("the hook must not be asked about a bad id")

    sandbox.emulator.state.next_prompt = hook
    with pytest.raises(SandboxError) as refused:
        await client._request("GET", f"/api/clock/next-prompt{query}")
    assert refused.value.status == 400
    assert "user_id" in refused.value.message
