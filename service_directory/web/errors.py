"""What a curator's browser shows when a page refuses her: a page in her language with
a way back, not the API's JSON (`{"detail": "Not Found"}` means nothing to an NGO
worker on a phone). The status codes stay what they were (the authorization matrix and
htmx read them); the API, the redirects to the login page and htmx's requests keep
FastAPI's own answer."""
from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..hsds.texts import N_
from .pages import render, wants_fragment

SAID = {
    403: N_("This form was not accepted: it may have stayed open too long. Go back, "
            "reload the page and try again."),
    404: N_("This page does not exist, or it belongs to another organization."),
}


async def page_refused(request: Request, error: HTTPException) -> Response:
    if (not request.url.path.startswith("/ui/") or error.status_code not in SAID
            or wants_fragment(request)):
        return await http_exception_handler(request, error)
    return render(request, "error.html", {"said": SAID[error.status_code]},
                  status_code=error.status_code)
