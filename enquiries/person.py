"""The person behind enquiries: every enquiry linked to another by a shared email, phone, or name
and year of birth, or closed by a coordinator as a duplicate of another, is one person's, however
long the chain (A shares an email with B, B a phone with C: A, B and C are one person's)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enquiries.models import Enquiry

# How far the links are followed: the enquiry's own keys, then the keys of what they found, then
# once more. A person who writes again changes one detail at a time (a new phone, the same
# email), so three hops reach every enquiry we have seen one person send; each hop further adds
# more chance than evidence (a family's shared phone, a common name born the same year). It is
# also what keeps the enquiry page at a fixed number of queries: one per round at most.
MAX_ROUNDS = 3
# One patient writes a handful of times. Fifty enquiries behind one key is a shared address (a
# clinic's, a referring doctor's), not a person; the expansion stops there and says so, so that
# nobody erases or exports fifty strangers believing it is one patient.
MAX_ENQUIRIES = 50

# What the person panel says about how an enquiry is linked: to the enquiry on the page, or
# to another of the person's.
KEY_WORDS = {
    "email_key": _("same email"),
    "phone_key": _("same phone"),
    "name_key": _("same name and birth year"),
}
KEY_WORDS_AS = {
    "email_key": _("same email as %(reference)s"),
    "phone_key": _("same phone as %(reference)s"),
    "name_key": _("same name and birth year as %(reference)s"),
}
DUPLICATE_OF = _("closed as a duplicate of %(reference)s")
DUPLICATE_OF_IT = _("%(reference)s was closed as a duplicate of it")

# Enough for the panel, the erasure page and the close-as-duplicate form; who acts on the person
# loads the rest by pk.
PANEL_FIELDS = (
    "pk",
    "reference",
    "submitted_at",
    "status",
    "diagnosis",
    "patient_name",
    "duplicate_of",
    *Enquiry.DUPLICATE_KEY_FIELDS,
)


@dataclass
class Person:
    """The enquiries of one person, from the point of view of `enquiry`."""

    enquiry: Enquiry
    # The person's other enquiries, newest first; each with `links`: how it is linked, in words.
    others: list = field(default_factory=list)
    # False when the expansion stopped at MAX_ROUNDS or MAX_ENQUIRIES with links left to follow:
    # more enquiries may be this person's than `others` holds.
    complete: bool = True

    @property
    def enquiries(self):
        return [self.enquiry, *self.others]

    @property
    def pks(self):
        return [each.pk for each in self.enquiries]

    @property
    def duplicate_of(self):
        """The enquiry this one was closed as a duplicate of (one of `others`), or None."""
        return next((o for o in self.others if o.pk == self.enquiry.duplicate_of_id), None)

    @property
    def closed_as_duplicates_of_this(self):
        return [other for other in self.others if other.duplicate_of_id == self.enquiry.pk]

    def open_others(self):
        """The other enquiries this one may be closed as a duplicate of."""
        return [
            other
            for other in self.others
            if other.is_open and other.duplicate_of_id is None and other.anonymised_at is None
        ]


def person_of(enquiry, *, max_rounds=MAX_ROUNDS, max_enquiries=MAX_ENQUIRIES):
    """The person `enquiry` belongs to, found breadth first: at most `max_rounds` queries, each
    asking for the enquiries that share a key with (or were closed as duplicates of, or have as
    duplicates) those the round before found."""
    found = {enquiry.pk: enquiry}
    # Each key value seen, and the reference of the first enquiry that had it: a link's "to".
    seen_keys = {name: {} for name in KEY_WORDS}
    frontier = [enquiry]
    others = []
    complete = True
    for round_number in range(max_rounds):
        condition = Q()
        for name in KEY_WORDS:
            values = set()
            for each in frontier:
                value = getattr(each, name)
                if value and value not in seen_keys[name]:
                    seen_keys[name][value] = each.reference
                    values.add(value)
            if values:
                condition |= Q(**{f"{name}__in": sorted(values)})
        if targets := _unfound_targets(frontier, found):
            condition |= Q(pk__in=targets)
        if not condition and round_number > 0:
            # Nothing new to ask: the usual end, one query for a person whose enquiries all
            # share the details that link them.
            break
        # Who was closed as a duplicate of what was found is asked along with the keys, not on
        # its own: such an enquiry shares the person's keys anyway (closing checks it) unless
        # retention has blanked them since; the enquiry on the page always asks.
        condition |= Q(duplicate_of__in=[each.pk for each in frontier])
        room = max_enquiries - len(found)
        rows = list(
            Enquiry.objects.filter(condition)
            .exclude(pk__in=list(found))
            .only(*PANEL_FIELDS, "anonymised_at")
            .order_by("-submitted_at", "-pk")[: room + 1]
        )
        if len(rows) > room:
            rows = rows[:room]
            complete = False
        if not rows:
            break
        by_pk = {each.pk: each for each in frontier}
        for row in rows:
            row.links = _links(row, seen_keys, by_pk, enquiry)
            found[row.pk] = row
            others.append(row)
        frontier = rows
        if not complete:
            break
    else:
        # Rounds ran out: what the last round found may have keys nobody has looked for yet.
        complete = not _unfound_targets(frontier, found) and not any(
            getattr(each, name) and getattr(each, name) not in seen_keys[name]
            for each in frontier
            for name in KEY_WORDS
        )
    others.sort(key=lambda each: (each.submitted_at, each.pk), reverse=True)
    return Person(enquiry=enquiry, others=others, complete=complete)


def _unfound_targets(frontier, found):
    """The enquiries those of `frontier` were closed as duplicates of, not found yet."""
    return sorted({e.duplicate_of_id for e in frontier if e.duplicate_of_id} - set(found))


def _links(row, seen_keys, frontier_by_pk, start):
    """How `row` is linked to the enquiries found before it, in words: "same email" (as the
    enquiry `start` the search began from), "same phone as CT-…" (as another), or a duplicate."""
    links = []
    for name in KEY_WORDS:
        value = getattr(row, name)
        if value and value in seen_keys[name]:
            reference = seen_keys[name][value]
            if reference == start.reference:
                links.append(str(KEY_WORDS[name]))
            else:
                links.append(KEY_WORDS_AS[name] % {"reference": reference})
    if row.duplicate_of_id in frontier_by_pk:
        links.append(DUPLICATE_OF % {"reference": frontier_by_pk[row.duplicate_of_id].reference})
    for each in frontier_by_pk.values():
        if each.duplicate_of_id == row.pk:
            links.append(DUPLICATE_OF_IT % {"reference": each.reference})
    return links


def enquiries_of_person(enquiry):
    """Every enquiry of `enquiry`'s person, itself first (see person_of for the bounds)."""
    return person_of(enquiry).enquiries


def enquiries_of_people(enquiries):
    """Every enquiry of every person among `enquiries` (a lead's selection): a dict from each
    enquiry's pk to the reference of the selected enquiry whose person it was found in (what the
    audit log calls `person_of`), and whether every person was found complete. A person already
    reached through another selected enquiry is not looked up again."""
    chosen_reference = {}
    complete = True
    for enquiry in enquiries:
        if enquiry.pk in chosen_reference:
            continue
        person = person_of(enquiry)
        complete = complete and person.complete
        for pk in person.pks:
            chosen_reference.setdefault(pk, enquiry.reference)
    return chosen_reference, complete
