"""An async client for the sandbox's control API, for tests, benchmarks and scripts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Predicate = Callable[[JsonDict], bool]
LONG_POLL_SECONDS = 5.0
AUDIO_TYPES = {
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".flac": "audio/flac",
}


class SandboxError(Exception):
    """The control API refused a request; `status` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class SandboxClient:
    """Act as people in the sandbox and read what the bot sent back."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("use SandboxClient as `async with SandboxClient(url) as client`")
        return self._session

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self.session.request(method, self.base_url + path, **kwargs) as response:
            body = await response.json(content_type=None)
            if response.status >= 400:
                raise SandboxError(response.status, str(body.get("error", body)))
            return body

    async def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        first_name: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """Write as a person; returns the new `message_id` and the bot's `update_id`."""
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "text": text,
            "first_name": first_name,
            "reply_to_message_id": reply_to_message_id,
        }
        payload = {key: value for key, value in body.items() if value is not None}
        result: JsonDict = await self._request("POST", "/api/messages", json=payload)
        return result

    async def send_voice(
        self,
        user_id: int,
        path_or_bytes: str | Path | bytes,
        filename: str = "voice.ogg",
        chat_id: int | None = None,
        duration: int | None = None,
        kind: str = "voice",
    ) -> JsonDict:
        """Send audio as a voice note (or `kind` audio, video_note, document)."""
        data = await _read_bytes(path_or_bytes)
        form = aiohttp.FormData()
        for name, value in (("user_id", user_id), ("chat_id", chat_id), ("duration", duration)):
            if value is not None:
                form.add_field(name, str(value))
        form.add_field("kind", kind)
        form.add_field("file", data, filename=filename, content_type=_audio_type(filename))
        result: JsonDict = await self._request("POST", "/api/voice", data=form)
        return result

    async def edit_text(
        self, user_id: int, message_id: int, text: str, chat_id: int | None = None
    ) -> JsonDict:
        """Edit a text message the person sent earlier, as Telegram's apps allow."""
        body: JsonDict = {"user_id": user_id, "message_id": message_id, "text": text}
        if chat_id is not None:
            body["chat_id"] = chat_id
        result: JsonDict = await self._request("POST", "/api/edits", json=body)
        return result

    async def tap(self, user_id: int, chat_id: int, message_id: int, data: str) -> JsonDict:
        """Tap an inline button; returns ids including `callback_query_id`."""
        body = {"user_id": user_id, "chat_id": chat_id, "message_id": message_id, "data": data}
        result: JsonDict = await self._request("POST", "/api/callback", json=body)
        return result

    async def callback_answer(self, callback_query_id: str, wait: int = 0) -> JsonDict:
        """What the bot answered to a tap (the toast); `wait` seconds for it to answer."""
        path = f"/api/callbacks/{callback_query_id}?wait={wait}"
        result: JsonDict = await self._request("GET", path)
        return result

    async def create_group(self, chat_id: int, title: str, member_ids: list[int]) -> JsonDict:
        body = {"chat_id": chat_id, "title": title, "member_ids": member_ids}
        result: JsonDict = await self._request("POST", "/api/groups", json=body)
        return result

    async def block(self, user_id: int, blocked: bool = True) -> JsonDict:
        body = {"user_id": user_id, "blocked": blocked}
        result: JsonDict = await self._request("POST", "/api/block", json=body)
        return result

    async def messages(self, chat_id: int, after: int = 0) -> list[JsonDict]:
        messages: list[JsonDict] = (await self._read_chat(chat_id, after))["messages"]
        return messages

    async def _read_chat(
        self, chat_id: int, after: int, seen_version: int | None = None, wait: float = 0
    ) -> JsonDict:
        """With `seen_version`, the sandbox answers once the chat has changed (or `wait` ends)."""
        path = f"/api/chats/{chat_id}/messages?after={after}"
        if seen_version is not None:
            path += f"&version={seen_version}&wait={max(int(wait), 1)}"
        body: JsonDict = await self._request("GET", path)
        return body

    async def bot_replies(self, chat_id: int, after: int = 0) -> list[JsonDict]:
        """Only the bot's messages, oldest first."""
        return [m for m in await self.messages(chat_id, after) if m["from"]["is_bot"]]

    async def shown_action(self, chat_id: int) -> JsonDict | None:
        """The bot's chat action as an app shows it now ('typing…'), or None."""
        action: JsonDict | None = (await self._read_chat(chat_id, after=0))["action"]
        return action

    async def actions(self, chat_id: int) -> list[JsonDict]:
        body = await self._request("GET", f"/api/chats/{chat_id}/actions")
        actions: list[JsonDict] = body["actions"]
        return actions

    async def wait_for(
        self,
        chat_id: int,
        predicate: Predicate,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 - the public interface names it so
    ) -> JsonDict:
        """Poll until a message after `after` matches; the error lists what was seen."""
        deadline = time.monotonic() + timeout
        seen: list[JsonDict] = []
        version: int | None = None
        while (left := deadline - time.monotonic()) > 0:
            body = await self._read_chat(chat_id, after, version, min(left, LONG_POLL_SECONDS))
            seen, version = body["messages"], body["version"]
            if (found := next((m for m in seen if predicate(m)), None)) is not None:
                return found
        raise TimeoutError(f"no matching message in chat {chat_id} after {timeout}s; saw {seen}")

    async def wait_for_reply(
        self,
        chat_id: int,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 - matches wait_for
    ) -> JsonDict:
        """The bot's first message after `after`, e.g. after the id `send_text` returned."""
        return await self.wait_for(chat_id, _from_bot, after=after, timeout=timeout)

    async def wait_for_text(
        self,
        chat_id: int,
        fragment: str,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 - matches wait_for
    ) -> JsonDict:
        """The first bot message after `after` whose text or caption contains `fragment`."""

        def matches(message: JsonDict) -> bool:
            shown = message.get("text") or message.get("caption") or ""
            return _from_bot(message) and fragment in shown

        return await self.wait_for(chat_id, matches, after=after, timeout=timeout)

    async def fault(
        self,
        method: str,
        error_code: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        delay: float | None = None,
    ) -> JsonDict:
        """Make the next `count` calls of a Bot API method (or "file" downloads) slow, or fail."""
        body: JsonDict = {"method": method, "count": count}
        if error_code is not None:
            body["error_code"] = error_code
        if delay is not None:
            body["delay"] = delay
        if description is not None:
            body["description"] = description
        if retry_after is not None:
            body["retry_after"] = retry_after
        result: JsonDict = await self._request("POST", "/api/faults", json=body)
        return result

    async def clock(self) -> str:
        """The bot's now, as an ISO 8601 instant."""
        body: JsonDict = await self._request("GET", "/api/clock")
        return str(body["now"])

    async def move_clock(
        self, *, now: str | None = None, advance_seconds: float | None = None
    ) -> str:
        """Moves the bot's now to an instant, or on by some seconds; time runs on from there."""
        body: JsonDict = {"now": now} if now is not None else {"advance_seconds": advance_seconds}
        moved: JsonDict = await self._request("POST", "/api/clock", json=body)
        return str(moved["now"])

    async def next_prompt(self, user_id: int) -> str | None:
        """When this person's next after-session check-in goes out (ISO 8601), if ever."""
        body: JsonDict = await self._request("GET", f"/api/clock/next-prompt?user_id={user_id}")
        return None if body["at"] is None else str(body["at"])

    async def reset(self) -> None:
        await self._request("POST", "/api/reset")

    async def people(self) -> list[JsonDict]:
        body = await self._request("GET", "/api/people")
        people: list[JsonDict] = body["people"]
        return people

    async def chats(self, user_id: int | None = None) -> list[JsonDict]:
        query = "" if user_id is None else f"?user_id={user_id}"
        body = await self._request("GET", f"/api/chats{query}")
        chats: list[JsonDict] = body["chats"]
        return chats

    async def download(self, url: str) -> bytes:
        """Fetch a file by the `url` a message shows (relative to the sandbox or absolute)."""
        full = url if url.startswith(("http://", "https://")) else self.base_url + url
        async with self.session.get(full) as response:
            if response.status >= 400:
                raise SandboxError(response.status, await response.text())
            return await response.read()


def _from_bot(message: JsonDict) -> bool:
    return bool(message["from"]["is_bot"])


async def _read_bytes(path_or_bytes: str | Path | bytes) -> bytes:
    if isinstance(path_or_bytes, bytes):
        return path_or_bytes
    return await asyncio.to_thread(Path(path_or_bytes).read_bytes)


def _audio_type(filename: str) -> str:
    """Voice notes are Ogg Opus unless the file name says otherwise."""
    return AUDIO_TYPES.get(Path(filename).suffix.lower(), "audio/ogg")
