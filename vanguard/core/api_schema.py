"""The error answers every operation can give, written into the OpenAPI schema once
(SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) instead of on each view: 400 for bad
input ({field: [messages]} or [messages]), 401 without credentials, 403 for a role that
may not, 404 for what the user cannot see, 429 when throttled (all {"detail": "..."})."""

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
VALIDATION = {"oneOf": [
    {"type": "object", "additionalProperties": {}},
    {"type": "array", "items": {"type": "string"}},
]}
ERRORS = {
    "400": ("Bad input: messages by field.", "ValidationErrors", VALIDATION),
    "401": ("No or invalid credentials.", "ErrorDetail", DETAIL),
    "403": ("The role may not do this.", "ErrorDetail", DETAIL),
    "404": ("Not found, or not visible to the user.", "ErrorDetail", DETAIL),
    "429": ("Too many requests; try again later.", "ErrorDetail", DETAIL),
}
METHODS = ("get", "put", "patch", "post", "delete", "head", "options")


def document_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for _code, (_description, name, schema) in ERRORS.items():
        schemas.setdefault(name, schema)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, (description, name, _schema) in ERRORS.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                })
    return result
