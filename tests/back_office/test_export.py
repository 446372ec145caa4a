"""CSV export for leads: the right rows and columns, safe against formula injection, audited."""

import csv
import io

import pytest

from enquiries.exports import safe_cell
from enquiries.models import AuditEntry
from tests.back_office.pages import action


def rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("dangerous", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_run_is_made_text(dangerous):
    assert safe_cell(dangerous) == "'" + dangerous


def test_ordinary_cells_are_unchanged():
    assert safe_cell("Anna Novak") == "Anna Novak"
    assert safe_cell(1970) == "1970"
    assert safe_cell(None) == ""


def test_the_csv_holds_the_selected_enquiries_only(login, lead, make):
    chosen = make(patient_name="Anna Novak", cities=["Beijing", "Shanghai"])
    make(patient_name="Not Chosen", email="other@example.org")
    response = action(login(lead), "export_csv", [chosen])
    [row] = rows(response)
    assert row["Reference"] == chosen.reference
    assert row["Patient's full name"] == "Anna Novak"
    assert row["Preferred cities"] == "Beijing, Shanghai"
    assert row["Country"] == "Czechia"


def test_formulas_in_what_patients_typed_are_escaped(login, lead, make):
    enquiry = make(patient_name='=HYPERLINK("http://evil","x")', diagnosis_details="@SUM(1)")
    [row] = rows(action(login(lead), "export_csv", [enquiry]))
    assert row["Patient's full name"] == '\'=HYPERLINK("http://evil","x")'
    assert row["Diagnosis in their words"] == "'@SUM(1)"


def test_the_export_is_an_attachment_never_cached(login, lead, enquiry):
    response = action(login(lead), "export_csv", [enquiry])
    assert response["Content-Disposition"].startswith('attachment; filename="enquiries-')
    assert "no-store" in response["Cache-Control"]


def test_every_export_is_in_the_audit_log_and_on_each_timeline(login, lead, make):
    first, second = make(), make()
    action(login(lead), "export_csv", [first, second])
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED_ENQUIRIES)
    assert entry.actor == lead
    assert entry.details["count"] == 2
    assert set(entry.details["references"]) == {first.reference, second.reference}
    assert first.events.filter(kind="exported", actor=lead).exists()
    assert second.events.filter(kind="exported", actor=lead).exists()


def test_the_csv_holds_the_wechat_or_telegram_id_next_to_the_other_contact_details(
    login, lead, make
):
    enquiry = make(preferred_contact_channel="wechat", messenger_id="wxid_anna1970")
    [row] = rows(action(login(lead), "export_csv", [enquiry]))
    columns = list(row)
    assert row["WeChat or Telegram ID"] == "wxid_anna1970"
    assert columns.index("WeChat or Telegram ID") == columns.index("Preferred contact channel") + 1
