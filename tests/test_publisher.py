"""Who wrote a report: towns resolved to their county through the town table, the level
words of a town's superiors, 法治X slogans naming the region, and a 司法所's full name.

The texts are written for these tests; the town names are real ones from the table."""

from __future__ import annotations

from loaders import regions
from loaders.pipeline import build_report
from loaders.reference import table


def _report(text: str):
    return build_report(text, source="test.txt")


def test_town_table_counties_are_known_regions():
    known = regions.all_regions()
    for row in table("towns.tsv"):
        code = row["county"] + "0" * 6
        assert code in known or code[:4] + "0" * 8 in known, row["county"]
    assert [c.name for c in regions.town_counties("六郎镇")] == ["湾沚区"]


def test_town_in_title_gets_its_county():
    r = _report(
        "测鱼镇2023年法治政府建设工作总结\n"
        "2023年,在县委、县政府的坚强领导下,我镇认真贯彻落实法治建设各项要求,"
        "扎实推进依法行政,现将有关情况报告如下。\n"
    )
    assert r.publisher == "井陉县测鱼镇人民政府"
    assert r.region is not None and r.region.endswith("井陉县")


def test_ambiguous_town_is_settled_by_the_level_of_its_superiors():
    # 渤海镇 lies in 怀柔区, 宁安市 and 景宁畲族自治县: only one of them is a 区.
    r = _report(
        "一年来,我镇认真落实区委、区政府关于普法工作的部署,推进法律进机关、进学校、进乡村。\n"
        "制定《渤海镇普法工作实施方案》,明确任务分工,按计划推进各项工作。\n"
    )
    assert r.publisher == "北京市怀柔区渤海镇人民政府"


def test_ambiguous_town_without_clues_gets_no_guessed_county():
    # 双港镇 lies in 津南区, 响水县, 桐城市 and 鄱阳县; two of them are 县.
    r = _report(
        "一年来,我镇认真落实县委、县政府关于普法工作的部署,推进法律进机关、进学校、进乡村。\n"
        "制定《双港镇普法工作实施方案》,明确任务分工,按计划推进各项工作。\n"
    )
    assert r.publisher is not None
    assert not any(name in r.publisher for name in ("响水县", "鄱阳县", "桐城市", "津南区"))


def test_slogan_names_the_region_of_a_youth_league_report():
    r = _report(
        "青少年普法工作情况\n"
        "团市委\n"
        "普法期间,团市委按照市委、市政府的部署,深入推进青少年法治宣传教育,"
        "以实际行动助力法治韶关建设。\n"
    )
    assert r.publisher == "共青团韶关市委员会"


def test_station_is_named_under_its_county_justice_bureau():
    # 张坊镇 lies in 房山区, 商河县 and 浏阳市; the text names 商河县.
    r = _report(
        "在宪法宣传周到来之际,张坊司法所精心组织,在全镇开展宪法宣传活动。\n"
        "司法所联合商河县普法志愿者深入村居,发放宣传资料300余份,解答群众咨询50人次。\n"
    )
    assert r.publisher == "商河县司法局张坊司法所"


def test_station_of_an_ambiguous_town_gets_no_guessed_county():
    r = _report(
        "在宪法宣传周到来之际,张坊司法所精心组织,在全镇开展宪法宣传活动。\n"
        "司法所深入村居,发放宣传资料300余份,解答群众咨询50人次。\n"
    )
    assert r.publisher is None or "司法局" not in r.publisher
