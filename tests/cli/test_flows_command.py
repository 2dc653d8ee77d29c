"""`ivr flows import|list|publish` on a real SQLite file, in-process through `ivr.cli.main`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogs.runtime import FLOWS_DIR
from ivr.storage import flow_bundles
from ivr.storage.database import Database, DatabaseSettings
from tests.cli.conftest import run

GREETING = "Bonjour, vous êtes bien à la mairie de Saint-Aubin-sur-Loire."


def test_import_list_and_publish(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "flows", "import", "--publish") == (
        0, "flow mairie: version 1 imported (published)\n", "")
    code, out, _ = run(capsys, "flows", "import")
    assert code == 0 and "version 2 imported (not published)" in out
    code, out, _ = run(capsys, "flows", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("mairie\t2\timport") and lines[1].endswith(
        "published")
    assert run(capsys, "flows", "publish", "mairie", "2")[0] == 0
    database = Database(DatabaseSettings(url=db_url))
    with database.transaction() as s:
        assert flow_bundles.published_version(s, "mairie") == 2
        names = [name for name, _ in flow_bundles.get_bundle(s, "mairie", 2).files]
    database.dispose()
    assert names[0] == "mairie.yaml" and "mairie.tests.yaml" in names


def test_a_broken_flow_or_a_failing_test_is_reported(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "flows"
    shutil.copytree(FLOWS_DIR, copy)
    main_file = copy / "mairie.yaml"
    text = main_file.read_text(encoding="utf-8")
    main_file.write_text(text.replace("next: confidentialite", "next: nulle_part", 1),
                         encoding="utf-8")
    code, out, err = run(capsys, "flows", "import", str(main_file))
    assert code == 1 and out == ""
    assert "mairie.yaml:" in err and "node 'annonces_urgentes'" in err and "nulle_part" in err
    main_file.write_text(text.replace(GREETING, "Bonjour, ici la mairie."),
                         encoding="utf-8")
    code, out, err = run(capsys, "flows", "import", str(main_file), "--publish")
    assert code == 1 and "FAIL mairie.tests.yaml" in err
    code, out, err = run(capsys, "flows", "import", str(main_file), "--name", "commune")
    assert code == 1 and "rename mairie.yaml" in err
    assert run(capsys, "flows", "list") == (0, "", "")  # one transaction: nothing kept
    assert run(capsys, "flows", "import", str(tmp_path / "none.yaml"))[0] == 1
