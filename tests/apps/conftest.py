from tests.apps.support import profiles  # noqa: F401  (fixture)
