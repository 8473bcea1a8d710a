import pytest

from qunshang.money import allocate, apply_rate, apply_rate_each, format_amount, prorate


@pytest.mark.parametrize(
    ("amount", "bp", "expected"),
    [
        (18000, 2000, 3600),  # ¥180 × 20% = ¥36.00
        (5, 1000, 1),  # 0.5 fen rounds half up
        (4, 1000, 0),  # 0.4 fen rounds down
        (15, 1000, 2),  # 1.5 → 2
        (-15, 1000, -2),  # negatives round away from zero, symmetric to positives
        (0, 2000, 0),
        (10**15, 10000, 10**15),  # big amounts stay exact (no float)
    ],
)
def test_apply_rate_rounds_half_up(amount, bp, expected):
    assert apply_rate(amount, bp) == expected


def test_apply_rate_each_is_apply_rate_on_each_amount():
    amounts = [18000, 5, 4, 15, -15, 0, 10**15]
    assert apply_rate_each(amounts, 1000) == [apply_rate(a, 1000) for a in amounts] == [1800, 1, 0, 2, -2, 0, 10**14]
    assert apply_rate_each([], 1000) == []


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        apply_rate(10.0, 100)
    with pytest.raises(TypeError):
        apply_rate(True, 100)
    with pytest.raises(TypeError):
        apply_rate_each([100, 10.0], 100)
    with pytest.raises(TypeError):
        apply_rate_each([100], 1.5)


def test_prorate_half_up():
    assert prorate(1000, 1, 3) == 333
    assert prorate(1000, 2, 3) == 667
    with pytest.raises(ValueError):
        prorate(1000, 1, 0)


@pytest.mark.parametrize(
    ("amount", "weights"),
    [(1000, [1, 1, 1]), (1, [1, 1]), (99999, [3, 5, 7, 11]), (-1000, [1, 2]), (0, [1, 1])],
)
def test_allocate_parts_sum_exactly(amount, weights):
    parts = allocate(amount, weights)
    assert sum(parts) == amount
    assert all(p * amount >= 0 for p in parts)  # every part has the amount's sign


def test_allocate_gives_leftover_to_largest_remainders():
    assert allocate(1000, [1, 1, 1]) == [334, 333, 333]
    assert allocate(100, [1, 2]) == [33, 67]


def test_format_amount_per_locale():
    assert format_amount(129900, "CNY", "zh_CN") == "¥1,299.00"
    assert format_amount(129900, "CNY", "en") == "CN¥1,299.00"
