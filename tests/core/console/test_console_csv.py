"""Product CSV import (streamed, per-row errors, UTF-8/BOM/GBK) and export (formula escaping)."""

import csv
import io

import pytest
from click.testing import CliRunner

from qunshang.catalog import service as catalog
from qunshang.catalog.models import Product, Sku
from qunshang.console import csvio
from qunshang.console.models import AuditEntry

from .conftest import post_form

HEADER = "title,description,status,sku_code,sku_name,price,stock\n"


def _file(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
async def test_encodings_are_detected(client, encoding):
    data = HEADER + "西湖龙井,明前 特级,published,LJ-1,250克,129.00,5\n"
    report = await csvio.import_products(_file(data, encoding))
    assert report.created == 1 and report.rejected == 0
    product = await Product.get(title="西湖龙井")
    assert product.description == "明前 特级" and product.status == "published"
    sku = await Sku.get(code="LJ-1")
    assert (sku.name, sku.price, sku.stock) == ("250克", 12900, 5)


def test_detect_encoding():
    assert csvio.detect_encoding("标题".encode("gbk")) == "gb18030"
    assert csvio.detect_encoding(b"\xef\xbb\xbftitle") == "utf-8-sig"
    assert csvio.detect_encoding("标题".encode()[:-1]) == "utf-8"  # a character cut at the sniff boundary


async def test_bad_rows_are_rejected_with_reasons_and_good_rows_kept(client):
    await catalog.create_product(title="Existing", skus=[catalog.SkuInput("TAKEN", 100, 1)])
    data = HEADER + "\n".join([
        "Good one,,draft,G-1,,1.50,2",
        ",,draft,G-2,,1.00,1",               # no title
        "No code,,draft,,,1.00,1",
        "Bad price,,draft,G-3,,-1,1",
        "Float price,,draft,G-4,,1.001,1",
        "Bad stock,,draft,G-5,,1.00,-4",
        "Bad status,,sold,G-6,,1.00,1",
        "Short row,,draft",
        "Long row,,draft,G-7,,1.00,1,extra",
        "Dup in file,,draft,G-1,,1.00,1",
        "Taken,,draft,TAKEN,,1.00,1",
        "Good two,,published,G-8,,2.00,",
    ]) + "\n"
    report = await csvio.import_products(_file(data))
    assert report.created == 2
    reasons = {e.line: e.reason for e in report.errors}
    assert sorted(reasons) == list(range(3, 13))
    assert "title" in reasons[3] and "sku_code" in reasons[4] and "price" in reasons[5] and "price" in reasons[6]
    assert "stock" in reasons[7] and "status" in reasons[8] and "columns" in reasons[9] and "columns" in reasons[10]
    assert "G-1" in reasons[11] and "TAKEN" in reasons[12]
    assert set(await Sku.all().values_list("code", flat=True)) == {"TAKEN", "G-1", "G-8"}


async def test_missing_columns_and_a_file_that_changes_encoding(client):
    with pytest.raises(csvio.BadFile):
        await csvio.import_products(_file("name,price\nx,1\n"))
    good = (HEADER + "Tea,,draft,A-1,,1.00,1\n").encode()
    padding = b"".join(f"Tea {i},,draft,P-{i},,1.00,1\n".encode() for i in range(3000))  # past the sniffed head
    report = await csvio.import_products(io.BytesIO(good + padding + "坏,,draft,B-1,,1.00,1\n".encode("gbk")))
    assert report.created == 3001 and report.rejected == 1 and "not valid utf-8" in report.errors[0].reason
    long_line = HEADER + "x" * (70 * 1024) + ",,draft,L-1,,1.00,1\nAfter,,draft,L-2,,1.00,1\n"
    report = await csvio.import_products(_file(long_line))
    assert report.created == 1 and "longer than" in report.errors[0].reason


async def test_a_script_in_a_cell_is_stored_as_text(client):
    await csvio.import_products(_file(HEADER + '"<script>alert(1)</script>",,draft,X-1,,1.00,1\n'))
    assert await Product.exists(title="<script>alert(1)</script>")


async def test_export_escapes_formula_cells_and_round_trips(client):
    await catalog.create_product(title="=cmd|' /C calc'!A0", description="+1", skus=[catalog.SkuInput("@SUM", 1290, 3, "-x")])
    await catalog.create_product(title="\tTab", skus=[catalog.SkuInput("N-1", 5, 0)])
    body = b"".join([chunk async for chunk in csvio.export_products(page=1)])
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0" and rows[0]["description"] == "'+1"
    assert rows[0]["sku_code"] == "'@SUM" and rows[0]["sku_name"] == "'-x" and rows[0]["price"] == "12.90"
    assert rows[1]["title"] == "'\tTab" and rows[1]["price"] == "0.05"


def test_escape_cell():
    for cell in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert csvio.escape_cell(cell) == "'" + cell
    assert csvio.escape_cell("tea") == "tea" and csvio.escape_cell(-5) == -5


async def test_upload_form_imports_and_reports(owner_client):
    data = (HEADER + "绿茶 Tea,,draft,T-1,,1.00,1\nBad,,draft,T-2,,x,1\n").encode("gbk")
    r = await post_form(owner_client, "/console/products/import", files={"file": ("products.csv", data, "text/csv")})
    assert r.status_code == 200
    assert "T-2" not in r.text and "price must be an amount" in r.text and "gb18030" in r.text
    assert await Product.filter(title="绿茶 Tea").exists()
    entry = await AuditEntry.get(action="product.import")
    assert entry.after["created"] == 1 and entry.after["rejected"] == 1
    r = await post_form(owner_client, "/console/products/import", files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 400 and "CSV 文件缺少列：title, sku_code, price" in r.text


async def test_export_from_the_console(owner_client):
    await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 1)])
    r = await owner_client.get("/console/products/export.csv")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "Tea,,draft,T-1,,1.00,1" in r.content.decode("utf-8-sig")


def test_cli_import_command(tmp_path, qunshang_database):
    if qunshang_database.backend != "sqlite":
        pytest.skip("the CLI test migrates its own SQLite file")
    import shutil

    db = tmp_path / "cli.sqlite3"
    shutil.copyfile(qunshang_database.template, db)
    path = tmp_path / "p.csv"
    path.write_bytes((HEADER + "Tea,,draft,T-1,,1.00,1\nBad,,draft,,,1.00,1\n").encode("utf-8-sig"))
    from qunshang.cli import cli

    result = CliRunner().invoke(cli, ["console", "import-products", str(path)],
                                env={"QUNSHANG_DATABASE__URL": f"sqlite://{db}", "QUNSHANG_APP__SECRET_KEY": "x" * 20})
    assert result.exit_code == 2, result.output
    assert "1 products created, 1 rows rejected" in result.output
    assert "line 3: sku_code is required" in result.output
