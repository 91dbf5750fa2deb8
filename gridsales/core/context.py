"""Who is acting and under which request id, for the audit log.

Set by RequestContextMiddleware for web/API requests and by `acting_as()` for CLI work.
contextvars keep concurrent requests (threads or async tasks) apart.
"""

import contextlib
import contextvars
import uuid

current_user = contextvars.ContextVar("gridsales_current_user", default=None)
current_request_id = contextvars.ContextVar("gridsales_request_id", default="")


@contextlib.contextmanager
def acting_as(user, request_id: str | None = None):
    """Attribute every change inside the block to `user` (None = system) and one request id."""
    user_token = current_user.set(user)
    rid_token = current_request_id.set(request_id or uuid.uuid4().hex)
    try:
        yield
    finally:
        current_user.reset(user_token)
        current_request_id.reset(rid_token)
