"""kg.picture: the neighbourhood picture is one self-contained HTML page (vis-network
inlined from the pyvis package, nothing fetched from anywhere) with every label escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg import browse, picture
from kg.browse import EdgeView, Neighbourhood, NodeView
from kg.store import Store
from loaders.pipeline import build_report

HOSTILE = """福州市晋安区城市管理局2023年度法治政府建设年度报告
2023年，晋安区城市管理局<script>alert(1)</script>依据《中华人民共和国行政处罚法》开展执法培训30余次。
我局在《<img src=x onerror=alert(1)>条例》宣传中，通过<a href="javascript:alert(1)">福州日报</a>发布信息。
"""
EVIL = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"]


def _nb(labels: list[str], *, center: int = 0) -> Neighbourhood:
    nodes = [
        NodeView(
            f"urn:n{i}",
            f"agency/n{i}",
            label,
            "Agency" if i == 0 else "LegalInstrument",
            None if i == 0 else "law",
            i + 1,
            0 if i == 0 else 1,
        )
        for i, label in enumerate(labels)
    ]
    edges = [EdgeView("urn:n0", f"urn:n{i}", ("cites",), 2) for i in range(1, len(labels))]
    return Neighbourhood(f"urn:n{center}", 1, nodes, edges, len(nodes), 300)


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def _external_refs(page: str) -> list[str]:
    """Everything in the page's markup or styles that would make the browser fetch a URL."""
    refs = re.findall(r"<script\b[^>]*\bsrc\s*=", page, re.I)
    refs += re.findall(r"<link\b[^>]*>", page, re.I)
    refs += re.findall(r"<(?:img|iframe|embed|object|source)\b[^>]*\b(?:src|data)\s*=", page, re.I)
    refs += re.findall(r"@import\b", page, re.I)
    refs += re.findall(r"url\(\s*['\"]?\s*(?:https?:)?//", page, re.I)
    return refs


def test_render_html_has_no_external_references():
    page = picture.render_html(_nb(["福州市晋安区城市管理局", "中华人民共和国行政处罚法"]))
    assert _external_refs(page) == []
    assert "cdnjs" not in page and "jsdelivr" not in page and "bootstrap" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", page, re.I)


def test_render_html_inlines_the_vis_network_shipped_with_pyvis():
    js, css = picture._assets()
    page = picture.render_html(_nb(["a", "b"]))
    assert js in page and css in page
    assert Path(picture.VIS_DIR).is_relative_to(Path(picture.pyvis.__file__).parent)


def test_render_html_forbids_network_access_by_policy():
    page = picture.render_html(_nb(["a"]))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "http" not in csp


def test_render_html_escapes_labels_and_titles():
    page = picture.render_html(_nb(["福州市", *EVIL]))
    for evil in EVIL[:2]:
        assert evil not in page
    # Outside the vis-network library, the only script elements are the page's own three.
    ours = page.replace(picture._assets()[0], "")
    assert ours.count("</script>") == 3 and len(re.findall(r"<script\b", ours)) == 3
    data = _data(page)
    labels = " ".join(n["label"] for n in data["nodes"])
    titles = " ".join(n["title"] for n in data["nodes"])
    assert "<" not in labels + titles and ">" not in labels + titles
    assert "&lt;script&gt;alert(1)" in labels
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in titles
    assert "&lt;img src=x onerror=alert(1)&gt;" in titles


def test_render_html_embeds_json_without_raw_angle_brackets():
    page = picture.render_html(_nb(["a</script><script>alert(1)</script>"]))
    block = re.search(r'id="kg-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block


def test_render_html_title_and_legend_are_escaped():
    page = picture.render_html(_nb(["<b>x</b>"]), title="<i>t</i>")
    assert "<title>&lt;i&gt;t&lt;/i&gt;</title>" in page
    assert "Agency 机关" in page  # legend from the ontology labels


def test_render_html_limits_physics_and_turns_it_off():
    page = picture.render_html(_nb(["a", "b", "c"]))
    options = _data(page)["options"]
    assert options["physics"]["stabilization"]["iterations"] == picture.PHYSICS_ITERATIONS <= 300
    assert 'network.once("stabilizationIterationsDone", ready)' in page
    assert "network.setOptions({physics: {enabled: false}})" in page


def test_network_sizes_by_degree_and_colours_by_type():
    net = picture.network(_nb(["centre", "law"]))
    centre, law = net.nodes
    assert centre["value"] == 1 and law["value"] == 2
    assert centre["color"]["background"] == browse.TYPE_COLOURS["Agency"][0]
    assert law["color"]["background"] == browse.TYPE_COLOURS["LegalInstrument"][0]
    assert centre["borderWidth"] > law["borderWidth"]
    assert net.edges[0]["label"] == "cites" and "stated in 2 report(s)" in net.edges[0]["title"]


def test_network_drops_edge_labels_on_large_graphs():
    labels = [f"n{i}" for i in range(picture.EDGE_LABELS_UP_TO + 2)]
    net = picture.network(_nb(labels))
    assert all("label" not in e for e in net.edges) and all(e["title"] for e in net.edges)


def test_render_html_links_nodes_to_the_entity_page():
    page = picture.render_html(_nb(["a", "b"]), link="entity")
    data = _data(page)
    assert data["link"] == "entity" and [n["ref"] for n in data["nodes"]] == [
        "agency/n0",
        "agency/n1",
    ]
    assert "new URLSearchParams({e: node.ref})" in page


def test_render_html_says_when_the_picture_is_capped():
    nb = _nb(["a", "b"])
    nb.total = 900
    assert "(of 900)" in _data(picture.render_html(nb))["summary"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> browse.Catalog:
    store = Store(tmp_path_factory.mktemp("hostile") / "store")
    store.add(build_report(HOSTILE, source="hostile.txt"))
    return browse.Catalog(store)


def test_render_html_of_a_hostile_report_neighbourhood(hostile):
    nb = hostile.neighbourhood(browse.iri_of_ref("agency/福州市晋安区城市管理局"), depth=2)
    assert any("onerror" in n.label for n in nb.nodes)
    page = picture.render_html(nb)
    assert _external_refs(page) == []
    assert "<img" not in page and page.count("</script>") == 3
    assert "福州市晋安区城市管理局" in page
