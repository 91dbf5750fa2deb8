"""Per-request context: request id (echoed as X-Request-ID) and acting user."""

import re
import uuid

from gridsales.core.context import current_request_id, current_user

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        rid_token = current_request_id.set(request.id)
        # DRF authenticates tokens inside the view; the API base view re-sets the user then.
        user = request.user if request.user.is_authenticated else None
        user_token = current_user.set(user)
        try:
            response = self.get_response(request)
        finally:
            current_user.reset(user_token)
            current_request_id.reset(rid_token)
        response["X-Request-ID"] = request.id
        return response
