"""The content editors' admin, by concept: the pages, questions, privacy notice and checklists
(content), the cities and hospital programmes (programmes), the approved products with their label
rules (products) and the clinical trials (trials). Importing the modules registers them with the
admin site."""

from therapy_info.admin import content, products, programmes, trials  # noqa: F401
