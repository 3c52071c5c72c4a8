"""A synthetic corpus and a benchmark anyone can rerun: `kg bench generate`, `kg bench run`.

`generate(n, directory, seed=42)` writes `n` realistic reports (~3 KB each) built from the
project's own reference data: agencies from real region names and bodies, statutes from the
gazetteer, programs, outcomes with units and hedges, media outlets, and the page noise of
scraped sites (navigation, 上一篇/下一篇, 扫一扫, repeated blocks). Each file depends only on
the seed and its index, so the same seed gives the same bytes, and files are written one by
one (nothing is held for the whole corpus).

`run(sizes, workers=2)` measures, in one run on this machine, the figures of
docs/benchmarks.md: extraction and ingest speed against two references measured in the same
run (a plain regex pass over the same files, and Oxigraph's own bulk loader on the N-Quads the
ingest produced), peak memory of the ingest, the store's size, query latencies, the speedup of
two workers over one, and how time grows with the number of reports.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     corpus = generate(3, d, seed=1)
>>> corpus.files, corpus.bytes > 3 * 1500
(3, True)
"""

from __future__ import annotations

import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

# The raw SPARQL forms of the app's questions, kept for tests/test_bench.py.
from kg.queries import AGENCY_TO_EXPLORE, CO_CITATION, NEIGHBOURHOOD  # noqa: F401

FILES_PER_FOLDER = 1000
GB18030_SHARE = 0.15  # the rest is UTF-8
TARGET_BYTES = (2600, 3600)  # a report's size in bytes, drawn uniformly
FACT_SHARE = 0.22  # sentences that carry entities; the rest is boilerplate prose
MB = 1_000_000  # benchmark figures use decimal megabytes

__all__ = [
    "Corpus",
    "Figures",
    "Run",
    "corpus_files",
    "ensure_corpus",
    "generate",
    "goals",
    "growth",
    "measure",
    "query_figures",
    "regex_pass",
    "render_markdown",
    "run",
]


# ====================================================================== the generator


@dataclass(frozen=True, slots=True)
class Corpus:
    directory: Path
    files: int
    bytes: int
    seed: int = 42


def generate(n: int, directory: str | os.PathLike, *, seed: int = 42) -> Corpus:
    """Write `n` reports under `directory` in folders of `FILES_PER_FOLDER`."""
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    vocab = _vocabulary()
    total = 0
    for i in range(n):
        path = file_path(root, i)
        if i % FILES_PER_FOLDER == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        data = report_bytes(i, seed=seed, vocab=vocab)
        path.write_bytes(data)
        total += len(data)
    return Corpus(root, n, total, seed)


def file_path(root: Path, i: int) -> Path:
    return root / f"{i // FILES_PER_FOLDER:04d}" / f"r{i:07d}.txt"


def corpus_files(directory: str | os.PathLike) -> list[Path]:
    """The generated files under `directory`, in index order."""
    return sorted(Path(directory).glob("*/r*.txt"))


def report_bytes(i: int, *, seed: int, vocab: _Vocabulary | None = None) -> bytes:
    """Report number `i` of the corpus of `seed`, encoded as it is written to disk."""
    rng = random.Random(f"{seed}:{i}")
    text = _Report(rng, vocab or _vocabulary()).text()
    encoding = "gb18030" if rng.random() < GB18030_SHARE else "utf-8"
    return text.encode(encoding)


@dataclass(frozen=True, slots=True)
class _Statute:
    title: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    regions: tuple  # loaders.regions.Region, counties and cities
    provinces: tuple
    bodies_local: tuple[str, ...]  # canonical bodies of city and county departments
    bodies_province: tuple[str, ...]
    short_bodies: dict[str, tuple[str, ...]]  # canonical → abbreviations people write
    statutes: tuple[_Statute, ...]
    programs: tuple[tuple[str, ...], ...]  # the written forms of each program
    media: tuple[str, ...]
    issuers: tuple[tuple[str, str], ...]  # 文号 prefix, issuer as written


@cache
def _vocabulary() -> _Vocabulary:
    from loaders import regions
    from loaders.reference import table

    by_code = sorted(regions.all_regions().values(), key=lambda r: r.code)
    provinces = tuple(r for r in by_code if r.level == "province")
    local = tuple(r for r in by_code if r.level != "province")
    bodies = [r for r in table("agency_bodies.tsv") if r["family"] == "gov"]
    canonical = sorted({r["canonical"] for r in bodies if r["form"] == r["canonical"]})
    skip = (
        "所",
        "处",
        "支队",
        "大队",
        "办事处",
        "小组",
        "人民政府外事办公室",
        "高级人民法院",
        "中级人民法院",
    )
    local_bodies = tuple(b for b in canonical if not b.endswith(("厅", *skip)))
    province_bodies = (*(b for b in canonical if b.endswith("厅")), "人民政府")
    short: dict[str, list[str]] = {}
    for r in bodies:
        if r["form"] != r["canonical"] and len(r["form"]) >= 3:
            short.setdefault(r["canonical"], []).append(r["form"])
    statutes = tuple(
        _Statute(r["title"], tuple(a for a in r["aliases"].split("|") if len(a) >= 3))
        for r in table("statutes.tsv")
        if r.get("status", "in_force") == "in_force" and r["title"]
    )
    programs = tuple(tuple(r["forms"].split("|")) for r in table("programs.tsv"))
    media = tuple(r["name_or_ending"] for r in table("media.tsv") if r["role"] == "name")
    issuers = tuple(
        (r["prefix"], r["issuer"].removeprefix("中华人民共和国"))
        for r in table("docnumber_issuers.tsv")
    )
    return _Vocabulary(
        regions=local,
        provinces=provinces,
        bodies_local=local_bodies,
        bodies_province=province_bodies,
        short_bodies={k: tuple(v) for k, v in short.items()},
        statutes=statutes,
        programs=programs,
        media=media,
        issuers=issuers,
    )


