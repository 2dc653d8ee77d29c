"""Model archives are unpacked within limits (issue 17, item 9): a zip bomb, a member that
compresses too well, an archive lying about its sizes and path traversal are refused with
`ModelDownloadFailed` and leave nothing behind; a normal archive still installs."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from ivr.cli import main
from speech.download import download_model, install_archive
from speech.errors import ModelDownloadFailed
from speech.model_archive import UnpackLimits
from tests.speech.test_download import NAME, Site, model_zip, site, visible

__all__ = ["site"]  # the loopback model site fixture, shared with test_download
MIB = 1024 ** 2


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        for member, data in members.items():
            zipped.writestr(member, data)
    return buffer.getvalue()


def bomb() -> bytes:
    """A model-shaped archive of a few KiB that unpacks to 24 MiB of zeros."""
    zeros = bytes(2 * MIB)
    return zip_of({f"{NAME}/am/final.mdl": b"x", f"{NAME}/conf/mfcc.conf": b"",
                   **{f"{NAME}/graph/part{i}": zeros for i in range(12)}})


def lying(archive: bytes, member: str, declared: int) -> bytes:
    """`archive` with `member`'s unpacked size rewritten to `declared` bytes in both headers."""
    data = bytearray(archive)
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30:local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_a_zip_bomb_is_refused_before_unpacking_and_nothing_is_left(tmp_path: Path) -> None:
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(bomb())
    assert archive.stat().st_size < 200 * 1024
    models = tmp_path / "models"
    limits = UnpackLimits(max_total_bytes=8 * MIB, max_ratio=10_000)
    with pytest.raises(ModelDownloadFailed, match="more than the limit of 8388608") as caught:
        install_archive(archive, models, limits=limits)
    assert caught.value.code == "model_download_failed"
    assert visible(models) == []


def test_a_member_that_compresses_too_well_is_refused(site: Site, tmp_path: Path) -> None:
    site.publish(NAME, bomb())  # 24 MiB: under the default 4 GiB, but each part ~1000:1
    with pytest.raises(ModelDownloadFailed, match="times its packed size"):
        download_model(NAME, tmp_path, site.url)
    assert visible(tmp_path) == []


def test_an_archive_lying_about_its_sizes_is_refused(tmp_path: Path) -> None:
    member = f"{NAME}/am/final.mdl"
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(lying(model_zip(NAME), member, 1000))
    with zipfile.ZipFile(archive) as zipped:
        assert zipped.getinfo(member).file_size == 1000  # what it declares
    models = tmp_path / "models"
    with pytest.raises(ModelDownloadFailed, match=f"member {member}"):
        install_archive(archive, models, limits=UnpackLimits(max_total_bytes=MIB))
    assert visible(models) == []


@pytest.mark.parametrize("member", [f"{NAME}/../../evil.txt", "/tmp/evil.txt",
                                    f"{NAME}\\..\\evil.txt", "other/evil.txt"])
def test_members_outside_the_model_folder_are_refused(tmp_path: Path, member: str) -> None:
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip(NAME, {member: b"x"}))
    models = tmp_path / "models"
    with pytest.raises(ModelDownloadFailed, match="unexpected member"):
        install_archive(archive, models)
    assert visible(models) == [] and not (tmp_path / "evil.txt").exists()


def test_a_normal_archive_installs_within_small_limits(tmp_path: Path) -> None:
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip(NAME))
    path = install_archive(archive, tmp_path / "models", limits=UnpackLimits(
        max_total_bytes=MIB, max_ratio=2))
    assert (path / "am" / "final.mdl").stat().st_size > 600_000
    assert visible(tmp_path / "models") == [NAME]


def test_ivr_models_install_refuses_a_bomb_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVR_MODELS_DIR", str(tmp_path / "models"))
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(bomb())
    assert main(["models", "install", str(archive)]) == 1
    err = capsys.readouterr().err
    assert "ivr models install:" in err and "times its packed size" in err
    assert visible(tmp_path / "models") == []
