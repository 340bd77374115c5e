"""OpenAPI schema post-processing: document the error answers every operation
can give (DESIGN: 400 with field errors, 401, 403, 404, 409, 415, 429), so clients
and Schemathesis know them."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Either {"detail": message} or {field: [messages]}.',
    "additionalProperties": True,
}

ERRORS = {
    "400": "Invalid input: field errors, or a detail message.",
    "401": "Not authenticated (no or bad token/session).",
    "403": "Authenticated but not allowed.",
    "404": "Not found, or not yours to see.",
    "405": "Method not allowed.",
    "409": "Conflict with the current state (capacity reached, slot taken…).",
    "415": "Unsupported media type (send JSON).",
    "429": "Too many requests.",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "put", "patch", "post", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"}
                            }
                        },
                    },
                )
    return result
