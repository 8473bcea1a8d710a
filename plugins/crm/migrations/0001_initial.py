from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from qunshang.plugins.crm.models import AssignKind, FollowUpKind, RouteMatch, TagRuleKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Assignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer_id', fields.IntField(db_index=True, description="the customer's member id")),
                ('from_owner_id', fields.IntField(null=True)),
                ('to_owner_id', fields.IntField(null=True, db_index=True)),
                ('kind', fields.CharEnumField(description='INVITE: invite\nRULE: rule\nCLAIM: claim\nMANUAL: manual\nRELEASE: release', enum_type=AssignKind, max_length=7)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('actor_id', fields.IntField(null=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'crm_assignment', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'History of every ownership change: who got whom, how, why and by whom.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Customer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member_id', fields.IntField(unique=True)),
                ('owner_id', fields.IntField(null=True, db_index=True, description="the owning salesperson's member id")),
                ('first_owner_id', fields.IntField(null=True, db_index=True, description='the first salesperson to own them (conversion)')),
                ('owned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('protected_until', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('source', fields.CharField(default='', max_length=32)),
                ('region', fields.CharField(default='', max_length=32)),
                ('registered_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('orders_count', fields.IntField(default=0, description='paid orders')),
                ('paid_total', fields.BigIntField(default=0, description='paid order totals in fen')),
                ('first_order_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_order_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('groups_joined', fields.IntField(default=0)),
                ('last_follow_up_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_follow_up_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'crm_customer', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'A member seen by the CRM: owner, protection, stage inputs and follow-up state.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CustomerTag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer_id', fields.IntField(description="the customer's member id")),
                ('tag', fields.CharField(db_index=True, max_length=32)),
                ('rule_id', fields.IntField(null=True, description='the rule that set it, none when manual')),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'crm_customertag', 'app': 'crm', 'unique_together': (('customer_id', 'tag'),), 'pk_attr': 'id', 'table_description': 'A tag on a customer, set by hand or by a tag rule.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer_id', fields.IntField(db_index=True, description="the customer's member id")),
                ('salesperson_id', fields.IntField(db_index=True, description="the author's member id")),
                ('kind', fields.CharEnumField(description='VISIT: visit\nCALL: call\nCHAT: chat\nNOTE: note', enum_type=FollowUpKind, max_length=5)),
                ('note', fields.CharField(default='', max_length=500)),
                ('next_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_by', fields.DatetimeField(null=True, db_index=True, description='end of the business day of next_at', auto_now=False, auto_now_add=False)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'crm_followup', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'A visit, call, chat or note by a salesperson, with the next follow-up date.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Route',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('match', fields.CharEnumField(description='TAG: tag\nREGION: region\nSOURCE: source', enum_type=RouteMatch, max_length=6)),
                ('value', fields.CharField(max_length=64)),
                ('salesperson_ids', fields.JSONField(default=list, description='member ids of the salespeople', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('position', fields.IntField(default=0, description='rules are tried by position, then id')),
            ],
            options={'table': 'crm_route', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'An assignment rule: customers matching (tag, region or source) go to these salespeople.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Sale',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order_id', fields.IntField(unique=True)),
                ('customer_id', fields.IntField(db_index=True, description="the buyer's member id")),
                ('owner_id', fields.IntField(null=True, db_index=True)),
                ('total', fields.BigIntField(description='fen')),
                ('refunded', fields.BigIntField(default=0, description='fen returned since, by order_refunded')),
                ('paid_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'crm_sale', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'A paid order credited to the salesperson who owned the buyer when it was paid (none: the pool).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TagRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='BOUGHT_CATEGORY: bought_category\nJOINED_GROUP: joined_group\nNO_ORDER_DAYS: no_order_days', enum_type=TagRuleKind, max_length=15)),
                ('value', fields.CharField(max_length=64)),
                ('tag', fields.CharField(max_length=32)),
            ],
            options={'table': 'crm_tagrule', 'app': 'crm', 'unique_together': (('kind', 'value', 'tag'),), 'pk_attr': 'id', 'table_description': 'An automatic tag: bought a category (slug), joined a group (id), or no order in N days.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Team',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('manager_id', fields.IntField(db_index=True, description="the manager's member id")),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'crm_team', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'A sales team: a manager (role sales_manager) and the salespeople in it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Salesperson',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member_id', fields.IntField(unique=True)),
                ('code', fields.CharField(unique=True, description="invite code in the salesperson's link", max_length=16)),
                ('team', fields.ForeignKeyField('crm.Team', source_field='team_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='salespeople', on_delete=OnDelete.CASCADE)),
                ('region', fields.CharField(default='', max_length=32)),
                ('capacity', fields.IntField(null=True, description='customers at most, none for the deployment default')),
                ('load', fields.IntField(default=0, description='customers owned now, changed by conditional updates')),
                ('last_assignment_id', fields.IntField(default=0, description='latest assignment received, for round-robin')),
                ('disabled', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'crm_salesperson', 'app': 'crm', 'indexes': [Index(fields=['load', 'last_assignment_id'])], 'pk_attr': 'id', 'table_description': 'A member with the salesperson role taking part in the CRM: invite code, cap, load.'},
            bases=['Model'],
        ),
    ]
