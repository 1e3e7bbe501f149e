"""Files and upload steps of the feedback import tests: good and bad CSV text, a file on
disk, an upload as the page makes it, and the check and import run to the end with their
on-commit tasks executed (`committed`, through the fixture in tests/feedback/conftest.py)."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from feedback import services
from feedback.imports.files import inspect_file
from feedback.imports.mapping import guess_mapping
from feedback.imports.pipeline import Job
from feedback.imports.rows import Context

GOOD = "Response ID,Date,NPS,Comment\nR1,2024-03-01,9,Fast delivery\nR2,2024-03-02,3,Late delivery and rude staff\nR3,2024-03-03,7,ok\n"
BAD = GOOD + "R4,2024-03-04,11,bad score\n"


def upload(org, member, text, name="f.csv", source="Survey"):
    src = services.source_get_or_create(organization=org, name=source)
    return services.import_batch_upload(
        organization=org,
        created_by=member,
        uploaded_file=SimpleUploadedFile(name, text.encode()),
        source=src,
    )


CAPTURE = {}


def committed(fn, **kwargs):
    with CAPTURE["fn"](execute=True):
        return fn(**kwargs)


def run_import(org, cx_lead, text, all_or_nothing=False):
    batch = upload(org, cx_lead, text)
    committed(services.import_batch_preview, batch=batch, mapping=batch.column_mapping)
    batch.refresh_from_db()
    committed(services.import_batch_commit, batch=batch, all_or_nothing=all_or_nothing)
    batch.refresh_from_db()
    return batch


def page_upload(client, org, name, content):
    """Upload through the import page, as a person does; the response and the batches made."""
    return client.post(
        f"/o/{org.slug}/feedback/imports/",
        {"file": SimpleUploadedFile(name, content), "kind": "feedback", "new_source": "Survey"},
    )


def run_import_of(batch, cx_lead):
    committed(services.import_batch_preview, batch=batch, mapping=batch.column_mapping)
    batch.refresh_from_db()
    committed(services.import_batch_commit, batch=batch)
    batch.refresh_from_db()
    return batch


LIMIT = 10 * 1024 * 1024


def write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


TOUCHPOINT_ROWS = (
    "Response ID,NPS,Touchpoint\nR1,9,Checkout\nR2,3,Chatbot\nR3,2, chatbot \nR4,5,Kiosk\n"
)


def previewed(org, cx_lead, capture):
    source = services.source_get_or_create(organization=org, name="Survey")
    batch = services.import_batch_upload(
        organization=org,
        created_by=cx_lead,
        uploaded_file=SimpleUploadedFile("f.csv", TOUCHPOINT_ROWS.encode()),
        source=source,
    )
    with capture(execute=True):
        services.import_batch_preview(batch=batch, mapping=batch.column_mapping)
    batch.refresh_from_db()
    return batch


def job_for(path: Path, **kw) -> Job:
    info = inspect_file(path, max_bytes=LIMIT)
    mapping = kw.pop("mapping", None) or guess_mapping(info.headers, descriptions=info.descriptions)
    return Job(
        path,
        info,
        kw.pop("kind", "feedback"),
        mapping,
        1,
        1,
        None,
        kw.pop("context", Context()),
        kw.pop("tagger", None),
    )


def numbered_rows(n: int) -> str:
    """A feedback file of n rows: response id, an NPS from 0 to 10, a comment."""
    return "Response ID,NPS,Comment\n" + "".join(f"R{i},{i % 11},row {i}\n" for i in range(n))
