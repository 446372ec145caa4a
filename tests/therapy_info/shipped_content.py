"""What the shipped content files hold, and changing a copy of them as a release with new content
would. Counted from the files, so that a release adding a page changes no test's numbers."""

from therapy_info.content_files import read_content

# The pages the release that shipped content in data migrations had (the upgrade tests start there).
PAGES_OF_THE_PREVIOUS_RELEASE = {"car-t-cell-therapy", "advantages-and-challenges"}


def rewrite(path, old, new):
    """Replace `old` (which must be there) with `new` in one content file."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _rows_of(page):
    """A page's rows: itself, its references and its key figures."""
    return 1 + len(page.references) + len(page.key_figures)


def shipped_rows():
    """{model name: how many rows the content files make} for the models the pages, questions and
    programmes fill (checklists are counted by their own tests)."""
    content = read_content()
    pages = content["pages"]
    return {
        "Page": len(pages),
        "Reference": sum(len(page.references) for page in pages),
        "KeyFigure": sum(len(page.key_figures) for page in pages),
        "FaqEntry": len(content["questions"]),
        "PrivacyNotice": len(content["privacy_notices"]),
        **programme_rows(),
    }


def programme_rows():
    """The programmes' rows: each programme, its sources, offers and outcomes."""
    programmes = read_content()["programmes"]
    return {
        "Programme": len(programmes),
        "ProgrammeSource": sum(len(programme.sources) for programme in programmes),
        "ProgrammeOffer": sum(len(programme.offers) for programme in programmes),
        "ProgrammeOutcome": sum(len(programme.outcomes) for programme in programmes),
    }


def shipped_products_and_trials():
    """{model name: rows} of the approved products, their label rules and the trial snapshots'
    trials: none of them existed in the release the upgrade tests start from."""
    content = read_content()
    return {
        "ApprovedProduct": len(content["products"]),
        "LabelRule": sum(len(product.rules) for product in content["products"]),
        "ClinicalTrial": sum(len(snapshot.studies) for snapshot in content["trial_snapshots"]),
    }


def rows_of_pages_added_since_the_previous_release():
    return sum(
        _rows_of(page)
        for page in read_content()["pages"]
        if page.key not in PAGES_OF_THE_PREVIOUS_RELEASE
    )
