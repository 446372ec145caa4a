"""The first published content: the two CAR-T source texts, cleaned as an editor would, their
reference list and key figures, and questions and answers built only from facts in those texts.

Cleaning (see issue 3): website debris removed ("top of page", "bottom of page", "Comments", the
stray "Start My Medical Treatment / Gender / Preferred Chinese cities…" form labels, a line holding
only a non-breaking space, a decorative emoji); the overview's opening paragraph, which the text
repeats word for word inside a later paragraph, is kept once (in the later, longer paragraph, so the
citations read [1]–[5] in order); indented paragraphs are un-indented so Markdown does not show them
as code; "Advantages:"/"Challenges:" become section headings; only obvious English is fixed
("longterm", "achieved remarkable achievements", "making patients more tolerable"). Every figure and
every citation marker is kept.

The source texts carry markers [1]–[5] but no reference list: the references below say honestly
what the source cites each one for, with no invented authors, journals or links, for an editor to
complete. Nobody has medically reviewed these pages yet, so the review fields stay empty.
"""

from django.utils import timezone

from therapy_info.rendering import render_markdown

OVERVIEW_BODY = """\
CAR-T (Chimeric Antigen Receptor T-Cell Therapy) is a major breakthrough in personalized cellular \
immunotherapy for human cancer. It is regarded as one of the effective solutions for the treatment \
of relapsed or refractory tumors and has been approved for the treatment of hematological \
malignancies [1]. The “T” in CAR-T refers to T cells, a type of immune cell present in all human \
bodies. This therapy involves collecting T cells from a patient and modifying them through ex vivo \
genetic engineering so that the T cells gain the ability to specifically recognize defined tumor \
targets, becoming CAR-T cells. The “armed” T cells (i.e., CAR-T cells) are then expanded in large \
numbers and infused back into the patient. The CAR-T cells proliferate in the patient’s body and \
precisely kill tumor cells.

CAR-T cell therapy is revolutionary because it elicits highly effective and durable clinical \
responses. Simply put, T cells are genetically modified in the laboratory to detect and fight \
diseases and infections throughout the body. Each T cell can recognize antigen receptors and \
eliminate them when the immune system identifies them as abnormal.

The application of CAR-T cell therapy provides new treatment options for patients. Clinical \
evidence shows that CAR-T cell therapy has achieved remarkable efficacy in hematological \
malignancies, with some patients even achieving complete remission. All currently approved cellular \
products have reported these long-term durable responses. Studies show that 83% of lymphoma \
patients achieve remission after receiving CAR-T cell therapy, of whom 53% achieve complete \
remission [2]. In addition, statistics indicate that CAR-T cell therapy has also achieved \
significant outcomes in patients with multiple myeloma, with overall response rates ranging from \
73% to 98% in trial results [3].

The “living drug” nature of CAR-T cells enables them to expand and persist in patients, thereby \
providing sustained antitumor activity [4]. With technological advances, CAR-T cell therapy has \
continued to improve, enhancing the safety and efficacy of the treatment [5]. Although some \
obstacles still exist in the practical application of CAR-T in solid tumors, with further research \
and clinical practice, it is believed that the future development of CAR-T cell therapy will bring \
curative hope to more patients.
"""

