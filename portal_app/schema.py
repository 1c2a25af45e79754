"""Every table: importing this module registers each feature's tables and each child app's with SQLModel.

Migrations, the schema tests and `SQLModel.metadata.create_all` in tests read the metadata after
importing it. Each table lives in its feature's folder (<feature>/models.py); the app registry
imports every child app's own models, and each app's migration version table is declared too.
"""

import portal_app.accounts.models  # noqa: F401
import portal_app.admin.models  # noqa: F401
import portal_app.apps.models  # noqa: F401
import portal_app.business.models  # noqa: F401
import portal_app.email.models  # noqa: F401
import portal_app.privacy.models  # noqa: F401
import portal_app.profile.models  # noqa: F401
import portal_app.timeline.models  # noqa: F401
from portal_app.apps import migrations, registry

registry.all_apps()
migrations.declare_version_tables()