_CN = "〇一二三四五六七八九"
_KINDS = (
    "{year}年法治政府建设工作报告",
    "关于{year}年度法治政府建设情况的报告",
    "{year}年度法治政府建设工作情况报告",
    "{year}年法治政府建设年度报告",
    "{year}年普法工作总结",
    "{year}年依法行政工作报告",
    "{year}年“谁执法谁普法”履职报告",
)
_NAV_HEAD = (
    "首页 > 政务公开 > 法治政府建设",
    "当前位置：首页 > 信息公开 > 法治政府建设年度报告",
    "您的位置：首页 > 政府信息公开 > 法定主动公开内容",
    "【字体：大 中 小】",
    "【打印本页】【关闭窗口】",
    "无障碍阅读 长者模式",
)
_NAV_TAIL = (
    "扫一扫在手机打开当前页",
    "【打印本页】 【关闭窗口】",
    "分享到：",
    "返回顶部",
    "网站地图 | 联系我们",
)
_SECTIONS = (
    "一、{year}年法治政府建设主要举措和成效",
    "二、党政主要负责人履行推进法治建设第一责任人职责情况",
    "三、存在的不足和原因",
    "四、{next}年推进法治政府建设的主要安排",
)
_TOPICS = (
    "加强法治政府建设的意见",
    "全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见",
    "进一步做好普法工作的通知",
    "深化“放管服”改革优化营商环境的意见",
    "加强行政复议工作的通知",
    "全面加强新时代法治宣传教育的意见",
    "加强规范性文件制定和监督管理工作的通知",
)
_PROSE = (
    "坚持把法治政府建设摆在全局工作的突出位置,纳入年度重点工作统筹推进。",
    "严格落实重大行政决策程序,坚持公众参与、专家论证、风险评估、合法性审查和集体讨论决定。",
    "进一步健全行政执法监督机制,规范行政裁量权基准,推动严格规范公正文明执法。",
    "持续深化政务公开,及时主动公开权力清单、责任清单,保障群众知情权、参与权和监督权。",
    "把法治建设成效作为衡量领导班子和领导干部工作实绩的重要内容,纳入政绩考核指标体系。",
    "主动接受人大监督、民主监督和社会舆论监督,认真办理人大代表建议和政协委员提案。",
    "畅通行政复议和行政诉讼渠道,依法化解行政争议,切实维护群众合法权益。",
    "加强法治工作队伍建设,选优配强法制审核人员,不断提升依法行政能力和水平。",
    "坚持问题导向,强化督促检查,确保各项工作任务落到实处、取得实效。",
    "健全完善法律顾问制度,充分发挥法律顾问在重大决策、合同审查中的参谋助手作用。",
    "主要负责人亲自部署重要工作、亲自过问重大问题、亲自协调重点环节、亲自督办重要任务。",
    "严格执行行政规范性文件合法性审核机制,未经审核的文件一律不得发布。",
    "深化行政执法体制改革,推进执法力量下沉,执法效能进一步提升。",
    "工作中还存在一些不足,部分干部法治意识有待进一步增强,执法队伍专业化水平还需提高。",
    "下一步,我们将继续深入学习贯彻习近平法治思想,以更高标准推进法治政府建设。",
    "坚持和完善行政执法与刑事司法衔接机制,做到应移尽移、应收尽收。",
    "加强数字法治政府建设,推动政务服务事项网上可办、掌上可办。",
)
_SUBHEADS = (
    "(一)加强组织领导,压实法治建设责任",
    "(二)深化“放管服”改革,优化法治化营商环境",
    "(三)严格规范公正文明执法",
    "(四)加强普法宣传教育",
    "(五)推进行政决策科学化民主化法治化",
    "(六)强化对行政权力的制约和监督",
    "(七)依法有效化解社会矛盾纠纷",
)


