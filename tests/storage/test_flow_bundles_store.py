"""Flow versions with their companion files, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from ivr.storage import flow_bundles, flows
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue, NotFound

FILES = {"essai.yaml": "name: Essai\nhours: essai.hours.yaml\n",
         "essai.hours.yaml": "services: {}\n", "essai.tests.yaml": "flow: essai.yaml\n"}


def test_a_version_keeps_its_files_main_first(database: Database) -> None:
    with database.transaction() as s:
        first = flow_bundles.save_bundle(s, "essai", FILES, author="alice")
        second = flow_bundles.save_bundle(s, "essai", {**FILES, "essai.hours.yaml": "x: 1\n"},
                                          author="bob")
        assert flow_bundles.published_version(s, "essai") is None
        flows.publish(s, "essai", first.version)
    with database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, "essai", 1)
        assert bundle.main_file == "essai.yaml"
        assert dict(bundle.files) == FILES
        assert bundle.files[0] == ("essai.yaml", FILES["essai.yaml"])
        assert flow_bundles.get_bundle(s, "essai", 2).text("essai.hours.yaml") == "x: 1\n"
        assert flow_bundles.published_version(s, "essai") == 1
        published = flow_bundles.published_bundle(s, "essai")
        assert published is not None and published.version.id == first.id
        # the single-text API still sees the main file
        assert flows.published(s, "essai") is not None
        assert flows.get_version(s, "essai", 2).yaml_text == FILES["essai.yaml"]
        assert flow_bundles.flow_names(s) == ["essai"]
        assert second.version == 2
        with pytest.raises(NotFound):
            flow_bundles.get_bundle(s, "essai", 3)


@pytest.mark.parametrize("files", [
    {"autre.yaml": "a: 1\n"},                                   # no main file
    {**FILES, "../evil.yaml": "a: 1\n"},                         # a path, not a name
    {**FILES, "notes.txt": "a: 1\n"},                            # not YAML by name
    {**FILES, "essai.kb.yaml": "entries: [unclosed\n"},          # not YAML by content
])
def test_bad_bundles_are_refused_and_nothing_is_stored(
    database: Database, files: dict[str, str]
) -> None:
    with database.transaction() as s, pytest.raises(InvalidValue):
        flow_bundles.save_bundle(s, "essai", files, author="alice")
    with database.transaction() as s:
        assert flows.list_versions(s) == []
