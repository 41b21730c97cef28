"""Peak memory of a worker importing the largest file the import accepts (issue 14).

    DATABASE_URL=postgres://… REDIS_URL=redis://… SECRET_KEY=… .venv/bin/python bench/import_memory.py [--xlsx]

Writes a file of 100,000 rows by 10 columns (the row and cell limits; just under 10 MB as CSV) with
managers and departments, previews it as the upload page does, then commits it in a fresh
process exactly as the Celery task does (`run_queued_import`) and prints that process's peak
resident memory. Exits 1 when it passes 512 MB. The organization it creates is deleted after.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MB = 512
HEADER = ["Employee ID", "First Name", "Last Name", "Work Email", "Job Title", "Department", "Manager Email"]
HEADER += ["Location", "Hire Date", "Status"]
DEPARTMENTS = ["R&D", "Sales", "Customer Success", "People Ops", "Finance", "Marketing", "Product", "Design"]


def largest_file(xlsx: bool) -> bytes:
    rows = [HEADER]
    for i in range(100_000):
        manager = f"p{i // 10}@acme.test" if i else ""
        rows.append([f"E{i:06}", f"First{i}", f"Last{i}", f"p{i}@acme.test", f"Role {i % 50}"])
        rows[-1] += [DEPARTMENTS[i % len(DEPARTMENTS)], manager, "Berlin", "2021-01", "Active"]
    if not xlsx:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        return buffer.getvalue().encode()
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("People")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wholeproduct.settings")
    import django

    django.setup()


def worker(job_id: int) -> None:
    """The Celery task's body, alone in this process; prints its peak memory in MB."""
    setup()
    from roles.models import ImportJob
    from roles.services import imports

    ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.QUEUED)
    imports.run_queued_import(job_id=job_id)
    job = ImportJob.objects.get(pk=job_id)
    if job.state != ImportJob.State.DONE:
        raise SystemExit(f"The import did not complete: {job.error}")
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--xlsx", action="store_true", help="Write the file as XLSX instead of CSV.")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options.worker)
        return 0
    setup()
    from roles.models import Organization
    from roles.services import imports

    content = largest_file(options.xlsx)
    name = "largest.xlsx" if options.xlsx else "largest.csv"
    org = Organization.objects.create(slug=f"import-memory-{int(time.time())}", name="Import memory")
    try:
        started = time.monotonic()
        job = imports.start_import(organization=org, by=None, filename=name, content=content)
        print(
            f"{name}: {len(content) / 1024 / 1024:.1f} MB, {job.row_count:,} rows; preview {job.state} in "
            f"{time.monotonic() - started:.0f} s"
        )
        started = time.monotonic()
        # Our own interpreter and script, with an id we made: nothing untrusted.
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--worker", str(job.pk)], capture_output=True, text=True, check=True
        )
        peak = float(out.stdout.strip().splitlines()[-1])
        people = org.stakeholders.count()
        print(
            f"worker: {people:,} people written in {time.monotonic() - started:.0f} s, peak {peak:.0f} MB "
            f"(budget {BUDGET_MB} MB)"
        )
        return 0 if peak <= BUDGET_MB else 1
    finally:
        org.stakeholders.all().delete()
        org.delete()


if __name__ == "__main__":
    raise SystemExit(main())
