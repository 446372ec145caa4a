"""How the back-office tests reach the admin's pages: the list and enquiry page addresses, the
list's actions, and the enquiry page's forms (the enquiry's, the reply's) read back from the page
as a browser would post them."""

from html.parser import HTMLParser

from django.urls import reverse


def changelist_url(**params):
    url = reverse("admin:enquiries_enquiry_changelist")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def change_url(enquiry):
    return reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])


def reply_url(enquiry):
    return reverse("admin:enquiries_enquiry_reply", args=[enquiry.pk])


def action(client, name, enquiries, **extra):
    """Posts a changelist action the way the admin's action bar does."""
    data = {"action": name, "index": 0, "_selected_action": [e.pk for e in enquiries], **extra}
    return client.post(changelist_url(), data)


def erase_people_url(*enquiries):
    """The erasure page of the people of `enquiries` (the enquiry page's button)."""
    url = reverse("admin:enquiries_enquiry_erase_people")
    return url + "?" + "&".join(f"selected={enquiry.pk}" for enquiry in enquiries)


def erasure_form_data(page, **changes):
    """What a browser posts from the erasure confirmation page `page`, with `changes` made (the
    box is ticked with confirm="on")."""
    data = {}
    for name, value in _read_form(page, form_id="erase_form").fields:
        data.setdefault(name, []).append(value)
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    return {**data, "apply": "1", **changes}


def confirm_erasure(client, page, **changes):
    """Ticks the box of the erasure page `page` and posts it, as a lead would."""
    return client.post(
        reverse("admin:enquiries_enquiry_erase_people"),
        erasure_form_data(page, confirm="on", **changes),
    )


def page_form_data(page, **changes):
    """What a browser posts back from the enquiry page `page` (the response to its GET), with
    `changes` made: every field of the page's form with the value the page shows, the inlines'
    management forms and the hidden copies of the shown values included. An inline added to the
    page later is posted like the others, untouched."""
    data = {}
    for name, value in _read_form(page).fields:
        data.setdefault(name, []).append(value)
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    data.update(changes)
    return data


def reply_form_data(page, button="send", **changes):
    """What a browser posts from the "Reply to the patient" form of `page` (the enquiry page or
    the reply page) when `button` is pressed, with `changes` made (field names without the
    form's "reply-" prefix)."""
    data = dict(_read_form(page, form_id="reply_form").fields)
    data.update({f"reply-{name}": value for name, value in changes.items()})
    data[button] = "1"
    return data


def page_choices(page, name, form_id="enquiry_form"):
    """The (value, label) pairs the select named `name` offers on the page's form (the enquiry's,
    unless `form_id` names another)."""
    return [(value, label) for value, label, _selected in _read_form(page, form_id).options[name]]


def page_value(page, name, form_id="enquiry_form"):
    """What a browser would post for the field `name` of the page's form, as it is shown."""
    return dict(_read_form(page, form_id).fields).get(name)


def _read_form(page, form_id="enquiry_form"):
    assert page.status_code == 200, page.status_code
    reader = _FormReader(form_id)
    reader.feed(page.content.decode())
    reader.close()
    return reader


class _FormReader(HTMLParser):
    """The fields of one form, and the values a browser submits for them: checked boxes only,
    a select's selected options (else its first one), a textarea's text; no buttons."""

    NOT_SUBMITTED = {"submit", "button", "reset", "image", "file"}

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self.options = {}
        self.select = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == self.form_id:
            self.inside = True
        name = attributes.get("name")
        if not self.inside:
            return
        if tag == "option" and self.select is not None:
            self.option = [attributes.get("value"), "", "selected" in attributes]
        if not name or "disabled" in attributes:
            return
        if tag == "input":
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value") or "on"))
            elif kind not in self.NOT_SUBMITTED:
                self.fields.append((name, attributes.get("value") or ""))
        elif tag == "select":
            self.select = (name, "multiple" in attributes)
            self.options[name] = []
        elif tag == "textarea":
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self.option is not None:
            value, label, selected = self.option
            label = " ".join(label.split())
            self.options[self.select[0]].append(
                (label if value is None else value, label, selected)
            )
            self.option = None
        elif tag == "select" and self.select is not None:
            name, multiple = self.select
            options = self.options[name]
            chosen = [value for value, _label, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self.fields.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # Browsers drop the line break that opens a textarea's content.
            self.fields.append((name, text.removeprefix("\n")))
            self.textarea = None