class _Report:
    """One report's text, drawn from `rng`."""

    def __init__(self, rng: random.Random, vocab: _Vocabulary) -> None:
        self.rng = rng
        self.v = vocab
        self.year = rng.randint(2016, 2023)
        if rng.random() < 0.08:
            self.region = rng.choice(vocab.provinces)
            body = rng.choice(vocab.bodies_province)
        else:
            self.region = rng.choice(vocab.regions)
            body = rng.choice(vocab.bodies_local)
        from loaders import regions

        self.prefix = regions.full_prefix(self.region)
        self.body = body
        self.publisher = self.prefix + body
        self.level = self.region.name[-1] if self.region.name[-1] in "省市区县州旗" else "市"

    # -- pieces --------------------------------------------------------------------------

    def cn_number(self, n: int) -> str:
        """1..99 in Chinese numerals: 12 → 十二, 40 → 四十."""
        tens, ones = divmod(n, 10)
        head = ("" if tens == 1 else _CN[tens]) + "十" if tens else ""
        return head + (_CN[ones] if ones or not tens else "")

    def count(self, low: int, high: int) -> str:
        r = self.rng
        n = r.randint(low, high)
        style = r.random()
        if style < 0.15 and n < 100:
            return self.cn_number(n)
        if style < 0.3 and n >= 10000:
            return f"{n / 10000:.1f}万".replace(".0万", "万")
        if style < 0.45:
            return f"{n}余"
        if style < 0.5:
            return f"近{n}"
        if style < 0.55:
            return f"约{n}"
        return str(n)

    def statute(self) -> str:
        s = self.rng.choice(self.v.statutes)
        if s.aliases and self.rng.random() < 0.35:
            return f"《{self.rng.choice(s.aliases)}》"
        return f"《{s.title}》"

    def statutes(self, k: int) -> str:
        return "、".join(self.statute() for _ in range(k))

    def program(self) -> str:
        return self.rng.choice(self.rng.choice(self.v.programs))

    def agency(self) -> str:
        body = self.rng.choice(self.v.bodies_local)
        short = self.v.short_bodies.get(body)
        if short and self.rng.random() < 0.4:
            return self.level + self.rng.choice(short)
        return self.prefix + body

    def document(self) -> str:
        """A normative document with its 文号: 《国务院关于…的意见》(国发〔2021〕9号)."""
        prefix, issuer = self.rng.choice(self.v.issuers)
        topic = self.rng.choice(_TOPICS)
        number = f"{prefix}〔{self.rng.randint(2010, self.year)}〕{self.rng.randint(1, 60)}号"
        return f"《{issuer}关于{topic}》({number})"

    def sentence(self) -> str:
        r = self.rng
        y = self.year
        choices: Sequence[Callable[[], str]] = (
            lambda: f"认真贯彻落实{self.statutes(r.randint(1, 3))},严格依法履行职责。",
            lambda: (
                f"全年共开展法治培训{self.count(5, 60)}场次,参训人员{self.count(100, 5000)}人次,"
                f"组织领导干部学法{self.count(2, 20)}次。"
            ),
            lambda: (
                f"{y}年共办理行政处罚案件{self.count(20, 3000)}件,"
                f"罚没款{r.randint(1, 900)}.{r.randint(1, 99)}万元,"
                f"同比增长{r.randint(1, 40)}.{r.randint(0, 9)}%。"
            ),
            lambda: (
                f"深入推进{self.program()}和{self.program()},"
                f"发放宣传资料{self.count(1000, 90000)}份,接受群众咨询{self.count(50, 3000)}人次。"
            ),
            lambda: (
                f"依据{self.statute()}等规定,会同{self.agency()}、{self.agency()}"
                f"开展联合执法检查{self.count(3, 80)}次。"
            ),
            lambda: (
                f"在《{r.choice(self.v.media)}》、{self.region.short}日报及"
                f"“{self.region.short}发布”微信公众号刊发法治宣传稿件{self.count(10, 300)}篇。"
            ),
            lambda: (
                f"按照{self.document()}要求,"
                f"完成规范性文件合法性审核{self.count(3, 90)}件,清理文件{self.count(5, 200)}件。"
            ),
            lambda: (
                f"全面落实行政执法“三项制度”,群众满意度达{r.randint(90, 99)}.{r.randint(0, 9)}%,"
                f"办结行政复议案件{self.count(1, 60)}件,行政诉讼败诉率为零。"
            ),
            lambda: (
                f"扎实开展{self.program()}活动,举办专题讲座{self.count(2, 40)}期,"
                f"覆盖群众{self.count(2000, 140000)}人。"
            ),
            lambda: (
                f"认真执行{self.statute()},受理政府信息公开申请{self.count(3, 200)}件,"
                f"按期答复率100%。"
            ),
        )
        return r.choice(choices)()

    def paragraph(self) -> str:
        """A few sentences; as in real reports, most are boilerplate without facts."""
        r = self.rng
        lead = r.choice(("一是", "二是", "三是", "同时,", "此外,", ""))
        parts = [
            self.sentence() if r.random() < FACT_SHARE else r.choice(_PROSE)
            for _ in range(r.randint(2, 5))
        ]
        return lead + "".join(parts)

    # -- the whole -----------------------------------------------------------------------

    def text(self) -> str:
        r = self.rng
        y = self.year
        title = self.publisher + r.choice(_KINDS).format(year=y)
        published = date(y + 1, r.randint(1, 3), r.randint(1, 28))
        lines: list[str] = []
        lines += r.sample(_NAV_HEAD, r.randint(0, 3))
        lines += [
            title,
            f"发布时间:{published.isoformat()} {r.randint(8, 18):02d}:{r.randint(0, 59):02d}"
            f" 浏览次数:{r.randint(1, 3000)}",
            f"信息来源:{self.publisher}",
            "",
            f"{y}年,{self.publisher}在{self.level}委、{self.level}政府的正确领导下,"
            "坚持以习近平新时代中国特色社会主义思想为指导,深入学习贯彻习近平法治思想,"
            f"全面落实{self.statute()},法治政府建设取得新成效。现将有关情况报告如下:",
        ]
        target = r.randint(*TARGET_BYTES)
        body: list[str] = []
        size = sum(len(x) for x in lines) * 3
        sections = iter(_SECTIONS)
        subheads = list(_SUBHEADS)
        r.shuffle(subheads)
        while size < target - 250:
            if not body or r.random() < 0.25:
                heading = next(sections, None) or subheads.pop()
                body.append(heading.format(year=y, next=y + 1))
            elif r.random() < 0.3 and subheads:
                body.append(subheads.pop())
            paragraph = self.paragraph()
            body.append(paragraph)
            size += len(paragraph) * 3 + 40
        lines += body
        if r.random() < 0.2 and len(body) > 2:  # a block repeated, as print views do
            start = r.randrange(len(body) - 1)
            lines += body[start : start + 2]
        lines += ["", self.publisher, f"{y + 1}年{published.month}月{published.day}日", ""]
        lines.append(f"上一篇:{self.prefix}{r.choice(self.v.bodies_local)}{y}年工作总结")
        lines.append(f"下一篇:关于{y + 1}年度政府信息公开工作的通知")
        lines += r.sample(_NAV_TAIL, r.randint(1, 3))
        return "\n".join(lines) + "\n"