ADVANTAGES_BODY = """\
CAR-T therapy, as an emerging immunotherapy approach, is gradually attracting attention. Its \
advantages in the field of cancer treatment bring hope, yet it also faces challenges that need to \
be overcome.

## Advantages

### 1. Powerful Antitumor Effect

CAR-T therapy modifies a patient’s T cells to enhance their ability to attack cancer cells. This \
customized treatment method can precisely identify and destroy tumor cells, offering new treatment \
opportunities for patients.

### 2. Long-Term Survival

CAR-T therapy has a longer survival time, reducing the frequency of treatment for patients, thus \
reducing the inconvenience and pain associated with treatment, while also providing assurance of \
sustained efficacy.

### 3. Low Side Effects

Compared to traditional chemotherapy and radiation therapy, CAR-T therapy has relatively low side \
effects. This reduces the occurrence of severe systemic toxicity reactions and central toxicity \
reactions, making the treatment process more tolerable for patients.

### 4. Significant Treatment Effects in Blood Cancer

CAR-T therapy has achieved remarkable results in the field of blood cancer. Whether it’s acute \
lymphoblastic leukemia or multiple myeloma, it has shown significant efficacy, bringing new vitality \
to patients.

## Challenges

### 1. Risk of B-Cell Depletion

CAR-T therapy may lead to a decrease in the number of B cells in the patient’s body, increasing the \
risk of infection, requiring close monitoring and management.

### 2. Off-Target Effects

Although CAR-T therapy is highly specific, there is still a risk of damaging normal cells, \
necessitating further improvement in treatment precision.

### 3. Cytokine Release Syndrome (CRS)

CAR-T therapy may trigger CRS, leading to severe immune reactions that require timely intervention.

### 4. Neurotoxicity

Neurological symptoms may occur during treatment, requiring timely identification and management to \
reduce adverse effects on patients.

### 5. High Treatment Costs

The production cost of CAR-T therapy is high, limiting its widespread clinical application, \
necessitating the search for cost-reduction methods to benefit more patients.

Although CAR-T therapy faces some challenges, with the continuous progress of science and technology \
and the deepening of research, we believe that these issues will gradually be resolved. As an \
innovative treatment method, CAR-T therapy brings new hope to cancer patients. We look forward to its \
greater role in the future, bringing better quality of life and treatment outcomes to patients.
"""

PAGES = [
    {
        "slug": "car-t-cell-therapy",
        "title": "CAR-T cell therapy",
        "summary": (
            "What CAR-T cell therapy is, how a patient’s own T cells are changed to fight cancer, "
            "and what studies report for lymphoma and multiple myeloma."
        ),
        "body": OVERVIEW_BODY,
        "navigation_order": 10,
    },
    {
        "slug": "advantages-and-challenges",
        "title": "Exploring CAR-T therapy: advantages and challenges",
        "summary": (
            "What CAR-T therapy offers in blood cancers, and its challenges: B-cell depletion, "
            "off-target effects, cytokine release syndrome, neurotoxicity and cost."
        ),
        "body": ADVANTAGES_BODY,
        "navigation_order": 20,
    },
]

_TO_COMPLETE = " Full citation to be completed by an editor."
OVERVIEW_REFERENCES = {
    1: "Reference [1] of the source text, cited for: CAR-T is regarded as one of the effective "
    "treatments for relapsed or refractory tumors and has been approved for the treatment of "
    "hematological malignancies." + _TO_COMPLETE,
    2: "Reference [2] of the source text, cited for: study of CAR-T outcomes in lymphoma "
    "(83% of patients achieve remission, 53% complete remission)." + _TO_COMPLETE,
    3: "Reference [3] of the source text, cited for: overall response rates of 73% to 98% in "
    "multiple myeloma trials of CAR-T cell therapy." + _TO_COMPLETE,
    4: "Reference [4] of the source text, cited for: CAR-T cells as a “living drug” that expands "
    "and persists in patients, providing sustained antitumor activity." + _TO_COMPLETE,
    5: "Reference [5] of the source text, cited for: technological advances that improve the "
    "safety and efficacy of CAR-T cell therapy." + _TO_COMPLETE,
}

# (value, label, reference number), all from the overview; shown on the home page.
OVERVIEW_KEY_FIGURES = [
    ("83%", "of lymphoma patients achieve remission after CAR-T cell therapy", 2),
    ("53%", "achieve complete remission in the same lymphoma studies", 2),
    ("73–98%", "overall response rate in multiple myeloma trials", 3),
]

