import re

import pytest
from django.core.management import CommandError, call_command

from fabriques.calls.domain import DEFINITIONS_DIR
from fabriques.calls.models import Call


@pytest.mark.django_db
def test_load_call_command_loads_then_reports_unchanged(capsys, no_call):
    call_command("load_call", str(DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml"))
    first = capsys.readouterr().out
    call_command("load_call", "ami-tiers-lieux-2019.toml")
    second = capsys.readouterr().out

    assert "created — 2 tracks, 12 criteria, 3 waves, 5 attachments, 4 targets" in first
    assert "unchanged" in second
    assert Call.objects.count() == 1


@pytest.mark.django_db
def test_load_call_command_refuses_a_broken_file_and_loads_nothing(tmp_path, no_call):
    bad = tmp_path / "bad.toml"
    bad.write_text((DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").read_text().replace(
        "closes_at = 2019-10-31T23:59:59", 'closes_at = "demain"'), encoding="utf-8")

    expected = 'bad.toml: waves[0].closes_at: expected an ISO date-time, got "demain"'
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("load_call", str(bad))

    assert Call.objects.count() == 0


@pytest.mark.django_db
def test_load_call_command_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("load_call", str(tmp_path / "absent.toml"))
