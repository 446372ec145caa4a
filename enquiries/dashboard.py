"""The coordinators' dashboard figures: a fixed handful of aggregate queries, whatever the size of
the table, shaped for bar charts and tables."""

from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from enquiries.models import Enquiry, choice_label, overdue_condition
from therapy_info.programmes import City

WEEKS = 12
MEDIAN_WINDOW_DAYS = 90
OVERDUE_LIST_LIMIT = 50
TOP_COUNTRIES = 15
# Width of the longest bar in the SVG's user units; the labels sit to its left.
BAR_AREA = 300


def bars(rows):
    """(label, count) pairs to rows a chart and a table can both draw."""
    rows = list(rows)
    longest = max((count for _label, count in rows), default=0)
    return [
        {
            "label": label,
            "count": count,
            "width": round(BAR_AREA * count / longest) if longest else 0,
            "y": index * 24,
        }
        for index, (label, count) in enumerate(rows)
    ]


def chart(chart_id, title, rows):
    rows = bars(rows)
    return {"id": chart_id, "title": title, "rows": rows, "height": len(rows) * 24 + 4}


def duration_text(duration):
    minutes = int(duration.total_seconds() // 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def median(values):
    values = list(values)
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return (values[0] + values[1]) / 2


def figures(now=None):
    now = now or timezone.now()
    since_weeks = now - timedelta(weeks=WEEKS)
    median_since = now - timedelta(days=MEDIAN_WINDOW_DAYS)
    enquiries = Enquiry.objects.order_by()

    counts = enquiries.aggregate(
        open=Count("pk", filter=Enquiry.open_condition()),
        new_24h=Count("pk", filter=Q(submitted_at__gte=now - timedelta(hours=24))),
        new_7d=Count("pk", filter=Q(submitted_at__gte=now - timedelta(days=7))),
        overdue=Count("pk", filter=overdue_condition(now)),
        replied=Count(
            "pk", filter=Q(submitted_at__gte=median_since, first_replied_at__isnull=False)
        ),
    )

    by_status = dict(
        enquiries.open()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    open_by_status = [
        (label, by_status[value]) for value, label in Enquiry.Status.choices if value in by_status
    ]

    overdue = list(
        enquiries.overdue(now)
        .select_related("assigned_to")
        .order_by("first_reply_due_at")[:OVERDUE_LIST_LIMIT]
    )

    # The median without a database-specific percentile function: sort by the wait and read the
    # middle one or two rows, counted above.
    middle = counts["replied"]
    waits = (
        enquiries.filter(submitted_at__gte=median_since, first_replied_at__isnull=False)
        .annotate(
            wait=ExpressionWrapper(
                F("first_replied_at") - F("submitted_at"), output_field=DurationField()
            )
        )
        .order_by("wait")
        .values_list("wait", flat=True)
    )
    median_wait = median(waits[(middle - 1) // 2 : middle // 2 + 1]) if middle else None

    weekly = dict(
        (timezone.localtime(week).date() if hasattr(week, "tzinfo") else week, count)
        for week, count in enquiries.filter(submitted_at__gte=since_weeks)
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(count=Count("pk"))
        .values_list("week", "count")
    )
    this_monday = timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday())
    mondays = [this_monday - timedelta(weeks=back) for back in range(WEEKS - 1, -1, -1)]
    weekly_volume = [(monday.strftime("%d %b %Y"), weekly.get(monday, 0)) for monday in mondays]

    recent = enquiries.filter(submitted_at__gte=since_weeks)
    by_city = (
        City.objects.annotate(
            count=Count("enquiries", filter=Q(enquiries__submitted_at__gte=since_weeks))
        )
        .filter(count__gt=0)
        .order_by("-count", "name")
        .values_list("name", "count")
    )
    by_country = [
        (countries.name(code) or code, count)
        for code, count in recent.values_list("country")
        .annotate(count=Count("pk"))
        .order_by("-count", "country")
        .values_list("country", "count")[:TOP_COUNTRIES]
    ]
    by_diagnosis = [
        (choice_label(Enquiry.Diagnosis, code) if code else _("Not answered"), count)
        for code, count in recent.values_list("diagnosis")
        .annotate(count=Count("pk"))
        .order_by("-count", "diagnosis")
        .values_list("diagnosis", "count")
    ]

    return {
        "counts": counts,
        "median_wait": duration_text(median_wait) if median_wait is not None else None,
        "median_window_days": MEDIAN_WINDOW_DAYS,
        "overdue": overdue,
        "weeks": WEEKS,
        "charts": [
            chart("open-by-status", _("Open enquiries by status"), open_by_status),
            chart("weekly", _("Enquiries received per week (week starting)"), weekly_volume),
            chart("cities", _("Preferred cities, last 12 weeks"), by_city),
            chart("countries", _("Countries, last 12 weeks (top 15)"), by_country),
            chart("diagnoses", _("Diagnoses, last 12 weeks"), by_diagnosis),
        ],
    }
