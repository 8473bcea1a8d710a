"""A test plugin adding a console page, a permission and dashboard widgets through the hooks."""

from litestar import Request, Response, get, post
from litestar.response import Redirect
from markupsafe import Markup
from tortoise.transactions import in_transaction

from qunshang.console import audit
from qunshang.console.pages import ConsolePage, ConsoleWidget
from qunshang.console.templates import render
from qunshang.hookspecs import hookimpl


@get("/reports")
async def reports(request: Request) -> Response:
    return render(request, "console/page.html", title="Reports", body=Markup("<p id='reports'>weekly numbers</p>"))


@post("/reports/run", opt={"permission": "reports.run"})
async def run_report(request: Request) -> Response:
    async with in_transaction():
        await audit.record(request, "reports.run", "report", "weekly")
    return Redirect("/console/reports", status_code=303)


@hookimpl
def register_permissions():
    return {"operator": ["reports.view"], "finance": ["reports.view", "reports.run"]}


@hookimpl
def console_pages():
    return [ConsolePage("reports", "Reports", "/reports", "reports.view", (reports, run_report))]


@hookimpl
async def console_widgets(request):
    return [
        ConsoleWidget("Open tickets", Markup("<strong id='tickets'>7</strong>")),
        ConsoleWidget("Finance only", "<script>alert(1)</script>", permission="ledger.view"),
    ]
