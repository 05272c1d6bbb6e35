"""The OpenAPI 3.0 document, built from the same `Limits` the validators enforce."""

from __future__ import annotations

from nearcopy.service.schemas import ID_PATTERN, TEXT_PATTERN, Limits


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "Body is not valid UTF-8 JSON", 401: "Missing or wrong bearer token",
            404: "No such document", 413: "Body, batch or text over its limit",
            422: "Valid JSON of the wrong shape", 503: "Index unavailable"}
    return {str(c): _json(_ref("Error"), text[c]) for c in codes}


def _schemas(limits: Limits) -> dict:
    doc_id = {"type": "string", "minLength": 1, "maxLength": limits.max_id_chars,
              "pattern": ID_PATTERN}
    text = {"type": "string", "minLength": 1, "maxLength": limits.max_text_chars,
            "pattern": TEXT_PATTERN}
    limit = {"type": "integer", "minimum": 1, "maximum": limits.max_limit,
             "default": limits.default_limit}
    match = {"type": "object", "required": ["id", "similarity", "method"],
             "properties": {"id": {"type": "string"},
                            "similarity": {"type": "number", "minimum": 0, "maximum": 1},
                            "method": {"type": "string",
                                       "enum": ["exact", "near", "contained", "contains"]}}}
    return {
        "NewDocument": {"type": "object", "required": ["id", "text"], "additionalProperties": False,
                        "properties": {"id": doc_id, "text": text, "metadata": {"type": "object"}}},
        "DocumentBatch": {"type": "object", "required": ["documents"],
                          "additionalProperties": False,
                          "properties": {"documents": {"type": "array", "minItems": 1,
                                                       "maxItems": limits.max_batch,
                                                       "items": _ref("NewDocument")},
                                         "limit": limit}},
        "Query": {"type": "object", "required": ["text"], "additionalProperties": False,
                  "properties": {"text": text, "limit": limit}},
        "Match": match,
        "AddResult": {"type": "object", "required": ["id", "status", "copies", "dropped"],
                      "properties": {"id": {"type": "string"},
                                     "status": {"type": "string", "enum": [
                                         "added", "exists", "conflict", "dropped"]},
                                     "copies": {"type": "array", "items": _ref("Match")},
                                     "dropped": {"type": "object", "nullable": True}}},
        "AddResponse": {"type": "object", "required": ["results"],
                        "properties": {"results": {"type": "array",
                                                   "items": _ref("AddResult")}}},
        "QueryResponse": {"type": "object", "required": ["copies", "dropped"],
                          "properties": {"copies": {"type": "array", "items": _ref("Match")},
                                         "dropped": {"type": "object", "nullable": True}}},
        "StoredDocument": {"type": "object",
                           "required": ["id", "length", "added_at", "copies", "metadata"],
                           "properties": {"id": {"type": "string"},
                                          "length": {"type": "integer"},
                                          "added_at": {"type": "number"},
                                          "copies": {"type": "array", "items": _ref("Match")},
                                          "metadata": {"type": "object"}}},
        "Deleted": {"type": "object", "required": ["id", "deleted"],
                    "properties": {"id": {"type": "string"}, "deleted": {"type": "boolean"}}},
        "Stats": {"type": "object", "required": ["documents"],
                  "properties": {"documents": {"type": "integer"}}},
        "Health": {"type": "object", "required": ["status"],
                   "properties": {"status": {"type": "string"}}},
        "Error": {"type": "object", "required": ["error"],
                  "properties": {"error": {"type": "object", "required": ["code", "message"],
                                           "properties": {"code": {"type": "string"},
                                                          "message": {"type": "string"}}}}},
    }


def _paths() -> dict:
    id_param = [{"name": "doc_id", "in": "path", "required": True,
                 "schema": {"type": "string", "minLength": 1, "pattern": ID_PATTERN}}]
    secured = [{"bearer": []}]
    return {
        "/v1/documents": {"post": {
            "summary": "Add one document or a batch; report the copies each had before it",
            "operationId": "addDocuments", "security": secured,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "oneOf": [_ref("NewDocument"), _ref("DocumentBatch")]}}}},
            "responses": {"200": _json(_ref("AddResponse"), "One result per document"),
                          **_errors(400, 401, 413, 422, 503)}}},
        "/v1/query": {"post": {
            "summary": "Copies of a text among indexed documents, without adding it",
            "operationId": "query", "security": secured,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("Query")}}},
            "responses": {"200": _json(_ref("QueryResponse"), "Copies, best first"),
                          **_errors(400, 401, 413, 422, 503)}}},
        "/v1/documents/{doc_id}": {
            "get": {"summary": "One indexed document", "operationId": "getDocument",
                    "security": secured, "parameters": id_param,
                    "responses": {"200": _json(_ref("StoredDocument"), "The document"),
                                  **_errors(401, 404, 503)}},
            "delete": {"summary": "Remove one document", "operationId": "deleteDocument",
                       "security": secured, "parameters": id_param,
                       "responses": {"200": _json(_ref("Deleted"), "Removed"),
                                     **_errors(401, 404, 503)}}},
        "/v1/stats": {"get": {"summary": "Index size and settings", "operationId": "stats",
                              "security": secured,
                              "responses": {"200": _json(_ref("Stats"), "Statistics"),
                                            **_errors(401, 503)}}},
        "/healthz": {"get": {"summary": "Liveness (no token needed)", "operationId": "health",
                             "security": [],
                             "responses": {"200": _json(_ref("Health"), "Serving")}}},
    }


def build(limits: Limits, version: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "nearcopy index service", "version": version,
                 "description": "Is this new document a copy of anything already indexed?"},
        "paths": _paths(),
        "components": {"schemas": _schemas(limits),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
