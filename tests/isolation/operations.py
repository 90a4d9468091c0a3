"""The API's operations as its OpenAPI schema describes them, and requests built from that schema.

Nothing here names an endpoint: an operation is read from `/api/v1/openapi.json`, its path
parameters are filled with every object of that kind in the world (by the parameter's name), its
required fields with values that pass validation, and an organisation it takes with the
organisation under test. A new endpoint is thereby called the day it is added.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

ORG_FIELD = "organization_id"


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    path_params: tuple[str, ...]
    query: dict[str, tuple[bool, dict]]  # name → (required, schema)
    body_type: str | None  # application/json | multipart/form-data
    body: dict | None  # the body's schema, references resolved one level
    response: dict | None  # the 2xx answer's schema, as written (with $ref)
    org_in: str | None  # where the operation takes an organisation: "query", "body" or None

    def __str__(self) -> str:
        return f"{self.id} ({self.method.upper()} {self.path})"


class Schema:
    def __init__(self, doc: dict):
        self.doc = doc
        self.components: dict[str, dict] = doc.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict | None) -> tuple[str | None, dict]:
        """(component name or None, the schema itself) for a schema or a reference to one."""
        if not schema:
            return None, {}
        ref = schema.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            return name, self.components[name]
        return None, schema

    def operations(self) -> list[Operation]:
        out = []
        for path, methods in self.doc["paths"].items():
            for method, op in methods.items():
                params = op.get("parameters", [])
                query = {p["name"]: (bool(p.get("required")), p.get("schema", {})) for p in params if p["in"] == "query"}
                body_type, body = None, None
                for ctype, content in op.get("requestBody", {}).get("content", {}).items():
                    body_type = ctype
                    body = self.object_schema(content.get("schema"))
                responses = op.get("responses", {})
                ok = next((responses[c] for c in sorted(responses) if c.startswith("2")), {})
                response = ok.get("content", {}).get("application/json", {}).get("schema")
                org_in = "query" if ORG_FIELD in query else "body" if body and ORG_FIELD in body.get("properties", {}) else None
                out.append(Operation(
                    id=op["operationId"], method=method, path=path,
                    path_params=tuple(p["name"] for p in params if p["in"] == "path"),
                    query=query, body_type=body_type, body=body, response=response, org_in=org_in,
                ))
        return out

    def object_schema(self, schema: dict | None) -> dict | None:
        if schema is None:
            return None
        for option in schema.get("anyOf", [schema]):  # an optional body: the object of anyOf [object, null]
            _name, resolved = self.resolve(option)
            if resolved.get("type") == "object" or "properties" in resolved:
                return resolved
        return None


# --- values -----------------------------------------------------------------------------------------

@dataclass
class Call:
    label: str
    method: str
    url: str
    json: Any = None
    form: dict | None = None


@dataclass(frozen=True)
class Upload:
    """A file field's content; each request gets its own file object."""

    name: str
    data: bytes
    content_type: str = "application/pdf"


class MissingValue(Exception):
    """The test does not know what to put in a required field: say so in FIELD_VALUES or HINTS."""


def field_value(name: str, schema: dict, values: dict[str, Any], upload: bytes) -> Any:
    if name in values:
        return values[name]
    options = schema.get("anyOf", [schema])
    kinds = {o.get("type") for o in options} - {"null"}
    fmt = next((o.get("format") for o in options if o.get("format")), None)
    if fmt == "binary":
        return Upload("kiemtra.pdf", upload)
    if fmt == "date":
        return timezone.localdate().isoformat()
    if "string" in kinds:
        return "Nội dung kiểm tra quyền truy cập"
    if "boolean" in kinds:
        return True
    if "array" in kinds:
        return []
    raise MissingValue(f"no value for the required field {name!r} ({schema})")


def build_calls(op: Operation, *, path_values: dict[str, list[tuple[str, object]]], org_ids: list[int] | None,
                values: dict[str, Any], upload: bytes, hint: dict | None = None) -> list[Call]:
    """Requests for `op`: one per combination of path objects, and per organisation in `org_ids`
    where the operation takes one (None: leave an optional organisation out)."""
    hint = hint or {}
    missing = [p for p in op.path_params if not path_values.get(p)]
    if missing:
        raise MissingValue(f"{op}: the world has no object for the path parameter(s) {missing}")
    combos = list(itertools.product(*(path_values[p] for p in op.path_params)))
    orgs: list[int | None] = list(org_ids) if (op.org_in and org_ids is not None) else [None]
    calls = []
    for combo, org in itertools.product(combos, orgs):
        path = op.path
        labels = []
        for name, (label, value) in zip(op.path_params, combo, strict=True):
            path = path.replace("{" + name + "}", str(value))
            labels.append(label)
        if org is not None:
            labels.append(f"organization {org}")
        query = {}
        for name, (required, schema) in op.query.items():
            if name == ORG_FIELD:
                if org is not None:
                    query[name] = org
            elif name in values and (required or name in OPTIONAL_QUERY_FILLED):
                query[name] = values[name]
            elif required:
                query[name] = field_value(name, schema, values, upload)
        url = path + ("?" + urlencode(query, doseq=True) if query else "")
        call = Call(label=", ".join(labels) or "no object", method=op.method, url=url)
        if "json" in hint:
            call.json = hint["json"]
        elif op.body is not None:
            props, required = op.body.get("properties", {}), set(op.body.get("required", []))
            body = {}
            for name, schema in props.items():
                if name == ORG_FIELD:
                    if org is not None:
                        body[name] = org
                elif name in hint:
                    body[name] = hint[name]
                elif name in required:
                    body[name] = field_value(name, schema, values, upload)
            if op.body_type == "multipart/form-data":
                call.form = body
            else:
                call.json = body
        calls.append(call)
    return calls


