from tortoise import migrations
from tortoise.migrations import operations as ops
from qunshang.plugins.livestream.models import ClaimStatus, SaleStatus, SessionStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('members', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Room',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('cover_url', fields.CharField(default='', max_length=500)),
                ('host', fields.ForeignKeyField('members.Member', source_field='host_id', db_index=True, db_constraint=True, to_field='id', related_name='live_rooms', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'livestream_room', 'app': 'livestream', 'pk_attr': 'id', 'table_description': "A host's live room, the place viewers come back to."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LiveSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.ForeignKeyField('livestream.Room', source_field='room_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('status', fields.CharEnumField(default=SessionStatus.SCHEDULED, db_index=True, description='SCHEDULED: scheduled\nLIVE: live\nPAUSED: paused\nENDED: ended', enum_type=SessionStatus, max_length=9)),
                ('scheduled_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('scheduled_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('stream_url', fields.CharField(default='', description="HLS or the platform's page", max_length=500)),
                ('replay_url', fields.CharField(default='', max_length=500)),
                ('pinned_product_id', fields.IntField(null=True)),
                ('group_invite_code', fields.CharField(default='', description='a core group invite with via livestream', max_length=32)),
                ('viewers', fields.IntField(default=0, description='connected viewers now, all processes')),
                ('peak_viewers', fields.IntField(default=0)),
                ('likes', fields.BigIntField(default=0)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'livestream_livesession', 'app': 'livestream', 'pk_attr': 'id', 'table_description': 'One broadcast of a room, streamed on an external platform.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Arrival',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='arrivals', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.IntField(unique=True)),
                ('referral_code', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'livestream_arrival', 'app': 'livestream', 'pk_attr': 'id', 'table_description': "A member who registered after arriving through a session's page."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClipMark',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='clips', on_delete=OnDelete.CASCADE)),
                ('product_id', fields.IntField(db_index=True)),
                ('start_seconds', fields.IntField()),
                ('end_seconds', fields.IntField()),
            ],
            options={'table': 'livestream_clipmark', 'app': 'livestream', 'pk_attr': 'id', 'table_description': "A product's explanation segment in a session's replay, in seconds."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_index=True, db_constraint=True, to_field='id', related_name='live_comments', on_delete=OnDelete.CASCADE)),
                ('text', fields.CharField(max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deleted', fields.BooleanField(default=False)),
            ],
            options={'table': 'livestream_comment', 'app': 'livestream', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LiveCoupon',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='coupons', on_delete=OnDelete.CASCADE)),
                ('amount', fields.BigIntField(description='off the order, minor units')),
                ('min_spend', fields.BigIntField(default=0, description="the order's goods must come to at least this, minor units")),
                ('quantity', fields.IntField(description='claims allowed in all')),
                ('remaining', fields.IntField(description='claims left')),
                ('valid_until', fields.DatetimeField(null=True, description='null means until the session ends', auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'livestream_livecoupon', 'app': 'livestream', 'pk_attr': 'id', 'table_description': 'An amount off a live order, pushed by the host: ``quantity`` members may claim it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CouponClaim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('coupon', fields.ForeignKeyField('livestream.LiveCoupon', source_field='coupon_id', db_index=True, db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.IntField()),
                ('status', fields.CharEnumField(default=ClaimStatus.CLAIMED, description='CLAIMED: claimed\nUSED: used', enum_type=ClaimStatus, max_length=7)),
                ('order_id', fields.IntField(null=True, db_index=True)),
                ('claimed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'livestream_couponclaim', 'app': 'livestream', 'unique_together': (('coupon', 'member_id'),), 'pk_attr': 'id', 'table_description': "One member's claim of a live coupon (one per member), then the order it was used on."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LiveOrder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.CASCADE)),
                ('order_id', fields.IntField(unique=True)),
                ('sale_id', fields.IntField(null=True)),
            ],
            options={'table': 'livestream_liveorder', 'app': 'livestream', 'pk_attr': 'id', 'table_description': "An order placed from a session's room."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LiveSale',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='sales', on_delete=OnDelete.CASCADE)),
                ('product_id', fields.IntField()),
                ('sku_id', fields.IntField(db_index=True)),
                ('live_price', fields.BigIntField(description='per unit, minor units')),
                ('cap', fields.IntField(description='units reserved from the SKU')),
                ('remaining', fields.IntField(description='reserved units not yet sold')),
                ('per_member_limit', fields.IntField()),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=SaleStatus.OPEN, db_index=True, description='OPEN: open\nCLOSED: closed', enum_type=SaleStatus, max_length=6)),
                ('returned', fields.IntField(default=0, description='unsold units given back to the SKU at close')),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'livestream_livesale', 'app': 'livestream', 'pk_attr': 'id', 'table_description': "A live flash sale of one SKU: ``cap`` units were taken off the SKU's stock when it opened."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LivePurchase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sale', fields.ForeignKeyField('livestream.LiveSale', source_field='sale_id', db_index=True, db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.IntField()),
                ('remaining', fields.IntField(description='units this member may still buy')),
            ],
            options={'table': 'livestream_livepurchase', 'app': 'livestream', 'unique_together': (('sale', 'member_id'),), 'pk_attr': 'id', 'table_description': 'Units one member bought in one sale (the per-member limit).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mute',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.ForeignKeyField('livestream.Room', source_field='room_id', db_index=True, db_constraint=True, to_field='id', related_name='mutes', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.IntField()),
                ('by_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'livestream_mute', 'app': 'livestream', 'unique_together': (('room', 'member_id'),), 'pk_attr': 'id', 'table_description': 'A member who may not comment in a room.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShelfItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='shelf', on_delete=OnDelete.CASCADE)),
                ('product_id', fields.IntField()),
                ('pushed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'livestream_shelfitem', 'app': 'livestream', 'unique_together': (('session', 'product_id'),), 'pk_attr': 'id', 'table_description': "A product the host pushed to the session's shelf."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Viewer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('livestream.LiveSession', source_field='session_id', db_index=True, db_constraint=True, to_field='id', related_name='visitors', on_delete=OnDelete.CASCADE)),
                ('visitor', fields.CharField(max_length=64)),
            ],
            options={'table': 'livestream_viewer', 'app': 'livestream', 'unique_together': (('session', 'visitor'),), 'pk_attr': 'id', 'table_description': 'A distinct visitor of a session page (a member id or an anonymous session key).'},
            bases=['Model'],
        ),
    ]
