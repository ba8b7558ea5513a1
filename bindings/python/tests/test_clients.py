"""Response objects of the HTTP clients people use, against the real emulator over loopback:
httpx (sync and async) and aiohttp are handed to the parsers as they are."""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
import pytest

import hootsuite_events as he


def _config(emulator):
    return he.Config(emulator["base_url"], emulator["user_secret"], emulator["organization_secret"])


def _requests(emulator):
    config = _config(emulator)
    return (
        he.redirect_url_request(config, "client-id", "client-secret", "https://app.example/cb", state="s-1"),
        he.list_instances_request(config),
        he.get_instance_request(config, 987654),
        he.get_instance_request(he.Config(emulator["base_url"], "wrong-user-0123", "wrong-org-0123"), 1),
    )


def _check(redirect, page, missing, refused):
    r = he.parse_redirect_url(redirect)
    assert r.oauth_url.startswith("http://127.0.0.1:") and "state=s-1" in r.oauth_url
    assert isinstance(he.parse_instance_page(page).instances, list)
    with pytest.raises(he.ApiError) as info:
        he.parse_instance(missing)
    assert info.value.status == 404 and info.value.request_id
    with pytest.raises(he.ApiError) as info:
        he.parse_instance(refused)
    assert info.value.status == 401 and "wrong-user" not in str(info.value)


def test_httpx_sync(emulator):
    with httpx.Client(timeout=10) as client:
        responses = [client.request(r.method, r.url, headers=r.headers, content=r.body) for r in _requests(emulator)]
    _check(*responses)


def test_httpx_async(emulator):
    async def run():
        async with httpx.AsyncClient(timeout=10) as client:
            return [await client.request(r.method, r.url, headers=r.headers, content=r.body) for r in _requests(emulator)]

    _check(*asyncio.run(run()))


def test_httpx_streamed_body_not_read_says_so(emulator):
    r = _requests(emulator)[0]
    with httpx.Client(timeout=10) as client, client.stream(r.method, r.url, headers=r.headers) as resp:
        with pytest.raises(httpx.ResponseNotRead):
            he.parse_redirect_url(resp)
        resp.read()
        assert he.parse_redirect_url(resp).oauth_url


def test_aiohttp(emulator):
    async def run():
        out = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for r in _requests(emulator):
                async with session.request(r.method, r.url, headers=r.headers, data=r.body) as resp:
                    await resp.read()
                    out.append(resp)
        return out

    _check(*asyncio.run(run()))


def test_aiohttp_body_not_read_says_what_to_do(emulator):
    async def run():
        r = _requests(emulator)[0]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            async with session.request(r.method, r.url, headers=r.headers) as resp:
                with pytest.raises(TypeError) as info:
                    he.parse_redirect_url(resp)
                # The form the message shows works.
                parsed = he.parse_redirect_url(resp.status, resp.headers, await resp.read())
        return str(info.value), parsed

    message, parsed = asyncio.run(run())
    assert "await response.read()" in message and parsed.oauth_url


def test_not_a_response_is_a_type_error():
    with pytest.raises(TypeError, match="requests, httpx or aiohttp response"):
        he.parse_instance(object())
