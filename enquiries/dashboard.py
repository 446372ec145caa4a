"""The coordinators' dashboard figures: a fixed handful of aggregate queries, whatever the size of
the tables, shaped for bar charts and tables. The enquiry queue at a glance, then what became of
the enquiries: the referrals each programme received and answered, and the funnel from enquiry to
treatment by week, source page and campaign."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from enquiries.models import Enquiry, Referral, TreatmentPlan, choice_label, overdue_condition
from therapy_info.programmes import City, Programme

WEEKS = 12
MEDIAN_WINDOW_DAYS = 90
OVERDUE_LIST_LIMIT = 50
TOP_COUNTRIES = 15
# Width of the longest bar in the SVG's user units; the labels sit to its left.
BAR_AREA = 300
# The funnel by source page and by campaign shows this many rows; the rest are summed in one.
FUNNEL_GROUPS_SHOWN = 10
# Grouped bars: each stage's bar, the step between them, and the step between groups.
STAGE_BAR_HEIGHT = 6
STAGE_BAR_STEP = 7
GROUP_STEP = 44
LEGEND_HEIGHT = 24
NOT_AVAILABLE = "—"


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


def week_start(week):
    """TruncWeek's value as a local date: a datetime in the current time zone, or a date."""
    return timezone.localtime(week).date() if isinstance(week, datetime) else week


