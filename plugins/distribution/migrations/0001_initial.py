from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from qunshang.plugins.distribution.models import ApplicationStatus, CommissionStatus, DistributorStatus, WithdrawalStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('members', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='distribution_applications', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=ApplicationStatus.PENDING, db_index=True, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected', enum_type=ApplicationStatus, max_length=8)),
                ('note', fields.CharField(default='', max_length=200)),
                ('open_member_id', fields.IntField(null=True, unique=True, description='the member while pending, one open application each')),
                ('reviewer_id', fields.IntField(null=True)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'distribution_application', 'app': 'distribution', 'pk_attr': 'id', 'table_description': 'A member asking to become a distributor, reviewed by an operator.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Binding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='distribution_bindings', on_delete=OnDelete.CASCADE)),
                ('upline', fields.ForeignKeyField('members.Member', source_field='upline_id', db_constraint=True, to_field='id', related_name='distribution_downline_bindings', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(default='', max_length=16)),
                ('source', fields.CharField(default='', max_length=32)),
                ('bound_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('end_reason', fields.CharField(default='', max_length=32)),
                ('open_member_id', fields.IntField(null=True, unique=True, description='the member while open, one open binding each')),
            ],
            options={'table': 'distribution_binding', 'app': 'distribution', 'pk_attr': 'id', 'table_description': 'A member bound under an upline (锁粉). The open binding has no ``ended_at``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Grade',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('rank', fields.IntField(unique=True, description='higher ranks are better grades')),
                ('rates_bp', fields.JSONField(default=list, description='rate per level in basis points, empty for the defaults', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('min_team_size', fields.IntField(null=True)),
                ('min_team_sales', fields.BigIntField(null=True)),
                ('min_own_sales', fields.BigIntField(null=True)),
            ],
            options={'table': 'distribution_grade', 'app': 'distribution', 'pk_attr': 'id', 'table_description': 'A distributor grade: its own rates per level and the rules that earn it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Distributor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.OneToOneField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='distributor', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('status', fields.CharEnumField(default=DistributorStatus.ACTIVE, description='ACTIVE: active\nFROZEN: frozen\nDISABLED: disabled', enum_type=DistributorStatus, max_length=8)),
                ('grade', fields.ForeignKeyField('distribution.Grade', source_field='grade_id', null=True, db_constraint=True, to_field='id', related_name='distributors', on_delete=OnDelete.CASCADE)),
                ('via', fields.CharField(description='everyone, application, spend_threshold or designated', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'distribution_distributor', 'app': 'distribution', 'pk_attr': 'id', 'table_description': 'A member who may share and earn, with a referral code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateOverride',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product_id', fields.IntField(db_index=True)),
                ('sku_id', fields.IntField(null=True, unique=True)),
                ('rates_bp', fields.JSONField(null=True, description='rate per level in basis points', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('amounts_per_unit', fields.JSONField(null=True, description='fixed amount per unit per level', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('excluded', fields.BooleanField(default=False, description='no commission at all, e.g. flash sales')),
            ],
            options={'table': 'distribution_rateoverride', 'app': 'distribution', 'unique_together': (('product_id', 'sku_id'),), 'pk_attr': 'id', 'table_description': 'Commission rules of one product or one SKU, replacing the defaults and grade rates.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Settlement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('count', fields.IntField(default=0)),
                ('amount', fields.BigIntField(default=0)),
            ],
            options={'table': 'distribution_settlement', 'app': 'distribution', 'pk_attr': 'id', 'table_description': 'One batch of commissions made available together.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Commission',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order_id', fields.IntField(db_index=True)),
                ('order_line_id', fields.IntField()),
                ('buyer_id', fields.IntField()),
                ('earner_id', fields.IntField(db_index=True)),
                ('level', fields.SmallIntField()),
                ('base', fields.BigIntField()),
                ('rate_bp', fields.IntField(null=True)),
                ('amount', fields.BigIntField()),
                ('reversed_amount', fields.BigIntField(default=0)),
                ('status', fields.CharEnumField(default=CommissionStatus.PENDING, description='PENDING: pending\nAVAILABLE: available\nREVERSED: reversed', enum_type=CommissionStatus, max_length=9)),
                ('due', fields.BooleanField(default=False, description='after-sales closed, waiting for the settlement sweep')),
                ('settlement', fields.ForeignKeyField('distribution.Settlement', source_field='settlement_id', null=True, db_constraint=True, to_field='id', related_name='commissions', on_delete=OnDelete.CASCADE)),
                ('explanation', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'distribution_commission', 'app': 'distribution', 'unique_together': (('order_line_id', 'level'),), 'indexes': [Index(fields=['status', 'due'])], 'pk_attr': 'id', 'table_description': 'What one earner earns on one order line at one level, with its explanation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TreePath',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ancestor_id', fields.IntField()),
                ('descendant_id', fields.IntField(db_index=True)),
                ('depth', fields.IntField()),
            ],
            options={'table': 'distribution_treepath', 'app': 'distribution', 'unique_together': (('ancestor_id', 'descendant_id'),), 'indexes': [Index(fields=['ancestor_id', 'depth'])], 'pk_attr': 'id', 'table_description': 'Closure table: ``ancestor`` is ``depth`` levels above ``descendant`` (0 is the member itself).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UplineChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member_id', fields.IntField(db_index=True)),
                ('old_upline_id', fields.IntField(null=True)),
                ('new_upline_id', fields.IntField(null=True)),
                ('reason', fields.CharField(max_length=200)),
                ('actor_id', fields.IntField(null=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'distribution_uplinechange', 'app': 'distribution', 'pk_attr': 'id', 'table_description': "Audit of every change of a member's upline: who, why, from and to."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Withdrawal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('members.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='distribution_withdrawals', on_delete=OnDelete.CASCADE)),
                ('amount', fields.BigIntField()),
                ('fee', fields.BigIntField()),
                ('status', fields.CharEnumField(default=WithdrawalStatus.PENDING, db_index=True, description='PENDING: pending\nPAID: paid\nREJECTED: rejected', enum_type=WithdrawalStatus, max_length=8)),
                ('open_member_id', fields.IntField(null=True, unique=True, description='the member while pending, one pending request each')),
                ('reviewer_id', fields.IntField(null=True)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('payout_ref', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'distribution_withdrawal', 'app': 'distribution', 'pk_attr': 'id', 'table_description': "A member's request to be paid out of the available balance."},
            bases=['Model'],
        ),
    ]
