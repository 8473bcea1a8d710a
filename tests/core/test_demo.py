from qunshang import demo
from qunshang.ledger import service as ledger
from qunshang.orders.models import Order
from qunshang.catalog.models import Product
from qunshang.groups.models import Group, GroupMembership
from qunshang.members.models import Member, MemberRole


async def test_demo_seeds_a_community_through_the_services(client, tmp_path):
    seen = []
    result = await demo.seed(client.runtime, progress=seen.append)
    assert len(seen) == demo.steps()
    assert await Product.filter(status="published").count() == 40
    assert await Member.all().count() == 8
    assert await MemberRole.filter(role="owner").count() == 1
    assert await Group.all().count() == 3
    assert await GroupMembership.filter(status="active").count() == 5
    assert all(member.password_hash.startswith("$argon2") for member in await Member.all())
    assert len(result["logins"]) == 8
    statuses = sorted(o.status for o in await Order.all())
    assert statuses == ["completed", "paid", "paid", "placed", "shipped"]
    assert await ledger.check() == []
    image = await client.get((await Product.first()).images[0])
    assert image.status_code == 200 and b"<svg" in image.content
    home = await client.get("/")
    assert home.status_code == 200 and "龙井" in home.text
