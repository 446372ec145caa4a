"""The content editors' admin, by concept: the pages, questions, privacy notice and checklists
(content), and the cities and hospital programmes (programmes). Importing the modules registers
them with the admin site."""

from therapy_info.admin import content, programmes  # noqa: F401
