"""Pictures of graph neighbourhoods: one self-contained HTML page drawn by vis-network.

pyvis assembles the nodes, edges and options. The page around them is written here, because
pyvis' own template links vis-network, bootstrap and tom-select from CDNs even with
`cdn_resources="in_line"`. This page inlines the vis-network script and stylesheet that ship
inside the pyvis package, and its Content-Security-Policy forbids loading anything else: the
picture works offline and no request leaves the machine.

Labels and tooltips come from reports, so they are HTML-escaped in Python; the page's script
turns the escapes back into characters only for the canvas and for tooltips shown as plain
text (`innerText`), never for markup. The JSON holding them is embedded with `<`, `>` and `&`
as \\u escapes, so no label can close the script element.

>>> from kg.browse import Neighbourhood, NodeView
>>> node = NodeView("urn:x", "agency/x", "<b>x</b>", "Agency", None, 0, 0)
>>> page = render_html(Neighbourhood("urn:x", 1, [node], [], 1, 300))
>>> "<b>x</b>" in page, "<script src" in page
(False, False)
"""

from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path

import pyvis
from pyvis.network import Network

from kg.browse import TYPE_COLOURS, Neighbourhood, kind_name, relation_name, type_name

__all__ = ["PHYSICS_ITERATIONS", "network", "render_html"]

VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
PHYSICS_ITERATIONS = 200  # stabilization steps before physics is switched off
EDGE_LABELS_UP_TO = 250  # more edges than this: relation names only in tooltips
FONT = (
    "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC',"
    "'Microsoft YaHei',sans-serif"
)

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)


@cache
def _assets() -> tuple[str, str]:
    """The vis-network script and stylesheet shipped in the pyvis package."""
    js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    return js, css


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _json(value) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' survives as itself."""
    text = json.dumps(value, ensure_ascii=False)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


def _options(n_nodes: int, n_edges: int) -> dict:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": n_nodes <= 100, "randomSeed": 7},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "scaling": {"min": 8, "max": 42, "label": {"enabled": True, "min": 11, "max": 20}},
            "font": {
                "face": FONT,
                "size": 13,
                "color": "#222",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#b7bcc4", "highlight": "#444", "hover": "#666"},
            "font": {
                "face": FONT,
                "size": 10,
                "color": "#666",
                "align": "middle",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "smooth": {"enabled": n_edges <= 400, "type": "continuous", "roundness": 0.3},
            "width": 1,
            "selectionWidth": 2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "navigationButtons": False,
            "keyboard": False,
            "hideEdgesOnDrag": n_edges > 400,
        },
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -6000,
                "centralGravity": 0.25,
                "springLength": 130,
                "springConstant": 0.035,
                "damping": 0.35,
                "avoidOverlap": 0.15,
            },
            "maxVelocity": 60,
            "minVelocity": 1.0,
            "stabilization": {
                "enabled": True,
                "iterations": PHYSICS_ITERATIONS,
                "updateInterval": 25,
                "fit": True,
            },
        },
    }


def network(nb: Neighbourhood) -> Network:
    """The neighbourhood as a pyvis Network: size by degree, colour by type, the centre
    ringed, every label and tooltip HTML-escaped."""
    net = Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
    for n in nb.nodes:
        strong = TYPE_COLOURS.get(n.type, ("#888888", "#eeeeee"))[0]
        lines = [n.label, type_name(n.type)]
        if n.kind:
            lines.append(kind_name(n.kind))
        lines.append(f"{n.degree} connections · click to open its page")
        is_center = n.iri == nb.center
        net.add_node(
            n.iri,
            label=_esc(_short(n.label)),
            title=_esc("\n".join(lines)),
            color={
                "background": strong,
                "border": "#222222" if is_center else strong,
                "highlight": {"background": strong, "border": "#111111"},
            },
            value=max(1, n.degree),
            borderWidth=4 if is_center else 1,
            ref=n.ref,
        )
    show_labels = len(nb.edges) <= EDGE_LABELS_UP_TO
    for e in nb.edges:
        names = " / ".join(e.relations)
        title = " / ".join(relation_name(r) for r in e.relations)
        extra = {"label": _esc(names)} if show_labels else {}
        net.add_edge(
            e.source,
            e.target,
            title=_esc(f"{title}\nstated in {e.reports} report(s)"),
            width=min(6, 1 + e.reports // 2),
            **extra,
        )
    net.options = _options(len(nb.nodes), len(nb.edges))
    return net


def _short(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{vis_css}</style>
<style>
  html, body {{ margin: 0; padding: 0; height: 100%; background: #fff;
               font-family: {font}; font-size: 13px; color: #222; }}
  #bar {{ position: absolute; top: 6px; left: 8px; right: 8px; z-index: 2;
          display: flex; flex-wrap: wrap; gap: 10px; align-items: center;
          pointer-events: none; }}
  #bar span.t {{ display: inline-flex; align-items: center; gap: 4px;
                 background: rgba(255,255,255,.85); padding: 1px 6px; border-radius: 3px; }}
  #bar i {{ width: 10px; height: 10px; border-radius: 50%; display: inline-block; }}
  #status {{ margin-left: auto; background: rgba(255,255,255,.85); padding: 1px 6px;
             border-radius: 3px; color: #555; }}
  #net {{ position: absolute; top: 0; left: 0; right: 0; bottom: 0; }}
  div.vis-tooltip {{ white-space: pre-line; font-family: {font}; font-size: 12px;
                     max-width: 360px; }}
