"""Model download against a real HTTP server on loopback serving archives the test builds:
a good archive, a corrupted one, a broken zip with a matching MD5, an interrupted download."""

from __future__ import annotations

import hashlib
import io
import json
import random
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ivr.cli import main
from speech.download import download_model, install_archive
from speech.errors import ModelDownloadFailed, ModelUnavailable
from speech.models import best_french_model, catalog_entry, installed_models, model_path
from speech.settings import SpeechSettings

NAME = "vosk-model-small-fr-0.22"


def model_zip(name: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(
            f"{name}/am/final.mdl", b"acoustic model " + random.Random(0).randbytes(600_000)
        )
        zipped.writestr(f"{name}/conf/mfcc.conf", "--sample-frequency=16000\n")
        zipped.writestr(f"{name}/README", "test model\n")
        for member, data in (extra or {}).items():
            zipped.writestr(member, data)
    return buffer.getvalue()


@dataclass
class Site:
    """What the loopback server serves: files by path, an optional cut-off for archives."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_after: int | None = None
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def publish(self, name: str, archive: bytes, md5_of: bytes | None = None) -> None:
        listed = md5_of if md5_of is not None else archive
        entry = {"name": name, "size": len(listed), "md5": hashlib.md5(listed).hexdigest()}
        self.files["/vosk/models/model-list.json"] = json.dumps([entry]).encode()
        self.files[f"/vosk/models/{name}.zip"] = archive


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path.endswith(".zip") and state.cut_after is not None:
                self.wfile.write(body[: state.cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/vosk/models"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_checks_and_unpacks_with_progress(site: Site, tmp_path: Path) -> None:
    site.publish(NAME, model_zip(NAME))
    seen: list[tuple[int, int | None]] = []
    path = download_model(
        NAME, tmp_path, site.url, progress=lambda done, total: seen.append((done, total))
    )
    assert path == tmp_path / NAME
    assert (path / "am" / "final.mdl").read_bytes().startswith(b"acoustic model")
    assert visible(tmp_path) == [NAME]
    size = len(site.files[f"/vosk/models/{NAME}.zip"])
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    # Installed already: nothing is fetched again.
    site.requests.clear()
    assert download_model(NAME, tmp_path, site.url) == path
    assert site.requests == []
    settings = SpeechSettings(models_dir=tmp_path)
    assert model_path(settings) == path
    assert [m.name for m in installed_models(tmp_path)] == [NAME]


def test_corrupted_archive_is_refused_and_nothing_is_left(site: Site, tmp_path: Path) -> None:
    good = model_zip(NAME)
    corrupted = bytearray(good)
    corrupted[len(good) // 2] ^= 0xFF
    site.publish(NAME, bytes(corrupted), md5_of=good)
    with pytest.raises(ModelDownloadFailed, match="MD5") as caught:
        download_model(NAME, tmp_path, site.url)
    assert caught.value.code == "model_download_failed"
    assert visible(tmp_path) == []


def test_broken_zip_with_a_matching_md5_is_refused(site: Site, tmp_path: Path) -> None:
    good = model_zip(NAME)
    broken = bytearray(good)
    broken[2000] ^= 0xFF  # inside the first member's compressed data: its CRC fails
    site.publish(NAME, bytes(broken))
    with pytest.raises(ModelDownloadFailed, match=r"CRC|not a usable zip"):
        download_model(NAME, tmp_path, site.url)
    assert visible(tmp_path) == []


def test_interrupted_download_leaves_nothing(site: Site, tmp_path: Path) -> None:
    archive = model_zip(NAME)
    site.publish(NAME, archive)
    site.cut_after = len(archive) // 2
    with pytest.raises(ModelDownloadFailed, match=f"{len(archive) // 2}|broke"):
        download_model(NAME, tmp_path, site.url, timeout_s=5)
    assert visible(tmp_path) == []


def test_archive_with_foreign_paths_is_refused(site: Site, tmp_path: Path) -> None:
    site.publish(NAME, model_zip(NAME, {"../evil.txt": b"x"}))
    with pytest.raises(ModelDownloadFailed, match="unexpected member"):
        download_model(NAME, tmp_path, site.url)
    assert visible(tmp_path) == [] and not (tmp_path.parent / "evil.txt").exists()


def test_unknown_model_and_unreachable_site(site: Site, tmp_path: Path) -> None:
    site.publish("vosk-model-fr-0.22", model_zip("vosk-model-fr-0.22"))
    with pytest.raises(ModelDownloadFailed, match="does not list"):
        download_model(NAME, tmp_path, site.url)
    with pytest.raises(ModelDownloadFailed, match="cannot fetch"):
        download_model(NAME, tmp_path, site.url + "/nowhere")


def test_force_replaces_and_offline_install(site: Site, tmp_path: Path) -> None:
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip(NAME, {f"{NAME}/v2": b"2"}))
    models = tmp_path / "models"
    path = install_archive(archive, models)
    assert (path / "v2").exists()
    with pytest.raises(ModelDownloadFailed, match="already exists"):
        install_archive(archive, models)
    site.publish(NAME, model_zip(NAME))
    download_model(NAME, models, site.url, force=True)
    assert not (path / "v2").exists() and visible(models) == [NAME]


def test_default_model_is_the_best_french_one(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="ivr models download fr-small"):
        model_path(SpeechSettings(models_dir=tmp_path))
    names = ("vosk-model-small-fr-0.22", "vosk-model-fr-0.6-linto-2.2.0", "vosk-model-fr-0.22")
    for name in (*names, "vosk-model-en-us-0.22", ".download-vosk-model-fr-9"):
        (tmp_path / name / "am").mkdir(parents=True)
    assert best_french_model(tmp_path).name == "vosk-model-fr-0.22"  # type: ignore[union-attr]
    explicit = SpeechSettings(models_dir=tmp_path, vosk_model=tmp_path / "vosk-model-en-us-0.22")
    assert model_path(explicit) == tmp_path / "vosk-model-en-us-0.22"
    with pytest.raises(ModelUnavailable, match="IVR_VOSK_MODEL"):
        model_path(SpeechSettings(models_dir=tmp_path, vosk_model=tmp_path / "missing"))
    assert catalog_entry("fr-big").name == "vosk-model-fr-0.22"
    with pytest.raises(ValueError, match="fr-small"):
        catalog_entry("de")


def test_ivr_models_download_and_list(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVR_MODEL_BASE_URL", site.url)
    monkeypatch.setenv("IVR_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("IVR_VOSK_MODEL", raising=False)
    assert main(["models", "list"]) == 0
    assert "no model installed" in capsys.readouterr().out
    site.publish(NAME, model_zip(NAME))
    assert main(["models", "download", "fr-small"]) == 0
    captured = capsys.readouterr()
    assert "100%" in captured.err and f"installed in {tmp_path / 'models' / NAME}" in captured.out
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"* {NAME}" in listing and "default French model" in listing
    assert main(["models", "download", "fr-big"]) == 1
    assert "does not list the model vosk-model-fr-0.22" in capsys.readouterr().err


def test_list_without_a_size_still_checks_the_md5(site: Site, tmp_path: Path) -> None:
    archive = model_zip(NAME)
    entry = {"name": NAME, "md5": hashlib.md5(archive).hexdigest().upper(), "size": "41M"}
    site.files["/vosk/models/model-list.json"] = json.dumps([entry]).encode()
    site.files[f"/vosk/models/{NAME}.zip"] = archive
    assert download_model(NAME, tmp_path, site.url) == tmp_path / NAME
    entry["md5"] = "not-an-md5"
    site.files["/vosk/models/model-list.json"] = json.dumps([entry]).encode()
    with pytest.raises(ModelDownloadFailed, match="not a usable model list"):
        download_model(NAME, tmp_path / "other", site.url)


def test_ivr_models_install_from_a_copied_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVR_MODELS_DIR", str(tmp_path / "models"))
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip(NAME))
    assert main(["models", "install", str(archive)]) == 0
    assert (tmp_path / "models" / NAME / "am").is_dir()
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    assert main(["models", "install", str(tmp_path / "broken.zip")]) == 1
    assert "not a usable zip" in capsys.readouterr().err
    assert visible(tmp_path / "models") == [NAME]
