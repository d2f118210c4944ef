"""The seed documents are kept exactly as published: same bytes, same relative layout."""

import hashlib

import yaml

from arazzo_helpers import DATA, FARGATE_SEED, WINDMILL_SEED


def test_seed_files_are_byte_identical_to_the_published_ones():
    # The sums are those of the published files (the seed reference lists them).
    listed = {}
    for line in (DATA / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    assert set(listed) == {
        "arazzo/amazon-fargate-stop-task-and-confirm-workflow.yml",
        "arazzo/windmill-run-script-with-timeout-cancel-workflow.yml",
        "openapi/amazon-fargate-openapi.yml",
        "openapi/windmill-api-openapi.yml",
    }
    for name, digest in listed.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


def test_source_descriptions_resolve_next_to_the_seeds():
    for seed in (FARGATE_SEED, WINDMILL_SEED):
        document = yaml.safe_load(seed.read_text())
        for source in document["sourceDescriptions"]:
            assert (seed.parent / source["url"]).resolve().is_file(), source
