"""The write operations every ledger resource has, built once for each kind.

For a kind (customers, invoices, credit notes, payments), `add_writes` adds:
`POST /` create (409 when the key exists), `PUT /by-key/{key}` upsert (201
created, 200 updated or unchanged: the same body twice changes nothing and says
so), `PATCH /{id}` change some fields, and `POST /bulk` upsert up to 1 000 at
once. All of them go through `ledger.imports.import_records` (api/records.py),
finance and admins only, and answer with the object as the GET returns it.
"""

from collections.abc import Callable
from typing import Any, Literal

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import BaseModel, create_model

from encaisse.api.access import get_visible, require_editor
from encaisse.api.records import sent, write_many, write_one
from encaisse.api.schemas.ledger import BulkResult

Outcome = Literal["created", "updated", "unchanged"]


def add_writes(
    router: Router,
    *,
    kind: str,
    noun: str,
    record: type[BaseModel],
    bulk: type[Schema],
    out: type[Schema],
    visible: Callable[[HttpRequest], QuerySet[Any]],
    base: Callable[[Any], dict[str, Any]],
) -> None:
    """`base(obj)` gives the record columns a PATCH keeps (the required ones)."""

    # A model per kind, named for it: the OpenAPI components are keyed by name.
    Upserted = create_model(
        f"{out.__name__.removesuffix('Out')}Upserted",
        __base__=Schema,
        outcome=(Outcome, ...),
        data=(out, ...),
    )

    def reread(request: HttpRequest, pk: int | None) -> Model:
        return get_visible(visible(request), pk=pk)

    @router.post("", response={201: out}, operation_id=f"{kind}_create", summary=f"Create {noun}")
    def create(request: HttpRequest, payload: record) -> Status[Model]:  # type: ignore[valid-type]
        require_editor(request)
        done = write_one(request, kind, sent(payload), "create")
        return Status(201, reread(request, done.id))

    @router.put(
        "/by-key/{key}",
        response={200: Upserted, 201: Upserted},
        operation_id=f"{kind}_upsert",
        summary=f"Create or update {noun} by external key",
    )
    def upsert(request: HttpRequest, key: str, payload: record) -> Status[dict[str, Any]]:  # type: ignore[valid-type]
        require_editor(request)
        fields = {**sent(payload), "external_key": key}
        done = write_one(request, kind, fields, "upsert")
        status = 201 if done.outcome == "created" else 200
        return Status(status, {"outcome": done.outcome, "data": reread(request, done.id)})

    @router.patch(
        "/{int:pk}", response=out, operation_id=f"{kind}_update", summary=f"Change {noun}"
    )
    def update(request: HttpRequest, pk: int, payload: record) -> Model:  # type: ignore[valid-type]
        require_editor(request)
        obj = get_visible(visible(request), pk=pk)
        fields = {**base(obj), **sent(payload), "external_key": obj.external_key}
        write_one(request, kind, fields, "update")
        return reread(request, pk)

    @router.post(
        "/bulk",
        response=BulkResult,
        operation_id=f"{kind}_bulk_upsert",
        summary=f"Create or update up to 1 000 {kind.replace('_', ' ')}, all or nothing",
    )
    def bulk_upsert(request: HttpRequest, payload: bulk) -> BulkResult:  # type: ignore[valid-type]
        require_editor(request)
        records = [sent(item) for item in payload.records]  # type: ignore[attr-defined]
        return write_many(request, kind, records, payload.dry_run)  # type: ignore[attr-defined]
