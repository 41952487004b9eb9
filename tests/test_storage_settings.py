"""Where the archive goes, read strictly from the environment (djtranscribe/lib/storage_url.py)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from djtranscribe.lib.storage_url import FOLDER_BACKEND, S3_BACKEND, describe, recordings_storage

DEFAULT = Path("/srv/app/media/recordings")
VARIABLES = (
    "RECORDINGS_STORAGE_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_LOCATION",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


@pytest.fixture
def env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_env(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return recordings_storage(DEFAULT)

    return set_env


def refused(env, **values) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        env(**values)
    return str(caught.value)


def test_nothing_set_keeps_recordings_in_the_folder_under_media_root(env):
    assert env() == {"BACKEND": FOLDER_BACKEND, "OPTIONS": {"location": DEFAULT, "base_url": None}}


def test_a_file_url_names_another_folder(env):
    assert env(RECORDINGS_STORAGE_URL="file:///data/recordings")["OPTIONS"]["location"] == "/data/recordings"


def test_an_s3_url_names_the_bucket_prefix_endpoint_and_region(env):
    storage = env(
        RECORDINGS_STORAGE_URL="s3://calls-archive/djt/recordings/?endpoint_url=https://s3.example.com&region=eu-west-1"
    )
    assert storage == {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": "calls-archive",
            "location": "djt/recordings",
            "endpoint_url": "https://s3.example.com",
            "region_name": "eu-west-1",
        },
    }


def test_the_usual_aws_variables_configure_a_bucket_without_a_url(env):
    storage = env(
        AWS_STORAGE_BUCKET_NAME="calls-archive",
        AWS_S3_ENDPOINT_URL="http://minio.internal:9000",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    assert storage["BACKEND"] == S3_BACKEND
    assert storage["OPTIONS"] == {
        "bucket_name": "calls-archive",
        "location": "",
        "endpoint_url": "http://minio.internal:9000",
        "addressing_style": "path",
        "access_key": "AKIDEXAMPLE",
        "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    }


def test_aws_variables_fill_in_what_the_url_leaves_out(env):
    storage = env(RECORDINGS_STORAGE_URL="s3://calls-archive", AWS_S3_REGION_NAME="us-east-2")
    assert storage["OPTIONS"]["region_name"] == "us-east-2"


def test_a_url_and_a_variable_that_disagree_are_refused(env):
    message = refused(
        env, RECORDINGS_STORAGE_URL="s3://calls-archive", AWS_STORAGE_BUCKET_NAME="other-bucket"
    )
    assert "AWS_STORAGE_BUCKET_NAME" in message and "disagree" in message


def test_without_keys_the_machines_own_role_is_used(env):
    assert "secret_key" not in env(AWS_STORAGE_BUCKET_NAME="calls-archive")["OPTIONS"]


def test_one_key_without_its_partner_is_refused(env):
    message = refused(env, AWS_STORAGE_BUCKET_NAME="calls-archive", AWS_ACCESS_KEY_ID="AKIDEXAMPLE")
    assert "AWS_SECRET_ACCESS_KEY is not set" in message


def test_keys_in_the_url_are_refused_without_repeating_them(env):
    message = refused(env, RECORDINGS_STORAGE_URL="s3://AKIDEXAMPLE:sup3r-s3cret-key@calls-archive/x")
    assert "AWS_ACCESS_KEY_ID" in message
    assert "sup3r-s3cret-key" not in message and "AKIDEXAMPLE" not in message


def test_an_unknown_parameter_is_named_but_its_value_is_not_repeated(env):
    message = refused(env, RECORDINGS_STORAGE_URL="s3://calls-archive?secret_key=sup3r-s3cret-key")
    assert "'secret_key'" in message and "endpoint_url" in message
    assert "sup3r-s3cret-key" not in message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://calls-archive/x", "must start with s3://"),
        ("calls-archive", "must start with s3://"),
        ("s3:///prefix", "names no bucket"),
        ("s3://Calls_Archive", "not an S3 bucket name"),
        ("s3://calls-archive/../etc", "not a key prefix"),
        ("s3://calls-archive?endpoint_url=ftp://s3.example.com", "http:// or https://"),
        ("s3://calls-archive?endpoint_url=https://s3.example.com/bucket", "no path"),
        ("s3://calls-archive?region=EU%20West", "not a region name"),
        ("s3://calls-archive?addressing_style=sideways", "path, virtual or auto"),
        ("s3://calls-archive?region=eu-west-1&region=us-east-1", "given twice"),
        ("s3://calls-archive?region=", "region is empty"),
        ("file://relative/folder", "file:///absolute/path"),
    ],
)
def test_a_storage_url_that_cannot_be_read_says_what_to_fix(env, url, says):
    assert says in refused(env, RECORDINGS_STORAGE_URL=url)


def test_a_folder_url_with_bucket_variables_is_refused(env):
    message = refused(env, RECORDINGS_STORAGE_URL="file:///data/rec", AWS_STORAGE_BUCKET_NAME="calls-archive")
    assert "keep one" in message


def test_bucket_options_without_a_bucket_are_refused(env):
    assert "no bucket" in refused(env, AWS_S3_ENDPOINT_URL="https://s3.example.com")


def test_the_description_names_the_bucket_and_never_a_key(env):
    storage = env(
        RECORDINGS_STORAGE_URL="s3://calls-archive/djt?endpoint_url=https://s3.example.com",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    assert describe(storage) == "s3://calls-archive/djt at https://s3.example.com"


def test_the_app_refuses_to_start_with_an_unreadable_storage_url(monkeypatch):
    import subprocess
    import sys

    from django.conf import settings

    completed = subprocess.run(
        [sys.executable, "-c", "import djtranscribe.settings"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJTRANSCRIBE_READ_DOTENV": "0",
            "DEBUG": "true",
            "RECORDINGS_STORAGE_URL": "s3://calls-archive?endpoint_url=nowhere",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode != 0
    assert (
        "RECORDINGS_STORAGE_URL (endpoint_url): the endpoint must be an http:// or https:// URL"
        in completed.stderr
    )


def test_the_buckets_secret_key_is_blanked_out_of_logs_and_errors(settings):
    from djtranscribe.lib.redaction import redact

    settings.AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    said = redact("SignatureDoesNotMatch for wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert said == "SignatureDoesNotMatch for [redacted]"