def duration_text(duration):
    """Hours and minutes under a day; days and hours from a day on (a hospital answers in days)."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        return _("%(days)d d %(hours)d h") % {"days": hours // 24, "hours": hours % 24}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def median(values):
    """The middle value, or the mean of the middle two; None for no values."""
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def percent(part, whole):
    """A share as a whole percentage; a dash when there is nothing to divide by."""
    if not whole:
        return NOT_AVAILABLE
    return f"{int(100 * part / whole + 0.5)}%"


# The funnel: what became of the enquiries received. Each stage counts enquiries (an enquiry
# referred to two programmes is referred once); a later stage needs no earlier one in the data,
# so the counts are what was recorded, not forced to shrink.
FUNNEL_STAGES = [
    ("enquiries", _("Enquiries")),
    ("referred", _("Referred")),
    ("plan_offered", _("Plan offered")),
    ("plan_accepted", _("Plan accepted")),
    ("treated", _("Treated")),
]


def funnel_cohort(since):
    """The enquiries the funnel follows: received since then, without spam and duplicates
    (a duplicate's person is counted on the enquiry it duplicates)."""
    return (
        Enquiry.objects.order_by()
        .filter(submitted_at__gte=since)
        .exclude(status__in=[Enquiry.Status.SPAM, Enquiry.Status.DUPLICATE])
    )


def funnel_counts():
    """The funnel's stages as aggregates over enquiries, for aggregate() or a grouped annotate():
    one EXISTS per stage, so an enquiry with several referrals or plans counts once."""
    referrals = Referral.objects.filter(enquiry=OuterRef("pk"))
    plans = TreatmentPlan.objects.filter(referral__enquiry=OuterRef("pk"))
    accepted = plans.filter(decision=TreatmentPlan.Decision.ACCEPTED)
    return {
        "enquiries": Count("pk"),
        "referred": Count("pk", filter=Exists(referrals)),
        "plan_offered": Count("pk", filter=Exists(plans)),
        "plan_accepted": Count("pk", filter=Exists(accepted)),
        "treated": Count("pk", filter=Q(status=Enquiry.Status.CLOSED_TREATED)),
    }


def funnel_chart(chart_id, title, counts):
    """The funnel's stages as bars, each with its share of the enquiries."""
    rows = bars((label, counts[key]) for key, label in FUNNEL_STAGES)
    for row in rows:
        row["share"] = percent(row["count"], counts["enquiries"])
    # Wider than the other charts by the room the share takes after the longest bar's count.
    return {
        "id": chart_id,
        "title": title,
        "rows": rows,
        "height": len(rows) * 24 + 4,
        "width": 660,
    }


def grouped_funnel_chart(chart_id, title, group_heading, groups):
    """(label, counts) pairs to grouped bars: one group per week, page or campaign, one bar per
    stage, all on one scale; `counts` are the stages' numbers for the table."""
    groups = [(label, [counts[key] for key, _stage in FUNNEL_STAGES]) for label, counts in groups]
    longest = max((number for _label, numbers in groups for number in numbers), default=0)
    drawn = [
        {
            "label": label,
            "counts": numbers,
            "y": LEGEND_HEIGHT + index * GROUP_STEP,
            "bars": [
                {
                    "stage": stage,
                    "y": 3 + stage * STAGE_BAR_STEP,
                    "width": round(BAR_AREA * number / longest) if longest else 0,
                }
                for stage, number in enumerate(numbers)
            ],
        }
        for index, (label, numbers) in enumerate(groups)
    ]
    return {
        "id": chart_id,
        "title": title,
        "group_heading": group_heading,
        "groups": drawn,
        "bar_height": STAGE_BAR_HEIGHT,
        "legend": [
            {"stage": stage, "label": label, "x": stage * 120}
            for stage, (_key, label) in enumerate(FUNNEL_STAGES)
        ],
        "height": LEGEND_HEIGHT + len(drawn) * GROUP_STEP,
    }


def funnel_by(cohort, field, blank_label, others_label):
    """The funnel per value of a field, the biggest groups first; beyond FUNNEL_GROUPS_SHOWN
    the rest are summed in one row, so a long tail of campaigns stays one line."""
    rows = sorted(
        cohort.values(field).annotate(**funnel_counts()).order_by(),
        key=lambda row: (-row["enquiries"], row[field]),
    )
    groups = [(row[field] or blank_label, row) for row in rows[:FUNNEL_GROUPS_SHOWN]]
    rest = rows[FUNNEL_GROUPS_SHOWN:]
    if rest:
        summed = {key: sum(row[key] for row in rest) for key, _stage in FUNNEL_STAGES}
        groups.append((others_label % {"count": len(rest)}, summed))
    return groups, rows


def programme_figures(since):
    """Per programme that received referrals since then: how many, how many it answered, the
    median time from sending to its answer, and its acceptance rate — plans offered among the
    answers that decided (a plan or a decline; "more information needed" decides nothing yet)."""
    in_period = Q(referrals__sent_at__gte=since)
    programmes = (
        Programme.objects.order_by()
        .annotate(
            referrals_sent=Count("referrals", filter=in_period),
            answered=Count("referrals", filter=in_period & Q(referrals__answered_at__isnull=False)),
            plans_offered=Count(
                "referrals", filter=in_period & Q(referrals__status=Referral.Status.PLAN_OFFERED)
            ),
            declined=Count(
                "referrals", filter=in_period & Q(referrals__status=Referral.Status.DECLINED)
            ),
        )
        .filter(referrals_sent__gt=0)
    )
    # A database-agnostic median: each answered referral's two times, subtracted here.
    waits = defaultdict(list)
    for programme_id, sent_at, answered_at in (
        Referral.objects.order_by()
        .filter(sent_at__gte=since, answered_at__isnull=False)
        .values_list("programme_id", "sent_at", "answered_at")
    ):
        waits[programme_id].append(answered_at - sent_at)
    rows = []
    for programme in sorted(programmes, key=lambda p: (-p.referrals_sent, str(p), p.pk)):
        median_wait = median(waits[programme.pk])
        rows.append(
            {
                "name": str(programme),
                "referrals": programme.referrals_sent,
                "answered": programme.answered,
                "plans_offered": programme.plans_offered,
                "declined": programme.declined,
                "median_answer_time": (
                    duration_text(median_wait) if median_wait is not None else NOT_AVAILABLE
                ),
                "acceptance_rate": percent(
                    programme.plans_offered, programme.plans_offered + programme.declined
                ),
            }
        )
    return rows


def outcome_figures(mondays):
    """What became of the enquiries received since the first of these Mondays (the weekly
    chart's), so the weeks add up to the whole period, as do the source pages and campaigns:
    the funnel overall, by week, page and campaign (one query each for the last three; the
    overall counts are the pages' sum), and the referrals per programme (two queries)."""
    period_start = timezone.make_aware(datetime.combine(mondays[0], time.min))
    cohort = funnel_cohort(period_start)
    weekly = {
        week_start(row["week"]): row
        for row in cohort.annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(**funnel_counts())
        .order_by()
    }
    no_enquiries = {key: 0 for key, _stage in FUNNEL_STAGES}
    by_week = [
        (monday.strftime("%d %b %Y"), weekly.get(monday, no_enquiries)) for monday in mondays
    ]
    by_page, page_rows = funnel_by(
        cohort, "source_page_slug", _("direct / unknown"), _("%(count)d other pages")
    )
    by_campaign, _rows = funnel_by(
        cohort, "utm_campaign", _("none"), _("%(count)d other campaigns")
    )
    overall = {key: sum(row[key] for row in page_rows) for key, _stage in FUNNEL_STAGES}
    programmes = programme_figures(period_start)
    return {
        "period_start": mondays[0],
        "funnel": funnel_chart("funnel", _("From enquiry to treatment"), overall),
        "funnel_stages": [label for _key, label in FUNNEL_STAGES],
        "funnel_charts": [
            grouped_funnel_chart(
                "funnel-weekly", _("The funnel by week received"), _("Week starting"), by_week
            ),
            grouped_funnel_chart(
                "funnel-pages", _("The funnel by source page"), _("Source page"), by_page
            ),
            grouped_funnel_chart(
                "funnel-campaigns", _("The funnel by campaign"), _("Campaign"), by_campaign
            ),
        ],
        "programmes": programmes,
        "programme_chart": chart(
            "programmes",
            _("Referrals per programme"),
            ((row["name"], row["referrals"]) for row in programmes),
        ),
    }


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
        (week_start(week), count)
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
        **outcome_figures(mondays),
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
