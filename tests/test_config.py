"""config.yaml and crm_mappings.yaml: defaults, validation, clear messages on bad files."""

from __future__ import annotations

import pytest

from kithkin.config import load_mappings, load_settings, write_default_mappings
from kithkin.models import KithkinError


def test_defaults_without_files(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 8765
    assert load_mappings(tmp_path).domain_mappings["example.com"].company == "Example Inc."


def test_default_mappings_file_is_written_once_and_valid(tmp_path):
    path = write_default_mappings(tmp_path)
    path.write_text(
        path.read_text().replace(
            "domain_mappings:\n", "domain_mappings:\n  acme.test: {company: Acme, category: work}\n"
        )
    )
    write_default_mappings(tmp_path)
    mappings = load_mappings(tmp_path)
    assert mappings.domains()["acme.test"] == {"company": "Acme", "category": "work", "vault_contexts": []}
    assert mappings.for_folder("Work/ML/Standups").category == "work"
    assert mappings.for_folder("Elsewhere") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("domain_mappings: [1, 2", r"crm_mappings\.yaml is not valid YAML"),
        ("- just\n- a list\n", r"must hold a mapping of settings"),
        ("domain_mappings:\n  x.org:\n    compnay: Typo\n", r"setting 'domain_mappings\.x\.org\.compnay' is invalid"),
    ],
)
def test_bad_mappings_get_one_plain_sentence(tmp_path, text, message):
    (tmp_path / "crm_mappings.yaml").write_text(text)
    with pytest.raises(KithkinError, match=message):
        load_mappings(tmp_path)


def test_bad_config_names_the_setting(tmp_path):
    (tmp_path / "config.yaml").write_text("server:\n  port: 99999\n")
    with pytest.raises(KithkinError, match=r"config\.yaml: setting 'server\.port' is invalid"):
        load_settings(tmp_path)