# Optional query parameters given anyway: the text searched for (MARK, so a leak would be found).
OPTIONAL_QUERY_FILLED = {"q"}


def send(client: Client, token: str, call: Call) -> HttpResponse:
    headers = {"Authorization": f"Bearer {token}"}
    if call.form is not None:
        form = {k: SimpleUploadedFile(v.name, v.data, content_type=v.content_type) if isinstance(v, Upload) else v
                for k, v in call.form.items()}
        return client.generic(call.method.upper(), call.url, encode_multipart(BOUNDARY, form),
                              content_type=MULTIPART_CONTENT, headers=headers)
    if call.method == "get":
        return client.get(call.url, headers=headers)
    data = json.dumps(call.json if call.json is not None else {})
    return client.generic(call.method.upper(), call.url, data, content_type="application/json", headers=headers)


# --- what an answer names ---------------------------------------------------------------------------

# What "id" means in each schema of an answer that has one. A new schema with an id must be added:
# the test cannot tell whose object an unknown id is.
ID_KINDS = {
    "MeOut": "user", "OrgRef": "organization", "OrgOut": "organization", "IssuerOut": "organization",
    "PeerOut": "peer", "OutboxOut": "outbox_message", "DocumentTypeOut": "document_type",
    "DocumentListItem": "document", "DocumentOut": "document", "DocumentBrief": "document",
    "DeliveryOut": "delivery", "InboxItem": "delivery", "IncomingRecordOut": "delivery",
    "TrustRootOut": "trust_root", "CertificateOut": "signing_certificate", "NotificationOut": "notification",
    "DirectiveOut": "directive", "DirectiveListItem": "directive", "TaskOut": "task", "TaskDetail": "task",
    "ReportOut": "task_report", "ExtensionOut": "extension_request",
    "MemberListItem": "party_member", "MemberOut": "party_member", "TransferOut": "transfer",
    "IncomingTransferOut": "incoming_transfer",
    "RegulationOut": "regulation", "CourseOut": "course", "CourseBrief": "course", "EnrolmentOut": "enrolment",
    "InspectionOut": "inspection", "InspectionBrief": "inspection", "RecommendationOut": "recommendation",
    "RecordOut": "legacy_record", "RecordDetail": "legacy_record", "AttachmentOut": "legacy_attachment",
    "RetentionOut": "retention_period", "FileListOut": "file_list", "FileListBrief": "file_list", "HeadingOut": "heading",
    "CaseFileBrief": "case_file", "CaseFileOut": "case_file", "CaseItemOut": "case_item", "DocumentRef": "document",
    "HandoverOut": "handover", "AccessRequestOut": "access_request", "DisposalOut": "disposal",
    "CourseUseOut": "course", "ShareOut": "document_share",
    "ScheduleOut": "schedule", "EntryOut": "schedule_entry", "MeetingOut": "meeting", "MeetingInvitationOut": "invitation",
}
# An object under one of these keys, in an answer without a schema, is of that kind.
KEY_KINDS = {"organization": "organization", "recipient": "organization", "issuer": "organization",
             "parent": "organization", "document": "document", "delivery": "delivery"}
# "<name>_id" names an object of kind <name>, except these.
REF_KINDS = {"main_handler": "user", "root": "trust_root", "org": "organization", "source_document": "document",
             "member": "party_member",
             "from_organization": "organization", "to_organization": "organization", "other_organization": "organization",
             "owner": "organization", "report_document": "document",
             "responsible": "user", "requester": "user", "decision": "document",
             "chair_user": "user", "person": "user"}
# Kinds anyone signed in may read: the address book, the catalogue, the installation's peers and roots.
PUBLIC_KINDS = {"organization", "document_type", "peer", "trust_root", "retention_period"}


def references(schema: Schema, value: Any, spec: dict | None, key: str | None = None) -> list[tuple[str, str, int]]:
    """Every (kind, field, id) an answer names; kind "?" where the test cannot tell."""
    out: list[tuple[str, str, int]] = []
    name, resolved = schema.resolve(spec)
    if "anyOf" in resolved:
        for option in resolved["anyOf"]:
            n, r = schema.resolve(option)
            if (isinstance(value, dict) and (r.get("type") == "object" or "properties" in r)) or (
                    isinstance(value, list) and r.get("type") == "array"):
                name, resolved = n, r
                break
    if isinstance(value, list):
        for item in value:
            out += references(schema, item, resolved.get("items"), key)
    elif isinstance(value, dict):
        id_kind = ID_KINDS.get(name) if name else KEY_KINDS.get(key or "")
        props = resolved.get("properties", {})
        for k, v in value.items():
            if isinstance(v, bool):
                continue
            if k == "id" and isinstance(v, int):
                out.append((id_kind or "?", f"{name or key}.id", v))
            elif k.endswith("_id") and isinstance(v, int):
                out.append((REF_KINDS.get(k[:-3], k[:-3]), k, v))
            elif isinstance(v, (dict, list)):
                out += references(schema, v, props.get(k), k)
    return out
