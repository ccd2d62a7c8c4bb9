"""Resolving the many names of a domain to one canonical domain."""

import pytest

from zwgk.domains import normalize_name, resolve_domain


@pytest.mark.parametrize("written, canonical", [
    ("环境保护", "环境保护"),
    ("生态环境领域", "环境保护"),          # 004 附 第5行
    ("农村集体土地征收", "征地补偿"),       # 004 附 第9行
    ("卫生健康领域", "医疗卫生"),
    ("国有土地上房屋征收与补偿领域", "国有土地上房屋征收"),
    ("食品药品安全", "食品药品监管"),       # 001, stored in Simplified
    ("  义务教育 ", "义务教育"),
    ("义务教育等方面", "义务教育"),
])
def test_resolve_by_name_and_alias(db, written, canonical):
    with db.sessionmaker() as session:
        assert resolve_domain(session, written).name == canonical


def test_unknown_name_resolves_to_nothing(db):
    with db.sessionmaker() as session:
        assert resolve_domain(session, "不存在的领域") is None


def test_edition_follows_a_renamed_domain_but_not_a_split_one(db):
    with db.sessionmaker() as session:
        assert resolve_domain(session, "城乡规划", edition=2019).name == "国土空间规划"
        assert resolve_domain(session, "拆迁安置", edition=2019).name == "国有土地上房屋征收"
        assert resolve_domain(session, "城乡规划", edition=2017).name == "城乡规划"
        # 扶贫救灾 split in two: no single successor, so the name stays as it is
        assert resolve_domain(session, "扶贫救灾", edition=2019).name == "扶贫救灾"


def test_normalize_folds_full_width_and_suffix():
    assert normalize_name("ＡＢＣ 领域") == "ABC"
    assert normalize_name("就业创业等方面") == "就业创业"
