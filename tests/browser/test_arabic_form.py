"""The enquiry form in Arabic on a phone: right to left and mirrored, filled in and sent."""

import re

import pytest

from enquiries.models import Consent, Enquiry
from therapy_info.programmes import City

pytestmark = pytest.mark.browser

# A pixel or two of rounding between boxes that share an edge.
TOLERANCE = 2


def box(locator):
    return locator.bounding_box()


def test_a_patient_sends_the_form_in_arabic_on_a_phone(phone_page, live_server, screenshot):
    # Transactional tests before this one may have flushed the seeded cities.
    City.objects.get_or_create(name="Beijing", defaults={"order": 0})
    page = phone_page
    page.goto(f"{live_server.url}/ar/start/")

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "بدء علاجي الطبي"

    page.get_by_label("أنا المريض").check()
    page.get_by_label("الاسم الكامل للمريض").fill("Anna Novak")
    page.locator("#div_id_gender").get_by_label("أنثى").check()
    page.get_by_label("سنة الميلاد").fill("1970")
    page.get_by_label("البلد الذي يعيش فيه المريض").select_option("AE")
    page.get_by_label("عنوان البريد الإلكتروني").fill("anna@example.org")
    page.get_by_label("رقم الهاتف مع رمز البلد").fill("+971 50 123 4567")
    page.get_by_label("التشخيص", exact=True).select_option("multiple_myeloma")
    page.locator("#div_id_target_tested").get_by_label("BCMA").check()
    page.locator("#div_id_preferred_cities").get_by_label("Beijing").check()
    page.get_by_label("أوافق على معالجة المعلومات الصحية").check()

    # Mirrored: the send button sits at the left edge of its row, labels at the right.
    send = page.get_by_role("button", name="إرسال استفساري")
    form = page.locator("form.enquiry")
    send.scroll_into_view_if_needed()
    assert abs(box(send)["x"] - box(form)["x"]) <= TOLERANCE
    # …and leaves the right-hand side of the row free (it does not just fill the width).
    assert box(form)["x"] + box(form)["width"] - (box(send)["x"] + box(send)["width"]) > 40
    label = page.locator("label[for=id_patient_name]")
    field = page.locator("#id_patient_name")
    label_right = box(label)["x"] + box(label)["width"]
    field_right = box(field)["x"] + box(field)["width"]
    assert abs(label_right - field_right) <= TOLERANCE
    assert box(label)["x"] > box(field)["x"]
    assert label.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert label.evaluate("element => getComputedStyle(element).textAlign") in ("start", "right")
    # Numbers and addresses still read left to right.
    assert page.locator("#id_phone").evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.locator("#id_email").evaluate("e => getComputedStyle(e).direction") == "ltr"
    screenshot(page, "enquiry-form-arabic-phone")

    send.click()

    page.get_by_role("heading", name="شكرًا لك: وصلنا استفسارك").wait_for()
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"CT-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    screenshot(page, "enquiry-thank-you-arabic-phone")

    enquiry = Enquiry.objects.get(reference=reference)
    assert enquiry.language == "ar"
    assert enquiry.phone == "+971501234567"
    consent = enquiry.consents.get(kind=Consent.Kind.HEALTH_DATA_PROCESSING)
    assert (consent.language, consent.given) == ("ar", True)
    assert consent.text.startswith("أوافق على معالجة المعلومات الصحية")