FAQ = [
    (
        "What is CAR-T cell therapy?",
        "CAR-T (Chimeric Antigen Receptor T-Cell Therapy) is a personalized cellular "
        "immunotherapy for cancer. T cells are collected from the patient and genetically "
        "modified outside the body so that they recognize defined tumor targets. These CAR-T "
        "cells are multiplied in large numbers and infused back into the patient, where they "
        "keep growing and kill tumor cells.",
    ),
    (
        "What does the “T” in CAR-T mean?",
        "It stands for T cells, a type of immune cell that every human body has. CAR-T therapy "
        "uses the patient’s own T cells.",
    ),
    (
        "Which cancers is CAR-T used for?",
        "CAR-T cell therapy has been approved for the treatment of blood cancers (hematological "
        "malignancies), and is regarded as one of the effective options for tumors that came "
        "back or did not respond to other treatment (relapsed or refractory). It has shown "
        "significant efficacy in acute lymphoblastic leukemia, lymphoma and multiple myeloma.",
    ),
    (
        "How well does CAR-T work?",
        "Studies show that 83% of lymphoma patients achieve remission after CAR-T cell therapy, "
        "of whom 53% achieve complete remission. In multiple myeloma trials, overall response "
        "rates ranged from 73% to 98%. The sources are listed on our page about CAR-T cell "
        "therapy. Whether CAR-T is suitable for a particular patient can only be decided by the "
        "treating hospital.",
    ),
    (
        "Why can the effect of CAR-T last?",
        "CAR-T cells are a “living drug”: they expand and persist in the patient’s body, which "
        "can provide sustained activity against the tumor. All currently approved CAR-T "
        "products have reported long-term durable responses.",
    ),
    (
        "What are the risks and side effects of CAR-T?",
        "The main risks described are:\n\n"
        "- **Cytokine release syndrome (CRS):** a severe immune reaction that needs timely "
        "treatment.\n"
        "- **Neurotoxicity:** neurological symptoms that must be recognized and managed in "
        "time.\n"
        "- **B-cell depletion:** fewer B cells in the body, which increases the risk of "
        "infection and needs close monitoring.\n"
        "- **Off-target effects:** a risk of damaging normal cells.\n\n"
        "Compared with traditional chemotherapy and radiation therapy, the side effects of "
        "CAR-T therapy are described as relatively low.",
    ),
    (
        "Does CAR-T work for solid tumors?",
        "Some obstacles still exist in using CAR-T for solid tumors. Research and clinical "
        "practice continue, and CAR-T therapy keeps improving in safety and efficacy.",
    ),
    (
        "Why is CAR-T therapy expensive?",
        "Producing CAR-T cells for each patient costs a lot, which limits how widely the "
        "treatment is used. Ways to reduce the cost are being sought so that more patients can "
        "benefit.",
    ),
]

IMPORT_NOTE = "Imported from the source texts"


def _record_first_revision(apps, model_name, obj, now):
    """Gives each imported row its first revision, so editors can compare with and revert to it."""
    historical_model = apps.get_model("therapy_info", f"Historical{model_name}")
    tracked = {field.attname for field in historical_model._meta.fields}
    values = {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.attname in tracked
    }
    historical_model.objects.create(
        **values,
        history_date=now,
        history_type="+",
        history_change_reason=IMPORT_NOTE,
    )


def load_content(apps, schema_editor):
    Page = apps.get_model("therapy_info", "Page")
    Reference = apps.get_model("therapy_info", "Reference")
    KeyFigure = apps.get_model("therapy_info", "KeyFigure")
    FaqEntry = apps.get_model("therapy_info", "FaqEntry")
    now = timezone.now()

    pages = {}
    for data in PAGES:
        # Migrations use historical models without Page.save(): render here, as save() would.
        numbers = OVERVIEW_REFERENCES.keys() if data["slug"] == "car-t-cell-therapy" else ()
        rendered = render_markdown(data["body"], numbers)
        page = Page.objects.create(
            **data,
            body_html=rendered.html,
            table_of_contents=rendered.table_of_contents,
            status="published",
            published_at=now,
        )
        _record_first_revision(apps, "Page", page, now)
        pages[page.slug] = page

    overview = pages["car-t-cell-therapy"]
    references = {}
    for number, citation in OVERVIEW_REFERENCES.items():
        reference = Reference.objects.create(page=overview, number=number, citation=citation)
        _record_first_revision(apps, "Reference", reference, now)
        references[number] = reference

    for order, (value, label, number) in enumerate(OVERVIEW_KEY_FIGURES, start=1):
        figure = KeyFigure.objects.create(
            page=overview,
            value=value,
            label=label,
            reference=references[number],
            show_on_home_page=True,
            order=order,
        )
        _record_first_revision(apps, "KeyFigure", figure, now)

    for order, (question, answer) in enumerate(FAQ, start=1):
        entry = FaqEntry.objects.create(
            question=question,
            answer=answer,
            answer_html=render_markdown(answer).html,
            order=order * 10,
            is_published=True,
        )
        _record_first_revision(apps, "FaqEntry", entry, now)
