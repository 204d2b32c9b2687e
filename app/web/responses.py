"""The JSON response every route and error handler sends.

Starlette's encodes its JSON text as UTF-8, which fails on a lone surrogate (U+D800 to
U+DFFF): text no encoder can write, but which a client can send as a JSON escape and an
error message may quote back. This one writes such text as a JSON escape again, so the
answer is the error the learner should see, not a 500.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse as StarletteJSONResponse


class JSONResponse(StarletteJSONResponse):
    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: escaped, as the client sent it
            return json.dumps(
                content, ensure_ascii=True, allow_nan=False, separators=(",", ":")
            ).encode()
