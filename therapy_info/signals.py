"""Keeps cached pages fresh: any change to published content, records checklists and programmes
(with their cities) included, makes the whole cache stale (stored pages and
therapy_info.content_cache alike: both are keyed by the page cache's version)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import page_cache
from therapy_info.editorial import PageReview
from therapy_info.models import (
    FaqEntry,
    KeyFigure,
    Page,
    PageSlugRedirect,
    PrivacyNotice,
    Reference,
)
from therapy_info.programmes import (
    City,
    Programme,
    ProgrammeOffer,
    ProgrammeOutcome,
    ProgrammeSource,
)
from therapy_info.records_checklists import ChecklistItem, RecordsChecklist


@receiver([post_save, post_delete], sender=Page)
@receiver([post_save, post_delete], sender=Reference)
@receiver([post_save, post_delete], sender=KeyFigure)
@receiver([post_save, post_delete], sender=FaqEntry)
@receiver([post_save, post_delete], sender=PageSlugRedirect)
@receiver([post_save, post_delete], sender=PrivacyNotice)
# The page "preparing medical records" shows the published checklists.
@receiver([post_save, post_delete], sender=RecordsChecklist)
@receiver([post_save, post_delete], sender=ChecklistItem)
@receiver([post_save, post_delete], sender=PageReview)
# The hospitals' programme pages and their list (which names each programme's city).
@receiver([post_save, post_delete], sender=Programme)
@receiver([post_save, post_delete], sender=ProgrammeSource)
@receiver([post_save, post_delete], sender=ProgrammeOffer)
@receiver([post_save, post_delete], sender=ProgrammeOutcome)
@receiver([post_save, post_delete], sender=City)
def content_changed(sender, **kwargs):
    page_cache.bump_version()
