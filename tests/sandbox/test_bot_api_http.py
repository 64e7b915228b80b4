"""Raw Bot API answers: the exact JSON shapes and HTTP statuses Telegram uses."""

from __future__ import annotations

import json

import aiohttp

from tests.sandbox.conftest import AISHA, RunningEmulator, call


async def test_errors_are_shaped_like_telegrams(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, sandbox.method_url("getMe", "123:nope"))
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await call(http, sandbox.method_url("sendTelepathy"))
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await call(http, sandbox.method_url("sendMessage"), json={"text": "hi"})
    assert status == 400 and body["description"] == "Bad Request: chat_id is empty"


async def test_flood_wait_carries_retry_after_parameter(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    fault = {"method": "getMe", "error_code": 429, "retry_after": 3}
    status, _ = await call(http, f"{sandbox.root}/api/faults", json=fault)
    assert status == 200
    status, body = await call(http, sandbox.method_url("getme"))  # names ignore case
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_form_encoded_and_query_parameters_work_like_json(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    await call(http, f"{sandbox.root}/api/messages", json={"user_id": AISHA, "text": "hi"})
    markup = json.dumps({"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]})
    form = {"chat_id": str(AISHA), "text": "Form body", "reply_markup": markup}
    status, body = await call(http, sandbox.method_url("sendMessage"), data=form)
    assert status == 200 and body["ok"] is True
    message = body["result"]
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok"
    assert message["chat"] == {
        "id": AISHA, "type": "private", "first_name": "Aisha", "username": "aisha_tutor"
    }  # fmt: skip
    async with http.get(sandbox.method_url("getUpdates") + "?timeout=0") as response:
        updates = (await response.json())["result"]
    assert updates[0]["message"]["text"] == "hi" and updates[0]["update_id"] == 1


async def test_multipart_upload_is_stored_and_served_by_file_path(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    await call(http, f"{sandbox.root}/api/messages", json={"user_id": AISHA, "text": "hi"})
    form = aiohttp.FormData()
    form.add_field("chat_id", str(AISHA))
    form.add_field("document", b"a,b\n1,2\n", filename="export.csv", content_type="text/csv")
    status, body = await call(http, sandbox.method_url("sendDocument"), data=form)
    assert status == 200
    document = body["result"]["document"]
    assert document["file_name"] == "export.csv" and document["mime_type"] == "text/csv"
    _, found = await call(
        http, sandbox.method_url("getFile"), json={"file_id": document["file_id"]}
    )
    path = found["result"]["file_path"]
    async with http.get(f"{sandbox.root}/file/bot123456789:SANDBOX-test-token/{path}") as response:
        assert response.status == 200 and await response.read() == b"a,b\n1,2\n"
    async with http.get(f"{sandbox.root}/file/botWRONG/{path}") as response:
        assert response.status == 404


async def test_a_missing_file_reference_is_refused(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    await call(http, f"{sandbox.root}/api/messages", json={"user_id": AISHA, "text": "hi"})
    request = {"chat_id": AISHA, "document": "not-a-file-id"}
    status, body = await call(http, sandbox.method_url("sendDocument"), json=request)
    assert (status, body["description"]) == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
