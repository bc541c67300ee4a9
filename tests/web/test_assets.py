"""The browser app's files load quickly: compressed at build, sent compressed as the browser accepts, content-hashed
files cached for a year, `index.html` revalidated every time (so a release shows at once).

The first tests read the real build (REDFLARE_UI_DIR, else frontend/dist; ./scripts/setup makes it): its main
script is the one the list page waits for."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from redflare.config import Settings
from redflare.domain.ports import FixedClock
from redflare.web.app import create_app
from redflare.web.ui import accepted_encodings

REPOSITORY = Path(__file__).resolve().parents[2]
BUILT = Path(os.environ.get("REDFLARE_UI_DIR") or REPOSITORY / "frontend" / "dist")
YEAR = 31536000


def raw(client: TestClient, path: str, accept_encoding: str) -> tuple[dict[str, str], bytes]:
    """The headers and the bytes on the wire (not decoded), for a browser sending `accept_encoding`."""
    with client.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as answer:
        assert answer.status_code == 200
        return dict(answer.headers), b"".join(answer.iter_raw())


def brotli_decoded(data: bytes) -> bytes:
    """Brotli bytes decoded by Node.js's zlib (the tests' Python has no Brotli decoder)."""
    node = shutil.which("node")
    assert node is not None, "Node.js builds the app, so it is here wherever the build is"
    decode = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    return subprocess.run([node, "-e", decode], input=data, capture_output=True, check=True).stdout


@pytest.fixture
def built(cli_env: Path, clock: FixedClock) -> Iterator[tuple[TestClient, str]]:
    """The server over the real build, and the path of the main script its index.html loads."""
    if not (BUILT / "index.html").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the built browser app ({BUILT}): ./scripts/setup builds it")
        pytest.skip(f"no built browser app at {BUILT}: run ./scripts/setup")
    index = (BUILT / "index.html").read_text(encoding="utf-8")
    [main] = re.findall(r'<script type="module"[^>]* src="(/assets/[^"]+\.js)"', index)
    with TestClient(create_app(Settings(ui_dir=BUILT), clock=clock)) as client:
        yield client, main


class TestTheRealBuild:
    def test_the_main_script_is_sent_as_brotli_and_cached_for_good(self, built: tuple[TestClient, str]) -> None:
        """A browser taking Brotli gets the build's Brotli copy (under half the script) with a year-long,
        immutable cache lifetime; decoded, it is the script byte for byte."""
        client, main = built
        original = (BUILT / main.lstrip("/")).read_bytes()
        headers, body = raw(client, main, "gzip, deflate, br, zstd")
        assert headers["content-encoding"] == "br"
        assert headers["cache-control"] == f"public, max-age={YEAR}, immutable"
        assert headers["vary"] == "Accept-Encoding"
        assert headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
        assert int(headers["content-length"]) == len(body) < len(original) / 2
        assert brotli_decoded(body) == original

    def test_gzip_for_a_browser_without_brotli_and_plain_for_one_without_either(
        self, built: tuple[TestClient, str]
    ) -> None:
        client, main = built
        original = (BUILT / main.lstrip("/")).read_bytes()
        headers, body = raw(client, main, "gzip, deflate")
        assert headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == original
        headers, body = raw(client, main, "identity")
        assert "content-encoding" not in headers
        assert body == original
        assert headers["cache-control"] == f"public, max-age={YEAR}, immutable"

    def test_index_html_is_never_kept_without_asking(self, built: tuple[TestClient, str]) -> None:
        """The page naming the current scripts is revalidated on every load, at / and at any app route."""
        client, _ = built
        for route in ("/", "/index.html", "/workflows/abc/runs/def"):
            headers, _ = raw(client, route, "gzip, br")
            assert headers["cache-control"] == "no-cache", route

    def test_every_text_file_of_the_build_has_its_compressed_copies(self) -> None:
        """The build writes a .br and a .gz copy beside each script and style sheet of more than 1 KB."""
        if not (BUILT / "assets").is_dir():
            pytest.skip(f"no built browser app at {BUILT}")
        texts = [p for p in (BUILT / "assets").iterdir() if p.suffix in (".js", ".css") and p.stat().st_size > 1024]
        assert texts
        for path in texts:
            assert path.with_name(path.name + ".br").is_file(), path.name
            assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes()


SCRIPT = b"console.log('a script long enough to compress');\n" * 40


@pytest.fixture
def made(cli_env: Path, tmp_path: Path, clock: FixedClock) -> Iterator[TestClient]:
    """A build of our own: one hashed script with only a gzip copy, one file outside assets/."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>", encoding="utf-8")
    (dist / "assets" / "app-abc123.js").write_bytes(SCRIPT)
    (dist / "assets" / "app-abc123.js.gz").write_bytes(gzip.compress(SCRIPT))
    (dist / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    with TestClient(create_app(Settings(ui_dir=dist), clock=clock)) as client:
        yield client


class TestChoosingTheCopy:
    def test_a_refused_coding_is_never_sent(self, made: TestClient) -> None:
        """`gzip;q=0` refuses gzip: the script goes as it is."""
        headers, body = raw(made, "/assets/app-abc123.js", "gzip;q=0, br")
        assert "content-encoding" not in headers
        assert body == SCRIPT

    def test_a_wildcard_takes_the_copy_there_is(self, made: TestClient) -> None:
        headers, body = raw(made, "/assets/app-abc123.js", "*")
        assert headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == SCRIPT

    def test_files_outside_assets_are_revalidated(self, made: TestClient) -> None:
        """Only assets/ names are content-hashed; any other file may change under the same name."""
        headers, body = raw(made, "/robots.txt", "gzip")
        assert headers["cache-control"] == "no-cache"
        assert "content-encoding" not in headers
        assert "vary" not in headers
        assert body == b"User-agent: *\n"


CODINGS = st.sampled_from(["gzip", "br", "deflate", "zstd", "identity", "compress"])
WEIGHTS = st.sampled_from(["", ";q=0", ";q=0.0", ";q=0.5", ";q=1", ";Q=0.001", " ; q=0"])


@given(st.lists(st.tuples(CODINGS, WEIGHTS), unique_by=lambda pair: pair[0], max_size=6))
def test_accepted_encodings_are_those_not_weighted_zero(offers: list[tuple[str, str]]) -> None:
    """Any Accept-Encoding header: the codings it names, less those given q=0, whatever the case and spacing."""
    header = ", ".join(f"{coding.upper() if i % 2 else coding}{weight}" for i, (coding, weight) in enumerate(offers))
    refused = {coding for coding, weight in offers if weight.replace(" ", "").lower() in (";q=0", ";q=0.0")}
    assert accepted_encodings(header) == {coding for coding, _ in offers} - refused
