"""The hospitals' programme pages patients compare: the list by city and its filters, a page per
programme where every fact is followed by its source and what is unknown says so, the "not yet
verified" note, search engines' JSON-LD, canonical and alternates, the sitemap, the page cache."""

import datetime
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_published_programme
from therapy_info.programmes import City, Programme, ProgrammeOffer, ProgrammeOutcome

pytestmark = pytest.mark.django_db

LIST_URL = "/en/hospitals/"
JSON_LD = re.compile(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', re.S)


def page_of(programme, language="en"):
    with translation.override(language):
        return programme.get_absolute_url()


def json_ld(response):
    return json.loads(JSON_LD.search(response.content.decode()).group(1))


def text_of(response):
    """The page's text without markup and with single spaces: what a reader reads."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", content)


# ---- The list ----------------------------------------------------------------------------------


def test_the_list_groups_the_programmes_by_city_in_the_readers_language(client):
    shanghai = make_published_programme(city="Shanghai")
    beijing = make_published_programme(city="Beijing")

    content = client.get("/ru/hospitals/").content.decode()

    assert content.index("Пекин</h2>") < content.index(beijing.name)
    assert content.index(beijing.name) < content.index("Шанхай</h2>")
    assert content.index("Шанхай</h2>") < content.index(shanghai.name)


def test_the_list_shows_published_programmes_only(client):
    published = make_published_programme()
    draft = make_published_programme(status=Programme.Status.DRAFT)

    content = client.get(LIST_URL).content.decode()

    assert published.name in content
    assert draft.name not in content


def test_the_disease_filter_keeps_the_programmes_that_treat_it(client):
    myeloma = make_published_programme(
        offers=[{"target": "BCMA", "diseases": ["multiple_myeloma"]}]
    )
    leukaemia = make_published_programme(offers=[{"target": "CD19", "diseases": ["b_all"]}])

    content = client.get(LIST_URL, {"disease": "multiple_myeloma"}).content.decode()

    assert myeloma.name in content
    assert leukaemia.name not in content
    assert '<option value="multiple_myeloma" selected>' in content


def test_the_target_filter_keeps_the_programmes_that_offer_it(client):
    bcma = make_published_programme(offers=[{"target": "BCMA", "diseases": ["multiple_myeloma"]}])
    cd19 = make_published_programme(offers=[{"target": "CD19", "diseases": ["b_all"]}])

    content = client.get(LIST_URL, {"target": "BCMA"}).content.decode()

    assert bcma.name in content
    assert cd19.name not in content


def test_both_filters_must_match_the_same_offer(client):
    # A BCMA trial for myeloma and a CD19 product for lymphoma: no BCMA offer for lymphoma.
    programme = make_published_programme(
        offers=[
            {"target": "BCMA", "diseases": ["multiple_myeloma"]},
            {"target": "CD19", "diseases": ["large_b_cell_lymphoma"]},
        ]
    )

    mismatched = client.get(LIST_URL, {"disease": "large_b_cell_lymphoma", "target": "BCMA"})
    matched = client.get(LIST_URL, {"disease": "large_b_cell_lymphoma", "target": "CD19"})

    assert programme.name not in mismatched.content.decode()
    assert programme.name in matched.content.decode()


def test_a_filter_value_the_list_does_not_know_is_ignored(client):
    programme = make_published_programme()

    response = client.get(LIST_URL, {"disease": "<script>", "target": "nonsense"})

    assert response.status_code == 200
    assert programme.name in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_the_filters_are_a_labelled_form_that_works_without_javascript(client):
    make_published_programme()

    content = client.get(LIST_URL).content.decode()

    assert f'<form method="get" action="{LIST_URL}"' in content
    assert '<label class="form-label" for="id_disease">Disease</label>' in content
    assert '<label class="form-label" for="id_target">Target</label>' in content
    assert 'aria-describedby="id_target_helptext"' in content
    assert '<button type="submit" class="btn btn-primary">Show hospitals</button>' in content


def test_a_filter_with_no_match_says_so(client):
    make_published_programme(offers=[{"target": "CD19", "diseases": ["b_all"]}])

    # No CD19 treatment for a solid tumour, among the shipped programmes either.
    content = client.get(LIST_URL, {"disease": "solid_tumour", "target": "CD19"}).content.decode()

    assert "No hospital we list offers a treatment for this choice yet." in content
    assert f'href="{LIST_URL}">Show all</a>' in content


def test_a_card_says_what_the_programme_offers_and_whether_our_team_verified_it(client):
    unverified = make_published_programme(
        offers=[{"kind": "approved_product", "name": f"Product {uuid.uuid4().hex}"}]
    )
    verified = make_published_programme(verified_by_team=True)

    content = client.get(LIST_URL).content.decode()
    unverified_card = content.split(unverified.name)[1].split("</article>")[0]
    verified_card = content.split(verified.name)[1].split("</article>")[0]

    assert unverified.offers.get().name in unverified_card
    assert "Approved product:" in unverified_card
    assert "Not yet verified by our team" in unverified_card
    assert "Not yet verified by our team" not in verified_card


# ---- A programme's page ------------------------------------------------------------------------


@pytest.fixture
def programme():
    """A programme that states its languages, price and an outcome, each with a source, and
    leaves the other facts unknown."""
    programme = make_published_programme(
        offers=[
            {"kind": "approved_product", "name": "Example-cel", "target": "CD19"},
            {"name": "A registered trial", "target": "BCMA", "registry_id": "NCT03975907"},
            {"name": "A Chinese trial", "target": "CD19", "registry_id": "ChiCTR2000012345"},
        ]
    )
    second = programme.sources.create(
        number=2,
        citation=f"International patients page {uuid.uuid4().hex}",
        url="https://example.org/international",
        last_verified_on=datetime.date(2026, 3, 14),
    )
    programme.languages = "English, Russian"
    programme.languages_source = second
    programme.price_from = Decimal("150000.00")
    programme.price_to = Decimal("250000.00")
    programme.price_currency = "CNY"
    programme.price_includes = "the cell product"
    programme.price_quoted_on = datetime.date(2026, 1, 15)
    programme.price_source = second
    programme.save()
    ProgrammeOutcome.objects.create(
        programme=programme, text="42 patients treated in 2025.", source=second
    )
    return programme


def test_each_fact_is_followed_by_the_number_of_its_source(client, programme):
    content = client.get(page_of(programme)).content.decode()

    source_2 = (
        '<a class="citation" href="#source-2"><span class="visually-hidden">Source </span>[2]</a>'
    )
    assert f"<span>English, Russian</span> {source_2}" in content
    assert f"<span>42 patients treated in 2025.</span> {source_2}" in content
    assert (
        f'<span lang="en" dir="ltr">A registered trial</span></strong> {source_2.replace("2", "1")}'
        in content
    )


def test_the_sources_are_listed_with_their_link_and_when_they_were_last_verified(client, programme):
    content = text_of(client.get(page_of(programme)))
    source = programme.sources.get(number=2)

    assert (
        f"[2] {source.citation} https://example.org/international Last verified on March 14, 2026."
    ) in content


def test_a_fact_no_source_states_is_shown_as_not_known(client, programme):
    content = text_of(client.get(page_of(programme)))

    assert "Interpreter Not known yet" in content
    assert "Accommodation nearby Not known yet" in content
    assert "Visa invitation letter Not known yet" in content
    assert "Typical stay Not known yet" in content
    assert "Official website Not known yet" in content


def test_the_price_is_written_in_the_readers_language_with_what_it_includes_and_when(
    client, programme
):
    english = text_of(client.get(page_of(programme)))
    russian = text_of(client.get(page_of(programme, "ru")))

    assert "Price range CN¥150,000.00 to CN¥250,000.00 Source [2]" in english
    assert "What the price includes the cell product Source [2]" in english
    assert "Quoted on Jan. 15, 2026" in english
    assert "150 000,00 CN¥" in russian


def test_a_programme_without_a_price_says_it_is_not_known(client):
    content = text_of(client.get(page_of(make_published_programme())))

    assert "Price range Not known yet" in content


def test_registry_numbers_link_to_their_registry(client, programme):
    content = client.get(page_of(programme)).content.decode()

    assert 'href="https://clinicaltrials.gov/study/NCT03975907"' in content
    assert 'href="https://trialsearch.who.int/Trial2.aspx?TrialID=ChiCTR2000012345"' in content


def test_the_offers_are_listed_as_approved_products_and_trials(client, programme):
    content = text_of(client.get(page_of(programme)))

    assert content.index("Approved products Example-cel") < content.index(
        "Clinical trials A registered trial"
    )


def test_the_page_says_it_is_not_yet_verified_until_an_editor_ticks_it(client, programme):
    before = text_of(client.get(page_of(programme)))
    programme.verified_by_team = True
    programme.save()
    after = text_of(client.get(page_of(programme)))

    assert "Not yet verified by our team." in before
    assert "Not yet verified by our team" not in after
    assert f"Verified by our team on {programme.verified_by_team_on:%b}" in after


def test_a_draft_is_not_found_by_readers(client):
    draft = make_published_programme(status=Programme.Status.DRAFT)

    assert client.get(page_of(draft)).status_code == 404


def test_an_editor_previews_a_draft_never_cached_nor_indexed(login, content_editor):
    draft = make_published_programme(status=Programme.Status.DRAFT)

    response = login(content_editor).get(page_of(draft))

    assert response.status_code == 200
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_start_my_treatment_here_opens_the_form_with_the_programme(client, programme):
    content = client.get(page_of(programme)).content.decode()

    start = reverse("enquiries:start")
    link = f"{start}?programme={programme.slug}&amp;from={programme.slug}"
    assert f'<a class="btn btn-cta btn-lg" href="{link}">Start my treatment here</a>' in content


def test_the_page_is_described_to_search_engines_as_a_hospital_with_known_facts_only(
    client, programme
):
    data = json_ld(client.get(page_of(programme)))

    assert data["@type"] == "Hospital"
    assert data["name"] == programme.name
    assert data["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Beijing",
        "addressCountry": "CN",
    }
    assert data["medicalSpecialty"] == [
        "https://schema.org/Hematologic",
        "https://schema.org/Oncologic",
    ]
    assert data["availableService"] == [{"@type": "MedicalTherapy", "name": "Example-cel"}]
    assert data["mainEntityOfPage"] == f"http://testserver{page_of(programme)}"
    # No website is known: none is given.
    assert "url" not in data


def test_the_json_ld_cannot_close_its_script_element(client):
    programme = make_published_programme(name="A </script><script>alert(1)</script> hospital")

    content = client.get(page_of(programme)).content.decode()

    assert "</script><script>alert(1)" not in content
    assert json_ld(client.get(page_of(programme)))["name"] == programme.name


def test_the_page_names_its_canonical_address_and_its_other_languages(client, programme):
    content = client.get(page_of(programme, "ru")).content.decode()
    path = f"/hospitals/{programme.slug}/"

    assert f'<link rel="canonical" href="http://testserver/ru{path}">' in content
    for code in ["en", "zh-hans", "ru", "ar"]:
        assert f'hreflang="{code}" href="http://testserver/{code}{path}"' in content
    assert f'hreflang="x-default" href="http://testserver{path}"' in content


def test_the_menu_marks_hospitals_on_the_list_and_on_a_programme(client, programme):
    for url in [LIST_URL, page_of(programme)]:
        menu = client.get(url).content.decode().split('<ul class="nav site-nav">')[1]
        menu = menu.split("</ul>")[0]
        assert f'href="{LIST_URL}" aria-current="page">Hospitals</a>' in menu
        assert menu.count('aria-current="page"') == 1


def test_the_page_speaks_the_readers_language_and_marks_what_is_still_in_english(client, programme):
    programme.name_ru = "Тестовая больница"
    programme.save()

    content = client.get(page_of(programme, "ru")).content.decode()

    assert '<h1 class="fw-semibold">Тестовая больница</h1>' in content
    assert "Пока неизвестно" in content
    assert "Пока не проверено нашей командой." in content
    # The languages are stated in English only so far.
    assert '<span lang="en" dir="ltr">English, Russian</span>' in content


def test_the_arabic_page_runs_right_to_left(client, programme):
    content = client.get(page_of(programme, "ar")).content.decode()

    assert '<html lang="ar" dir="rtl">' in content
    assert "غير معروف بعد" in content


# ---- Sitemap -----------------------------------------------------------------------------------


def test_the_sitemap_lists_published_programmes_in_every_language_and_the_list(client):
    published = make_published_programme()
    draft = make_published_programme(status=Programme.Status.DRAFT)

    content = client.get("/sitemap.xml").content.decode()

    assert f"<loc>http://testserver/en/hospitals/{published.slug}/</loc>" in content
    assert f'hreflang="ar" href="http://testserver/ar/hospitals/{published.slug}/"' in content
    assert "<loc>http://testserver/en/hospitals/</loc>" in content
    assert draft.slug not in content


# ---- The page cache ----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["list", "programme"])
def test_a_second_reader_gets_the_page_without_a_query(
    client, programme, which, django_assert_num_queries
):
    url = LIST_URL if which == "list" else page_of(programme)
    client.get(url)

    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 200
    assert programme.name in response.content.decode()
    # Stored whole by the page cache, which marks what it may share.
    assert "public" in response["Cache-Control"]


def test_a_filtered_list_reads_the_cached_programmes_without_a_query(
    client, programme, django_assert_num_queries
):
    client.get(LIST_URL)

    with django_assert_num_queries(0):
        response = client.get(LIST_URL, {"target": "BCMA"})

    assert programme.name in response.content.decode()


@pytest.mark.parametrize(
    ("url", "budget"),
    [("list", 2), ("programme", 4)],
)
def test_a_cold_page_costs_a_fixed_number_of_queries(
    client, programme, url, budget, django_assert_max_num_queries
):
    for _other in range(3):
        make_published_programme()
    with django_assert_max_num_queries(budget):
        response = client.get(LIST_URL if url == "list" else page_of(programme))

    assert response.status_code == 200


def _change_programme(programme, marker):
    programme.summary = marker
    programme.save()


def _change_source(programme, marker):
    source = programme.sources.get(number=2)
    source.citation = marker
    source.save()


def _change_offer(programme, marker):
    offer = programme.offers.first()
    offer.name = marker
    offer.save()


def _add_offer(programme, marker):
    ProgrammeOffer.objects.create(
        programme=programme,
        kind="trial",
        name=marker,
        target="CD22",
        diseases=["b_all"],
        source=programme.sources.get(number=1),
    )


def _change_outcome(programme, marker):
    outcome = programme.outcomes.get()
    outcome.text = marker
    outcome.save()


@pytest.mark.parametrize(
    "change",
    [_change_programme, _change_source, _change_offer, _add_offer, _change_outcome],
)
def test_saving_any_part_of_a_programme_shows_at_once(client, programme, change):
    client.get(page_of(programme))
    marker = f"changed-{uuid.uuid4().hex}"

    change(programme, marker)

    assert marker in client.get(page_of(programme)).content.decode()


def test_deleting_an_outcome_removes_it_at_once(client, programme):
    client.get(page_of(programme))

    programme.outcomes.get().delete()

    assert "42 patients treated" not in client.get(page_of(programme)).content.decode()


def test_renaming_a_city_shows_in_the_list_at_once(client, programme):
    client.get(LIST_URL)
    marker = f"Beijing {uuid.uuid4().hex[:8]}"

    city = City.objects.get(pk=programme.city_id)
    city.name_en = marker
    city.save()

    assert f"{marker}</h2>" in client.get(LIST_URL).content.decode()


def test_unpublishing_a_programme_takes_it_off_the_list_and_its_page_at_once(client, programme):
    client.get(LIST_URL)
    client.get(page_of(programme))

    programme.status = Programme.Status.DRAFT
    programme.save()

    assert programme.name not in client.get(LIST_URL).content.decode()
    assert client.get(page_of(programme)).status_code == 404


def test_an_offer_whose_target_no_source_states_says_it_is_not_known(client):
    programme = make_published_programme(offers=[{"target": "", "diseases": ["b_all"]}])

    page = client.get(programme.get_absolute_url()).content.decode()
    listing = client.get(LIST_URL).content.decode()

    assert 'Target: <span class="not-known">Not known yet</span>' in page
    card = listing[listing.index(programme.name) :]
    assert 'Target: <span class="not-known">Not known yet</span>' in card
    target_choices = re.search(r'<select name="target".*?</select>', listing, re.S).group()
    assert ">Any target</option>" in target_choices
    assert target_choices.count('value=""') == 1