# ====================================================================== the benchmark

# What the app's Overview and Explore pages run (kg.browse.Catalog), as `query_figures` times it.
QUERY_NAMES = (
    "store check",
    "overview figures",
    "outcome table",
    "entity index",
    "agency neighbourhood",
    "depth 2",
    "entity page",
    "search",
    "search 局",
    "statute co-citation top 20",
    "summary write",
    "summary update +1 report",
    "summary update +1%",
)
# Not a page's wait: no query goal.
WRITER_COSTS = ("summary write", "summary update +1 report", "summary update +1%")
# The reference a one-pass scanner gets: titles, 文号, numbers with their units.
_SCAN = (
    re.compile(r"《[^《》\n]{1,80}》"),
    re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号"),
    re.compile(r"\d+(?:\.\d+)?万?(?:余|多)?(?:人次|件|场|次|元|万元|篇|份|人|期|%)"),
)
POLL_SECONDS = 0.05
QUERY_RUNS = 3
GOALS = {
    "extract_mbps": 2.0,  # MB/s per worker
    "extract_vs_regex": 1 / 3,
    "ingest_10k_s": 30.0,
    "ingest_vs_regex": 1 / 6,
    "peak_rss": 2**30,
    "rss_growth": 1.5,  # largest / smallest size: "flat"
    "speedup": 1.7,
    "neo4j_10k_s": 180.0,
    "query_ms": 200.0,  # each of the app's typical queries, 10,000 reports
    "growth": 1.1,  # log-log slope: "linear"
}


@dataclass(frozen=True, slots=True)
class Run:
    """One subprocess: wall time, CPU time of its whole tree, peak RSS of the tree."""

    seconds: float
    cpu_seconds: float
    peak_rss: int


@dataclass(frozen=True, slots=True)
class Neo4jLoad:
    """`kg ingest DIR --neo4j URI` into an empty database of a server of its own."""

    seconds: float
    nodes: int
    relationships: int

    @property
    def rows_per_s(self) -> float:
        return (self.nodes + self.relationships) / self.seconds


@dataclass
class Figures:
    """Everything measured for one corpus size (seconds, bytes, counts)."""

    reports: int
    bytes: int
    workers: int
    regex_s: float = 0.0
    extract: dict[int, Run] = field(default_factory=dict)  # `kg extract --workers N`
    ingest: dict[int, Run] = field(default_factory=dict)  # `kg ingest --workers N`
    reingest_s: float = 0.0  # the same `kg ingest` again: every file is stored already
    quads: int = 0
    store_bytes: int = 0
    bulk_s: float = 0.0  # Oxigraph's bulk loader on the N-Quads the ingest produced
    queries_ms: dict[str, float] = field(default_factory=dict)
    neo4j: Neo4jLoad | None = None  # `kg ingest --neo4j`, with `kg bench run --neo4j`
    pages_s: dict[str, float] = field(default_factory=dict)  # the app's pages, in seconds

    @property
    def mb(self) -> float:
        return self.bytes / MB

    @property
    def ingest_s(self) -> float:
        return self.ingest[self.workers].seconds

    @property
    def ingest_peak(self) -> int:
        return self.ingest[self.workers].peak_rss

    @property
    def extract_s(self) -> float:
        """`kg extract --workers 1`: the speed of one worker."""
        return self.extract[1].seconds

    def speedup(self, runs: dict[int, Run]) -> float | None:
        if self.workers == 1 or 1 not in runs or self.workers not in runs:
            return None
        return runs[1].seconds / runs[self.workers].seconds


def ensure_corpus(n: int, root: str | os.PathLike, *, seed: int = 42) -> Corpus:
    """The corpus of `n` reports for `seed` under `root`, generated unless already there."""
    directory = Path(root) / f"n{n}-seed{seed}"
    marker = directory / ".complete"
    if marker.exists():
        files, size = marker.read_text().split()
        return Corpus(directory, int(files), int(size), seed)
    if directory.exists():
        shutil.rmtree(directory)
    corpus = generate(n, directory, seed=seed)
    marker.write_text(f"{corpus.files} {corpus.bytes}\n")
    return corpus


def regex_pass(directory: str | os.PathLike) -> tuple[float, int]:
    """Seconds to read, decode and scan every file with a few compiled regexes; matches."""
    files = corpus_files(directory)
    start = time.perf_counter()
    found = 0
    for path in files:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        for pattern in _SCAN:
            found += sum(1 for _ in pattern.finditer(text))
    return time.perf_counter() - start, found


def kg_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


