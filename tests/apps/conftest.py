import pytest

from tests.apps.support import Profiles, stub_profiles


@pytest.fixture
def profiles(monkeypatch) -> Profiles:
    return stub_profiles(monkeypatch)
