"""The type stubs match the compiled module (mypy.stubtest), so they cannot drift."""

import subprocess
import sys


def test_stubs_match_the_module():
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "hootsuite_events._native", "--ignore-missing-stub"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_type_checks(tmp_path):
    """The installed package's own Python (the claim loop, records, store protocols) passes mypy."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "-p", "hootsuite_events"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_form_and_the_event_data_are_typed(tmp_path):
    """A misspelled form field and a wrong data field are type errors; the right ones pass
    (what pydantic and mypy users expect of a Python API)."""
    good = tmp_path / "good.py"
    good.write_text(
        "from typing import Optional\n"
        "import hootsuite_events as he\n"
        "config = he.Config('us', 'u', 'o')\n"
        "code = he.parse_callback('https://a.example/cb?code=c&state=s', 's')\n"
        "he.create_instance_request(config, {'element': {'key': 'hootsuite'}, 'providerData': {'code': code},\n"
        "    'configuration': {'oauth.callback.url': 'https://a.example/cb', 'oauth.api.key': 'k', 'oauth.api.secret': 's'},\n"
        "    'name': 'n', 'tags': ['t']})\n"
        "def on(e: he.HootsuiteEvent) -> None:\n"
        "    if e.data['kind'] == 'message':\n"
        "        m: Optional[str] = e.data['message_id']\n"
        "for name, url in he.base_url_presets():\n"
        "    print(name, url)\n"
        "print(he.base_url_presets()[0].url)\n"
    )
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import hootsuite_events as he\n"
        "config = he.Config('us', 'u', 'o')\n"
        "he.create_instance_request(config, {'element': {'key': 'hootsuite'}, 'providerData': {'code': 'c'},\n"
        "    'configuration': {'oauth.callbak.url': 'https://a.example/cb'}, 'name': 'n'})\n"
        "def on(e: he.HootsuiteEvent) -> None:\n"
        "    if e.data['kind'] == 'message':\n"
        "        print(e.data['comment_id'])\n"
    )

    def mypy(path):
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "--strict", str(path)],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )

    ok = mypy(good)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    refused = mypy(bad)
    assert refused.returncode == 1, refused.stdout
    # Line 3 holds only the misspelled configuration key; line 7 reads a comment's field of a message.
    assert "bad.py:3: error" in refused.stdout and 'has no key "comment_id"' in refused.stdout, refused.stdout
