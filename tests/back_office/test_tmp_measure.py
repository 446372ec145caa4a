import uuid
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from enquiries import case, outbox, records, replies
from enquiries.models import Enquiry, EnquiryEvent
from tests.back_office.pages import change_url
from tests.factories import pdf_file


def test_measure(login, coordinator, make, enquiry):
    ContentType.objects.get_for_model(Enquiry)
    client = login(coordinator)
    for n in range(20):
        enquiry.add_note("A note.", by=coordinator)
        records.store(enquiry, pdf_file()).save()
        outbox.queue_enquiry_emails(enquiry)
        replies.send_reply(enquiry, "An answer.", by=coordinator, form_token=uuid.uuid4())
        case.send_message_from_patient(enquiry, "Q?", form_token=uuid.uuid4())
        make(email=enquiry.email, patient_name=f"P {n}")
    with CaptureQueriesContext(connection) as q:
        client.get(change_url(enquiry))
    for x in q.captured_queries:
        print(x["sql"][:200])
    print("COUNT", len(q))