def run_tree(cmd: Sequence[str], *, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` with its output discarded. Peak RSS is summed over its process tree by
    polling (pages shared by forked workers count once per process, so it errs high); CPU
    time is that of every process of the tree (`RUSAGE_CHILDREN`)."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    parent = psutil.Process(proc.pid)
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(_rss(p) for p in tree))
        except psutil.Error:
            pass
        time.sleep(POLL_SECONDS)
    elapsed = time.perf_counter() - start
    reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        tail = b"".join(stderr).decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(cmd[2:])} exited {proc.returncode}: {' | '.join(tail)}")
    return Run(elapsed, cpu, peak)


def _rss(process) -> int:
    try:
        return process.memory_info().rss
    except Exception:  # gone between listing and reading
        return 0


def extract_run(directory: Path, *, workers: int) -> Run:
    """`kg extract DIR --workers N`, JSON lines discarded."""
    return run_tree(kg_command("extract", str(directory), "--workers", str(workers)))


def ingest_run(directory: Path, store: Path, *, workers: int, fresh: bool = True) -> Run:
    """`kg ingest DIR --workers N` into a fresh store, or into `store` as it is."""
    if fresh and store.exists():
        shutil.rmtree(store)
    return run_tree(
        kg_command("ingest", str(directory), "--workers", str(workers), "--store", str(store))
    )


def store_figures(store: Path) -> tuple[int, int]:
    """Quads in the store and its size on disk."""
    import pyoxigraph as ox

    quads = len(ox.Store.read_only(str(store)))
    size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    return quads, size


def bulk_seconds(store: Path, work: Path) -> float:
    """Oxigraph's bulk loader on an N-Quads dump of `store`, into a fresh directory."""
    import pyoxigraph as ox

    dump = work / "dump.nq"
    target = work / "bulk-store"
    if target.exists():
        shutil.rmtree(target)
    ox.Store.read_only(str(store)).dump(str(dump), format=ox.RdfFormat.N_QUADS)
    fresh = ox.Store(str(target))
    start = time.perf_counter()
    fresh.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    fresh.flush()
    elapsed = time.perf_counter() - start
    del fresh
    dump.unlink()
    shutil.rmtree(target)
    return elapsed


def query_figures(store: Path) -> dict[str, float]:
    """Median milliseconds, over `QUERY_RUNS` runs, of what the app's Overview and Explore
    pages compute (`kg.browse.Catalog`, the same calls the pages make), and of writing the
    summary they read (`kg.browse.write_summary`: `kg ingest --summary` runs it at its end,
    else the app does when it first opens the changed store).

    Each run of the first four opens a new catalog, as a newly started app does: the store
    check (the report graphs, for the summary's freshness), the Overview's figures (counts,
    most-cited, kinds, co-citation, region and year, programs), its outcome table with the
    filter options, and the entity index the Explore page searches and draws from."""
    from kg.browse import Catalog, write_summary
    from kg.store import Store

    writer = Store(store)
    start = time.perf_counter()
    write_summary(writer)
    summary_ms = (time.perf_counter() - start) * 1000
    writer.close()
    del writer

    s = Store(store, read_only=True)

    def overview() -> object:
        cat = Catalog(s)
        return (
            cat.counts(),
            cat.top_cited(limit=25),
            cat.kinds(),
            cat.co_cited(limit=15),
            cat.agencies_by_region_year(),
            cat.programs_by_agency(),
            cat.program_reach(limit=15),
        )

    def outcomes() -> object:
        cat = Catalog(s)
        return cat.outcome_options(), cat.outcome_table(), cat.outcome_comparison()

    warm = Catalog(s)
    center = warm.default_center()

    def around(depth: int) -> Callable[[], object]:
        return lambda: center and warm.neighbourhood(center, depth=depth)

    timed: tuple[Callable[[], object], ...] = (
        lambda: Catalog(s).fingerprint,
        overview,
        outcomes,
        lambda: Catalog(s).has_entity(center),
        around(1),
        around(2),
        lambda: center and warm.entity(center),
        lambda: warm.search("城管"),
        lambda: warm.search("局"),
        lambda: warm.co_cited(limit=20),
    )
    result = {}
    for name, fn in zip(QUERY_NAMES, timed, strict=False):
        runs = []
        for _ in range(QUERY_RUNS):
            start = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - start) * 1000)
        result[name] = statistics.median(runs)
    result["summary write"] = summary_ms
    s.close()
    return result


def summary_update_ms(
    store: Path, corpus: Corpus, work: Path, *, reports: int, first: int
) -> float:
    """Milliseconds of `kg.browse.write_summary` once `reports` more reports of the corpus's
    seed (numbers `first`, `first` + 1, …, past the corpus's own) are ingested into `store`,
    whose summary is up to date: what keeping the summary costs an upload of one file, or a
    writer that adds a batch (`kg.summarize` computes the difference)."""
    from kg.batch import ingest
    from kg.browse import write_summary
    from kg.store import Store

    extra = Path(work) / "extra"
    extra.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(corpus.files + first, corpus.files + first + reports):
        path = extra / f"r{i:07d}.txt"
        path.write_bytes(report_bytes(i, seed=corpus.seed))
        files.append(str(path))
    writer = Store(store)
    try:
        for done in ingest(writer, files, progress=False):
            if done.error:
                raise RuntimeError(done.error)
        start = time.perf_counter()
        write_summary(writer)
        return (time.perf_counter() - start) * 1000
    finally:
        writer.close()
        shutil.rmtree(extra)


def neo4j_load(directory: Path, work: Path, *, workers: int) -> Neo4jLoad:
    """`kg ingest DIR --neo4j URI --workers N` as a subprocess into a Neo4j server of the
    run's own (started in WORK/neo4j-server on a free port, stopped and removed after):
    its wall time, then the nodes and relationships the database holds."""
    import neo4j

    from kg import neo4j_server

    server_dir = Path(work) / "neo4j-server"
    info = neo4j_server.start(port=neo4j_server.free_port(), dir=server_dir)
    try:
        env = {**os.environ, "NEO4J_USER": info.user, "NEO4J_PASSWORD": info.password}
        cmd = kg_command("ingest", str(directory), "--neo4j", info.uri, "--workers", str(workers))
        run = run_tree(cmd, env=env)
        with neo4j.GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as driver:
            nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
            rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    finally:
        neo4j_server.stop(dir=server_dir)
        shutil.rmtree(server_dir, ignore_errors=True)
    return Neo4jLoad(run.seconds, nodes, rels)


PAGE_NAMES = ("Overview, first render", "Overview, rerun", "Explore, after Overview")
APP_SCRIPT = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
_PAGE_TIMER = """
import json, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=600)
times = []
for step in ("overview", "rerun", "explore"):
    if step == "explore":
        at.switch_page("app_pages/explore.py")
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
    if at.exception:
        sys.exit(f"{step}: {at.exception[0].value}")
print(json.dumps(times))
"""


def page_figures(store: Path) -> dict[str, float]:
    """Seconds to render the app's Overview (first time and again) and then its Explore
    page, in a new process as a newly started app (streamlit's AppTest, no browser), on the
    store with its summary written."""
    env = {**os.environ, "KG_STORE": str(store)}
    env.pop("KG_NEO4J", None)
    done = subprocess.run(
        [sys.executable, "-c", _PAGE_TIMER, str(APP_SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"app pages on {store}: {done.stderr.strip().splitlines()[-1:]}")
    return dict(zip(PAGE_NAMES, json.loads(done.stdout.strip().splitlines()[-1]), strict=True))


def measure(
    corpus: Corpus,
    work: str | os.PathLike,
    *,
    workers: int = 2,
    compare_single: bool = True,
    with_neo4j: bool = False,
    log: Callable[[str], None] = lambda _line: None,
) -> Figures:
    """All figures for one corpus, in one run; stores are built under `work` and removed."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    store = work / f"store-{corpus.files}"
    f = Figures(corpus.files, corpus.bytes, workers)
    n = corpus.files
    log(f"{n} reports: regex pass")
    f.regex_s, _ = regex_pass(corpus.directory)
    for w in sorted({1, workers}):  # one worker's speed is a figure of its own
        log(f"{n} reports: kg extract --workers {w}")
        f.extract[w] = extract_run(corpus.directory, workers=w)
    for w in sorted({1, workers}) if compare_single else [workers]:
        log(f"{n} reports: kg ingest --workers {w}")
        f.ingest[w] = ingest_run(corpus.directory, store, workers=w)
    log(f"{n} reports: kg ingest again, nothing changed")
    f.reingest_s = ingest_run(corpus.directory, store, workers=workers, fresh=False).seconds
    f.quads, f.store_bytes = store_figures(store)
    log(f"{n} reports: queries")
    f.queries_ms = query_figures(store)
    log(f"{n} reports: app pages")
    f.pages_s = page_figures(store)
    log(f"{n} reports: bulk load of the same quads")
    f.bulk_s = bulk_seconds(store, work)
    log(f"{n} reports: summary update after one more report, then 1% more")
    f.queries_ms["summary update +1 report"] = summary_update_ms(
        store, corpus, work, reports=1, first=0
    )
    f.queries_ms["summary update +1%"] = summary_update_ms(
        store, corpus, work, reports=max(1, n // 100), first=1
    )
    shutil.rmtree(store)
    if with_neo4j:
        log(f"{n} reports: kg ingest --neo4j")
        f.neo4j = neo4j_load(corpus.directory, work, workers=workers)
    return f


def growth(figures: Sequence[Figures], seconds: Callable[[Figures], float]) -> float | None:
    """Log-log slope of time against reports from the smallest to the largest size:
    1 is linear, 2 quadratic."""
    if len(figures) < 2:
        return None
    a, b = figures[0], figures[-1]
    ta, tb = seconds(a), seconds(b)
    if a.reports == b.reports or ta <= 0 or tb <= 0:
        return None
    return math.log(tb / ta) / math.log(b.reports / a.reports)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import psutil
    import pyoxigraph

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit,
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "python": platform.python_version(),
        "pyoxigraph": getattr(pyoxigraph, "__version__", "?"),
        "os": f"{platform.system()} {platform.release()}",
        "load": load,
    }


def _mbps(mb: float, seconds: float) -> str:
    return f"{mb / seconds:.2f}" if seconds > 0 else "–"


def _x(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _mark(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def goals(figures: Sequence[Figures]) -> list[tuple[str, str, bool | None]]:
    """Each goal of issue 6, the measured value (at the largest size) and whether it is met."""
    if not figures:
        return []
    big = figures[-1]
    at = f" ({big.reports:,} reports)"
    g = GOALS
    extract_mbps = big.mb / big.extract_s
    speedup = big.speedup(big.ingest)
    extract_speedup = big.speedup(big.extract)
    rss_growth = big.ingest_peak / figures[0].ingest_peak if len(figures) > 1 else None
    slope = growth(figures, lambda f: f.ingest_s)
    ten_k = [f for f in figures if f.reports == 10_000]
    rows = [
        (
            f"extract ≥ {g['extract_mbps']:g} MB/s per worker",
            f"{extract_mbps:.2f} MB/s{at}",
            extract_mbps >= g["extract_mbps"],
        ),
        (
            "extract ≥ 1/3 of the regex pass",
            f"{big.regex_s / big.extract_s:.3f}{at}",
            big.regex_s / big.extract_s >= g["extract_vs_regex"],
        ),
        (
            f"ingest of 10,000 reports ≤ {g['ingest_10k_s']:g} s",
            f"{ten_k[0].ingest_s:.1f} s" if ten_k else "not measured",
            ten_k[0].ingest_s <= g["ingest_10k_s"] if ten_k else None,
        ),
        (
            "ingest ≥ 1/6 of the regex pass",
            f"{big.regex_s / big.ingest_s:.3f}{at}",
            big.regex_s / big.ingest_s >= g["ingest_vs_regex"],
        ),
        (
            "ingest peak RSS < 1 GiB",
            f"{_mib(big.ingest_peak)}{at}",
            big.ingest_peak < g["peak_rss"],
        ),
        (
            "ingest peak RSS flat in the number of reports",
            f"× {_x(rss_growth)} from {figures[0].reports:,} to {big.reports:,}",
            None if rss_growth is None else rss_growth <= g["rss_growth"],
        ),
        (
            f"extract --workers {big.workers} vs 1 ≥ {g['speedup']:g}×",
            f"{_x(extract_speedup)}×{at}",
            None if extract_speedup is None else extract_speedup >= g["speedup"],
        ),
        (
            f"ingest --workers {big.workers} vs 1 ≥ {g['speedup']:g}×",
            f"{_x(speedup)}×{at}",
            None if speedup is None else speedup >= g["speedup"],
        ),
        (
            f"Neo4j load of 10,000 reports ≤ {g['neo4j_10k_s']:g} s",
            f"{ten_k[0].neo4j.seconds:.1f} s" if ten_k and ten_k[0].neo4j else "not measured",
            ten_k[0].neo4j.seconds <= g["neo4j_10k_s"] if ten_k and ten_k[0].neo4j else None,
        ),
        _query_goal(ten_k[0] if ten_k else None),
        (
            "linear growth (log-log slope ≤ 1.1)",
            f"{_x(slope)}",
            None if slope is None else slope <= g["growth"],
        ),
    ]
    return rows


def _query_goal(ten_k: Figures | None) -> tuple[str, str, bool | None]:
    """The slowest of the app's queries at 10,000 reports (the summary write is a writer's
    cost, not a page's)."""
    goal = f"app queries on 10,000 reports < {GOALS['query_ms']:g} ms each"
    measured = ten_k.queries_ms if ten_k else {}
    timed = {k: v for k, v in measured.items() if k not in WRITER_COSTS}
    if not timed:
        return goal, "not measured", None
    name = max(timed, key=timed.get)
    return goal, f"slowest: {name}, {timed[name]:.0f} ms", timed[name] < GOALS["query_ms"]


def _by_size(
    title: str,
    names: Sequence[str],
    figures: Sequence[Figures],
    values: Callable[[Figures], dict[str, float]],
    cell: str,
) -> list[str]:
    """A section with one row per corpus size and one column per named figure."""
    lines = ["", f"## {title}", "", "| reports | " + " | ".join(names) + " |"]
    lines.append("|---:|" + "---:|" * len(names))
    for f in figures:
        cells = " | ".join(cell.format(values(f).get(n, 0.0)) for n in names)
        lines.append(f"| {f.reports:,} | {cells} |")
    return lines


def render_markdown(figures: Sequence[Figures], host: dict[str, str], *, seed: int) -> str:
    """The figures as docs/benchmarks.md."""
    w = figures[0].workers if figures else 2
    sizes = ",".join(str(f.reports) for f in figures)
    lines = [
        "# Benchmarks",
        "",
        "Measured by `kg bench run` in one run on one machine; rerun with",
        "",
        "```",
        f"kg bench run --sizes {sizes} --workers {w}"
        + (" --neo4j" if any(f.neo4j for f in figures) else "")
        + " --out docs/benchmarks.md",
        "```",
        "",
        f"- date: {host['date']}, commit `{host['commit']}`",
        f"- machine: {host['cpu']}, {host['nproc']} CPUs, {host['ram']} RAM, {host['os']};"
        f" load average when done: {host.get('load', '?')}",
        f"- Python {host['python']}, pyoxigraph {host['pyoxigraph']}",
        f"- corpus: `kg bench generate N DIR --seed {seed}`: synthetic reports of ~3 KB,"
        f" {GB18030_SHARE:.0%} of them GB18030",
        "",
        "The machine is shared and noisy: trust the ratios of one run (each figure is measured"
        " next to its reference) more than absolute figures across runs. CPU seconds (all"
        " processes of the run) move less with the neighbours than wall time does.",
        "",
        "## Throughput",
        "",
        "| reports | MB | regex pass MB/s | extract MB/s, 1 worker | ingest MB/s"
        f" (--workers {w}) | ingest wall s | ingest CPU s | ingest again s | triples/s |"
        " bulk load s | peak RSS | store on disk |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        run = f.ingest[f.workers]
        lines.append(
            f"| {f.reports:,} | {f.mb:.1f} | {_mbps(f.mb, f.regex_s)} | "
            f"{_mbps(f.mb, f.extract_s)} | {_mbps(f.mb, run.seconds)} | {run.seconds:.1f} | "
            f"{run.cpu_seconds:.0f} | {f.reingest_s:.1f} | {f.quads / run.seconds:,.0f} | "
            f"{f.bulk_s:.1f} | "
            f"{_mib(run.peak_rss)} | {_mib(f.store_bytes)} |"
        )
    lines += [
        "",
        "## Ratios (same run)",
        "",
        "| reports | extract / regex | ingest / regex | ingest / bulk load |"
        f" extract --workers {w} vs 1 | ingest --workers {w} vs 1 | quads per report |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f.reports:,} | {_x(f.regex_s / f.extract_s)} | {_x(f.regex_s / f.ingest_s)} | "
            f"{_x(f.bulk_s / f.ingest_s)} | {_x(f.speedup(f.extract))}× | "
            f"{_x(f.speedup(f.ingest))}× | {f.quads / max(f.reports, 1):.0f} |"
        )
    lines += _by_size(
        "Query latency (median of 3, ms)", QUERY_NAMES, figures, lambda f: f.queries_ms, "{:.0f}"
    )
    if any(f.pages_s for f in figures):
        lines += _by_size(
            "App pages (seconds, AppTest in a new process)",
            PAGE_NAMES,
            figures,
            lambda f: f.pages_s,
            "{:.1f}",
        )
    loads = [f for f in figures if f.neo4j is not None]
    if loads:
        lines += [
            "",
            f"## Neo4j load (`kg ingest --neo4j`, --workers {w})",
            "",
            "| reports | wall s | nodes | relationships | rows/s |",
            "|---:|---:|---:|---:|---:|",
        ]
        for f in loads:
            n4 = f.neo4j
            lines.append(
                f"| {f.reports:,} | {n4.seconds:.1f} | {n4.nodes:,} | {n4.relationships:,} | "
                f"{n4.rows_per_s:,.0f} |"
            )
    ingest_growth = growth(figures, lambda f: f.ingest_s)
    if ingest_growth is not None:
        extract_growth = growth(figures, lambda f: f.extract_s)
        cpu_growth = growth(figures, lambda f: f.ingest[f.workers].cpu_seconds)
        lines += [
            "",
            "## Growth",
            "",
            f"Log-log slope of time against reports, {figures[0].reports:,} →"
            f" {figures[-1].reports:,} (1 = linear): ingest wall {ingest_growth:.2f},"
            f" ingest CPU {_x(cpu_growth)}, extract {_x(extract_growth)}. Fixed costs"
            " (interpreter and pool start) weigh more at small sizes and pull the slope"
            " below 1.",
        ]
    lines += [
        "",
        "## Goals (issue 6)",
        "",
        "| goal | measured | met |",
        "|---|---|---|",
    ]
    for goal, value, ok in goals(figures):
        lines.append(f"| {goal} | {value} | {_mark(ok)} |")
    lines += ["", "## How each figure is measured", "", *_METHOD, ""]
    return "\n".join(lines)


_METHOD = (
    "- **regex pass**: in process, one core: read, decode (UTF-8, else GB18030) and run three"
    " compiled regexes (《…》 titles, 文号, numbers with units) over every file.",
    "- **extract**: `kg extract DIR --workers N > /dev/null`, wall time of the subprocess.",
    "- **ingest**: `kg ingest DIR --workers N --store FRESH` as a subprocess, wall time end to"
    " end (start-up, extraction, mapping, store writes, close); **CPU s** is the user + system"
    " time of all its processes; **triples/s** = quads in the store / wall time; **ingest"
    " again**: the same command once more into that store, where every file is stored"
    " already (each is read and hashed, none extracted).",
    "- **peak RSS**: psutil polls the ingest's process tree every 50 ms and sums RSS (pages"
    " shared by forked workers count once per process, so this errs high).",
    "- **bulk load**: `pyoxigraph.Store.bulk_load` of an N-Quads dump of the ingested store into"
    " a fresh directory (parse and write only, no extraction): the store's own speed limit.",
    "- **Neo4j load** (with `--neo4j`): a Neo4j server of the run's own, started by"
    " `kg.neo4j_server` in a temporary directory; `kg ingest DIR --neo4j URI` wall time, end to"
    " end with extraction, batches of 200 reports per transaction; rows = nodes +"
    " relationships it then holds.",
    "- **app pages**: `streamlit.testing.v1.AppTest` runs `app/streamlit_app.py` in a new"
    " process on the ingested store, its summary written: the Overview's first render (open"
    " the store, read the summary, draw), a rerun, then a switch to Explore (search box and"
    " the default agency's neighbourhood drawn with pyvis). No browser: what the server"
    " computes, not what the browser paints.",
    "- **queries**: what the app's pages compute, through the calls they make"
    " (`kg.browse.Catalog`), each in a newly opened catalog: **store check** lists the report"
    " graphs (the summary's freshness check); **overview figures** the Overview's counts,"
    " most-cited instruments, kinds, co-citation, region and year table and programs;"
    " **outcome table** its filter options, first page of outcomes and comparison;"
    " **entity index** an entity looked up in the index Explore searches and draws from."
    " These read the store's summary (`kg/summary.py`, a SQLite file beside the store),"
    " written once after a change, by `kg ingest --summary` or by the app when it first"
    " opens the changed store: its cost is measured alone as **summary write** (the ingest"
    " figures do not include it; as `kg ingest --summary` does, it compacts the new store"
    " first, then two reader processes read the reports' rows, so the queries run on a"
    " compacted store), as **summary update +1 report** once one more report is ingested"
    " (an upload in the app), and as **summary update +1%** once 1% more reports are ingested"
    " (`kg/summarize.py` adds their rows; `kg/summary_figures.py` brings the whole-store"
    " figures up to date by difference)."
    " **agency neighbourhood** and **depth 2** walk the facts"
    " around the best-connected publisher (`Catalog.neighbourhood`, one summary query per"
    " ring); **entity page** is that agency's page (`Catalog.entity`: attributes, links,"
    " mentions and up to 200 evidence sentences with their marks, from the RDF store);"
    " **search** finds 城管 in the entity index, **search 局** a name part that half the"
    " index contains; **statute co-citation top 20** reads it from the summary.",
)


def run(
    sizes: Sequence[int],
    *,
    workers: int = 2,
    seed: int = 42,
    corpus_root: str | os.PathLike = "build/bench",
    out: str | os.PathLike | None = "docs/benchmarks.md",
    with_neo4j: bool = False,
    log: Callable[[str], None] = lambda _line: None,
) -> list[Figures]:
    """Measure every size (smallest first) and write the table to `out` if given."""
    figures = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as work:
        for n in sorted(set(sizes)):
            log(f"{n} reports: corpus")
            corpus = ensure_corpus(n, corpus_root, seed=seed)
            figures.append(measure(corpus, work, workers=workers, with_neo4j=with_neo4j, log=log))
    if out is not None:
        text = render_markdown(figures, machine(), seed=seed)
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
    return figures
