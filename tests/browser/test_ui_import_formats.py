"""The import page with the formats researchers have: a non-staff manager uploads the SemEval
release zip with its SI files taken under a chosen label, and a brat zip; the page reports
which labels files were read and what was not."""

import io
import zipfile

import pytest
from a11y import assert_accessible
from playwright.sync_api import expect
from test_import_semeval import DATASETS, zip_folder
from test_ui_manage import _fast, login, make_user, worker  # noqa: F401  (fixtures)

from annotator.annotations.models import Span
from annotator.corpus.models import Membership, Project, Role

pytestmark = pytest.mark.browser


def brat_zip(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("brat/doc-1.txt", "Loud \u202bعادلة\u202c news 🔥\r\n")
        archive.writestr("brat/doc-1.ann", "T1\tloaded_language 0 4\tLoud\n")
        archive.writestr("brat/annotation.conf", "[entities]\nloaded_language\n")
    path = tmp_path / "brat.zip"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.usefixtures("worker")
def test_a_manager_imports_the_release_with_si_files_and_a_brat_zip(page, live_server, tmp_path):
    from annotator.schemas.editing import schema_from_presets

    manager = make_user("pm")  # a plain user, not staff, managing one project

    project = Project.objects.create(
        slug="ptc", name="PTC", schema=schema_from_presets(["semeval2020"], name="ptc")
    )
    Membership.objects.create(user=manager, project=project, role=Role.MANAGER)
    loaded = project.schema.labels.get(official_label="Loaded_Language")
    login(page, live_server, "pm")
    page.goto(f"{live_server.url}/projects/ptc/import/")
    expect(page.locator("#import-reports")).to_have_attribute("data-ready", "true")
    accept = page.locator("#import-files").get_attribute("accept") or ""
    assert {".json", ".conll", ".zip"} <= set(accept.split(","))
    assert_accessible(page, "import page")

    page.select_option("#import-si-label", loaded.key)
    page.set_input_files(
        "#import-files", [zip_folder(DATASETS, tmp_path / "datasets.zip"), brat_zip(tmp_path)]
    )
    page.get_by_role("button", name="Import").click()

    job = page.locator("li.import").first
    expect(job).to_have_attribute("data-status", "done")
    release = job.locator("li.import-file[data-file='datasets.zip']")
    # 7 TC spans and 6 SI spans under the chosen label, from 3 TC and 3 SI files
    expect(release).to_contain_text("4 article(s), 13 span(s) from 6 labels file(s)")
    expect(release).to_contain_text("repeated span line, stored once")
    expect(job.locator("li.import-file[data-file='brat.zip']")).to_contain_text(
        "1 article(s), 1 span(s)"
    )
    assert (
        Span.objects.filter(article__project=project, label=loaded).count() == 6 + 2 + 1
    )  # SI, TC, brat
    assert_accessible(page, "import page with reports")
