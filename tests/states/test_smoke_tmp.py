import time
import pytest
from portal_app.states.signup import SignupState, VerifyState
from portal_app.states.session import SessionState
from portal_app.states.login import LoginState
from tests.states.conftest import row_counts

@pytest.mark.parametrize("path", ["/\ud800x", "/" + "a" * 1_000_000, "/a\x00b", "//evil.example/x", "/?next=//evil"])
async def test_surrogate_path(pipeline, caplog, path):
    c = await pipeline.connect("/")
    await c.send(SessionState.require_account, {}, path=path)
    print("\nRESULT path", repr(pipeline.escaped), [x[:100] for x in c.redirects()], [r.levelname + r.getMessage()[:300] for r in caplog.records])
