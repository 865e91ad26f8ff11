"""Exports stored in an S3 bucket (ANNOTATOR_STORAGE=s3, django-storages) instead of the file
system: published by upload, downloaded through the API, the same bytes and checksum. The
bucket is moto's in-process S3; the storage settings are the ones settings.py builds."""

import hashlib
import io
import zipfile

import boto3
import pytest
from moto import mock_aws
from rest_framework.test import APIClient

from annotator.core import jobs
from annotator.core.jobs import JobStatus
from annotator.corpus.models import Membership, Role
from annotator.exports import services
from annotator.exports.build import local_temp_dir
from annotator.exports.models import Export

pytestmark = pytest.mark.django_db
BUCKET = "annotator-exports"


@pytest.fixture
def bucket(settings, tmp_path, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = tmp_path / "media"  # where zips are built before the upload
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "access_key": "test",
                    "secret_key": "test",
                    "region_name": "us-east-1",
                },
            },
        }
        yield client


def test_an_export_is_uploaded_to_the_bucket_and_downloaded_through_the_api(bucket, unicode_sample):
    from test_exports_service import Corpus

    corpus = Corpus(unicode_sample)
    export = services.request_export(corpus.project, "jsonl", {"layer": "all"})
    # An object left under the final name by an attempt killed after its upload is replaced.
    name = services.published_name(export)
    bucket.put_object(Bucket=BUCKET, Key=name, Body=b"left by a killed attempt")
    result = jobs.run(Export, export.pk, services.build)
    assert result.status == JobStatus.DONE, result.error
    assert result.file.name == name == f"exports/news/news-jsonl-{result.pk}.zip"
    stored = bucket.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == result.sha256
    assert len(stored) == result.size
    assert [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]] == [name]
    assert list(local_temp_dir().iterdir()) == []  # the local copy went with the upload

    researcher = corpus.ann1.__class__.objects.create_user("res")
    Membership.objects.create(user=researcher, project=corpus.project, role=Role.RESEARCHER)
    api = APIClient()
    api.force_authenticate(researcher)
    response = api.get(f"/api/v1/projects/news/exports/{result.pk}/download/")
    assert response.status_code == 200
    blob = b"".join(response.streaming_content)
    assert blob == stored
    assert response["X-Checksum-SHA256"] == result.sha256
    lines = zipfile.ZipFile(io.BytesIO(blob)).read("articles.jsonl").decode().splitlines()
    assert len(lines) == 3
