"""Product CSV import and export, streamed: a file of any size is read a row at a time and
written in batches, and an export is produced a page at a time.

Columns: ``title, description, status, sku_code, sku_name, price, stock`` — one row is one
product with one SKU; ``price`` in yuan (``12.90``). Encodings: UTF-8, UTF-8 with BOM, and GBK
(read as GB18030, its superset), detected from the file's first bytes.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from tortoise.transactions import in_transaction

from ..catalog import service as catalog
from ..catalog.models import ProductStatus, Sku
from ..errors import QunshangError

COLUMNS = ("title", "description", "status", "sku_code", "sku_name", "price", "stock")
REQUIRED = ("title", "sku_code", "price")
SNIFF_BYTES = 64 * 1024
MAX_LINE = 64 * 1024
TOO_LONG = "\x00line too long\x00"
BATCH = 500
MAX_REPORTED = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STATUSES = {s.value for s in ProductStatus}


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    encoding: str = ""
    created: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_REPORTED

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError(line, reason))


class BadFile(Exception):
    """The file as a whole cannot be read: required columns are ``missing``."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"missing columns: {', '.join(missing)}")


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def decoded_lines(binary: IO[bytes], encoding: str) -> Iterator[str]:
    """The file's lines, decoded one at a time: an undecodable byte becomes U+FFFD (its row is
    then rejected), and a line longer than :data:`MAX_LINE` is cut (its row is rejected too)."""
    first = True
    while line := binary.readline(MAX_LINE):
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            while (rest := binary.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
            line = TOO_LONG.encode() + b"\n"
        text = line.decode(encoding if first else encoding.replace("-sig", ""), errors="replace")
        first = False
        yield text


def parse_row(row: dict[str, str | None], encoding: str = "utf-8") -> ImportRow | str:
    """The row, checked, or the reason it is rejected."""
    if any(isinstance(value, str) and TOO_LONG in value for value in row.values()):
        return f"the line is longer than {MAX_LINE} bytes"
    if None in row or any(value is None for value in row.values()):
        return "wrong number of columns"
    if any("\ufffd" in value for value in row.values()):
        return f"the row is not valid {encoding}"
    get = lambda name: (row.get(name) or "").strip()  # noqa: E731
    title, code = get("title"), get("sku_code")
    if not title or len(title) > 200:
        return "title is required (at most 200 characters)"
    if not code or len(code) > 64:
        return "sku_code is required (at most 64 characters)"
    if len(get("description")) > 20000 or len(get("sku_name")) > 100:
        return "description or sku_name is too long"
    status = get("status") or ProductStatus.DRAFT.value
    if status not in STATUSES:
        return f"status must be one of {', '.join(sorted(STATUSES))}"
    try:
        price = Decimal(get("price")) * 100
    except InvalidOperation:
        return "price must be an amount like 12.90"
    if not price.is_finite() or price != price.to_integral_value() or not 0 <= price <= 10**12:
        return "price must be an amount like 12.90"
    raw_stock = get("stock") or "0"
    if not raw_stock.isdigit() or int(raw_stock) > 10**9:
        return "stock must be a whole number from 0 to 1000000000"
    return ImportRow(title, get("description"), ProductStatus(status), catalog.SkuInput(code, int(price), int(raw_stock), get("sku_name")))


@dataclass
class ImportRow:
    title: str
    description: str
    status: ProductStatus
    sku: catalog.SkuInput


async def import_products(binary: IO[bytes], progress: Callable[[int], None] | None = None) -> ImportReport:
    """Create a product per good row; bad rows are reported with their line and reason."""
    encoding = detect_encoding(binary.read(SNIFF_BYTES))
    binary.seek(0)
    report = ImportReport(encoding=encoding)
    reader = csv.DictReader(decoded_lines(binary, encoding))
    header = reader.fieldnames or []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadFile(missing)
    batch: list[tuple[int, ImportRow]] = []
    try:
        for row in reader:
            parsed = parse_row(row, encoding)
            if isinstance(parsed, str):
                report.reject(reader.line_num, parsed)
            else:
                batch.append((reader.line_num, parsed))
            if len(batch) >= BATCH:
                await _write(batch, report)
                batch.clear()
            if progress:
                progress(binary.tell())
    except csv.Error as exc:
        report.reject(reader.line_num, f"unreadable CSV: {exc}")
    await _write(batch, report)
    return report


async def _write(batch: list[tuple[int, ImportRow]], report: ImportReport) -> None:
    if not batch:
        return
    taken = set(await Sku.filter(code__in=[row.sku.code for _, row in batch]).values_list("code", flat=True))
    async with in_transaction():
        for line, row in batch:
            if row.sku.code in taken:
                report.reject(line, f"SKU code {row.sku.code} is already in use")
                continue
            try:  # the service writes in a savepoint of its own: a refused row leaves nothing behind
                await catalog.create_product(title=row.title, description=row.description, status=row.status, skus=[row.sku])
            except QunshangError as exc:
                report.reject(line, exc.render(lambda message: message))
                continue
            taken.add(row.sku.code)
            report.created += 1


def escape_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


class _Line:
    """A write target for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


async def export_products(page: int = 1000) -> AsyncIterator[bytes]:
    """The CSV of every SKU with its product, page by page (keyset on the SKU id)."""
    sink = _Line()
    writer = csv.writer(sink)
    writer.writerow(COLUMNS)
    yield codecs.BOM_UTF8 + sink.text.encode()
    last = 0
    while True:
        rows = await Sku.filter(id__gt=last).order_by("id").limit(page).values(
            "id", "code", "name", "price", "stock", "product__title", "product__description", "product__status",
        )
        if not rows:
            return
        sink.text = ""
        for row in rows:
            writer.writerow([escape_cell(v) for v in (
                row["product__title"], row["product__description"], str(row["product__status"]), row["code"], row["name"],
            )] + [_yuan(row["price"]), row["stock"]])
        yield sink.text.encode()
        last = rows[-1]["id"]