</style>
</head>
<body>
<div id="bar">{legend}<span id="status">laying out…</span></div>
<div id="net" role="img" aria-label="{title}"></div>
<script type="application/json" id="kg-data">{data}</script>
<script>{vis_js}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var entities = {{"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'"}};
  function plain(s) {{
    return typeof s === "string"
      ? s.replace(/&(amp|lt|gt|quot|#x27);/g, function (m) {{ return entities[m]; }})
      : s;
  }}
  data.nodes.forEach(function (n) {{ n.label = plain(n.label); n.title = plain(n.title); }});
  data.edges.forEach(function (e) {{ e.label = plain(e.label); e.title = plain(e.title); }});
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("net"),
                                {{nodes: nodes, edges: edges}}, data.options);
  window.kgNetwork = network;
  var status = document.getElementById("status");
  function ready() {{
    network.setOptions({{physics: {{enabled: false}}}});
    status.textContent = data.summary;
    document.body.setAttribute("data-ready", "1");
  }}
  network.once("stabilizationIterationsDone", ready);
  if (data.nodes.length < 2) {{ ready(); }}
  network.on("stabilizationProgress", function (p) {{
    status.textContent = "laying out… " + Math.round(100 * p.iterations / p.total) + "%";
  }});
  network.on("click", function (p) {{
    if (!p.nodes.length) {{ return; }}
    var node = nodes.get(p.nodes[0]);
    var href = data.link + "?" + new URLSearchParams({{e: node.ref}}).toString();
    try {{
      // The picture sits in an iframe of the app: follow the link as the app page does.
      var doc = window.parent.document;
      var a = doc.createElement("a");
      a.href = href;
      a.target = "_self";
      a.style.display = "none";
      doc.body.appendChild(a);
      a.click();
      a.remove();
    }} catch (err) {{
      window.open(href, "_blank", "noopener");
    }}
  }});
}})();
</script>
</body>
</html>
"""


def render_html(nb: Neighbourhood, *, link: str = "entity", title: str | None = None) -> str:
    """The picture as one HTML page with no external references.

    A click on a node opens `link?e=<entity ref>` in the page that embeds the picture
    (`link` is a URL path relative to it, e.g. the app's entity page)."""
    net = network(nb)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    vis_js, vis_css = _assets()
    types = sorted({n.type for n in nb.nodes}, key=list(TYPE_COLOURS).index)
    legend = "".join(
        f'<span class="t"><i style="background:{TYPE_COLOURS[t][0]}"></i>{_esc(type_name(t))}'
        "</span>"
        for t in types
    )
    summary = f"{len(nb.nodes)} nodes · {len(nb.edges)} edges"
    if nb.truncated:
        summary += f" (of {nb.total})"
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "link": link,
        "summary": summary,
    }
    center = next((n.label for n in nb.nodes if n.iri == nb.center), "graph")
    return _PAGE.format(
        csp=_CSP,
        title=_esc(title or f"Neighbourhood of {center}"),
        vis_css=vis_css,
        vis_js=vis_js,
        font=FONT,
        legend=legend,
        data=_json(data),
    )
