"""Reading catalogs as counties publish them: files → sheets → header mapping → item records.

Formats: .xlsx and .xls (python-calamine, merged cells expanded), .csv (UTF-8 with or without a
BOM, or GB18030/GBK as Excel on a Chinese Windows writes it), .docx tables (python-docx), tables
of a saved web page (.html, lxml, rowspan/colspan expanded) and .json records.

Columns are recognised by their header text and content, never by position: one- or two-row
headers with merged parents, title rows above, 注/说明 footnotes below, synonyms (特定群体 /
特定群众 / 特定对象, 公开时限 / 时限要求, 公开主体 / 责任主体 …), level columns of any tier (县级,
区级, 乡镇级, 街道, 乡、村级 …), marks (√ ✓ ✔ ● ☑ ■ and the Wingdings letters t / n), channels
with ■/□, text-valued 公开对象 / 公开方式 / 公开层级 / 五公开 columns, continuations (a blank or
merged 一级事项 under a filled one, 同上), Traditional characters and full-width digits.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Any

from .export import _FORMULA_START
from .loader import Problem
from .timelimits import _t2s

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000


#: the settings of a run without an app (the console script's light import): see :func:`settings`
_SETTINGS: ContextVar[Mapping[str, Any] | None] = ContextVar("zwgk_import_settings", default=None)


@contextmanager
def settings(config: Mapping[str, Any]) -> Iterator[None]:
    """Within: :func:`import_limits` reads ``config`` (``ZWGK_*`` settings by their config keys, as
    ``zwgk.settings.from_environment`` gives them) rather than the running app's."""
    token = _SETTINGS.set(config)
    try:
        yield
    finally:
        _SETTINGS.reset(token)


def import_limits() -> tuple[int, int, int]:
    """(file bytes, unzipped bytes, rows per sheet): the defaults above, or what the settings say
    (``ZWGK_IMPORT_MAX_FILE_SIZE``, ``ZWGK_IMPORT_MAX_UNZIPPED``, ``ZWGK_IMPORT_MAX_ROWS``): those
    given to :func:`settings`, else the running app's."""
    import sys

    config = _SETTINGS.get()
    if config is None:
        if "flask" not in sys.modules:  # never imported: no app, no context (a script)
            return MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, MAX_ROWS
        from flask import current_app, has_app_context

        if not has_app_context():
            return MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, MAX_ROWS
        config = current_app.config
    return (config.get("ZWGK_IMPORT_MAX_FILE_SIZE", MAX_FILE_BYTES),
            config.get("ZWGK_IMPORT_MAX_UNZIPPED", MAX_UNZIPPED_BYTES), config.get("ZWGK_IMPORT_MAX_ROWS", MAX_ROWS))
MAX_CELL_CHARS = 131_072  # csv's own default field limit: a catalog cell is never near it
MAX_JSON_DEPTH = 64
MARKS = {"√", "✓", "✔", "■", "●", "☑", "☒", "✗", "○", "是", "Y", "y", "1", "V", "v", "x", "X", "×", "有",
         # letters a lost Wingdings font leaves behind: n ■, t ◆, ü ✓, þ ☑
         "n", "t", "ü", "þ"}
NO_MARKS = {"", "否", "无", "□", "—", "-", "/", "N", "n/a", "0"}  # 1 / 0 as Excel users type them
SAME_AS_ABOVE = re.compile(r'^["“”\'‘’]*同上[。.]?["“”\'‘’]*$')
FOOTNOTE = re.compile(r"^(注|说明|备注|附注)\s*[0-9一二三四五六七八九十]*\s*[:：、.]")
SPLIT = re.compile(r"[、，,/／;；\n\r\t ]+")

#: tiers that publish an item (公开层级), from the top down
TIERS = ("province", "city", "county", "township", "village")
TIER_NAMES = {"province": "省级", "city": "市级", "county": "县级", "township": "乡级", "village": "村级"}
_TIER_WORDS = (
    (re.compile(r"省"), "province"),
    (re.compile(r"市|州|盟"), "city"),
    (re.compile(r"县|区|旗"), "county"),
    (re.compile(r"乡|镇|街道|苏木"), "township"),
    (re.compile(r"村|社区|居委|嘎查"), "village"),
)
AUDIENCE_WORDS = {"全社会": "audience_public", "社会公众": "audience_public", "公众": "audience_public",
                  "特定群体": "audience_specific", "特定群众": "audience_specific",
                  "特定对象": "audience_specific", "特定人群": "audience_specific"}
METHOD_WORDS = {"主动": "method_active", "主动公开": "method_active",
                "依申请": "method_on_request", "依申请公开": "method_on_request"}
STAGE_WORDS = {"决策": "decision", "执行": "execution", "管理": "management", "服务": "service", "结果": "result"}

# header text (normalised) → field; the first pattern that matches wins.  ``*_mark`` fields are
# sub-columns holding a mark; the others hold text.
HEADERS: tuple[tuple[str, str], ...] = (
    (r"^(序号|编号|序列号|No\.?)$", "seq"),
    (r"领域", "domain"),
    (r"^类别$|事项类别|^类型$", "category"),
    (r"一级事项|一级目录", "level1"),
    (r"二级事项|二级目录", "level2"),
    (r"三级事项|三级目录", "level3"),
    (r"^(公开)?事项(名称)?$|^公开事项名称$|^事项$", "level1"),
    (r"公开内容|内容", "content"),
    (r"依据", "basis"),
    (r"时长", "duration"),
    (r"时限", "time_limit"),
    (r"主体", "subject"),
    (r"责任科室|责任股室|科室|股室|责任单位|责任部门", "department"),
    (r"渠道|载体", "channels"),
    (r"^(全社会|社会公众)$", "audience_public"),
    (r"^特定(群体|群众|对象|人群)$", "audience_specific"),
    (r"^主动(公开)?$", "method_active"),
    (r"^依申请(公开)?$", "method_on_request"),
    (r"公开对象|^对象$", "audience"),
    (r"公开方式|^方式$", "method"),
    (r"公开层级|^层级$", "levels"),
    (r"五公开|公开类别|公开环节", "stages"),
    (r"^所属单位$", "unit"),  # an export of several units: each row's unit (catalog_io.UNIT_HEADER)
)
#: what the accepted headers look like, for the message about a column that matches none
ACCEPTED = ("序号", "领域", "类别", "一级事项", "二级事项", "三级事项", "事项名称", "公开内容（要素）", "公开依据",
            "公开时限/时限要求", "公开主体/责任主体/公开责任主体", "责任科室/责任单位", "公开渠道和载体",
            "公开对象（全社会、特定群体/特定群众/特定对象）", "公开方式（主动/主动公开、依申请/依申请公开）",
            "公开层级（县级、区级、市级、乡级、镇级、乡镇级、街道、乡、村级、镇、村级、村级 …）", "五公开", "公开时长",
            "备注/说明（不导入 not imported）", "所属单位（须是导入的单位 the unit imported into）")
#: the header a person would write for each field, for messages about a missing column
FIELD_HEADERS = {"level1": "一级事项/事项名称", "content": "公开内容（要素）", "basis": "公开依据",
                 "time_limit": "公开时限/时限要求", "subject": "公开主体/责任主体", "channels": "公开渠道和载体",
                 "method_active": "公开方式（主动、依申请）", "audience_public": "公开对象（全社会、特定群体）",
                 "category": "类别", "department": "责任科室"}
#: a text column that carries the same element as a group of mark columns
TEXT_ALTERNATIVES = {"method_active": "method", "method_on_request": "method", "audience_public": "audience",
                     "audience_specific": "audience"}
#: headed columns that are known and deliberately not imported
IGNORED = re.compile(r"^(备注|说明|附注|联系电话|联系方式|咨询电话|监督电话|公开状态|更新时间)")
_LEVEL_HEADER = re.compile(r"^(省|市|州|县|区|旗|乡|镇|街道|村|社区)[、，,/和及]?(乡|镇|村|社区|街道)?[级]?$|"
                           r"^(省级|市级|县级|区级|县区级|县（区）级|乡级|镇级|乡镇级|乡镇（街道）|乡镇街道|街道级|村级|"
                           r"乡、村级|镇、村级|村（社区）级?|村（居）级?)$")
PARENTS = re.compile(r"公开事项|事项名称|公开对象|公开方式|公开层级|^对象$|^方式$|^层级$|公开渠道")


class CatalogFileError(ValueError):
    """The file cannot be read as a catalog at all (type, size, encoding, layout).  Said in both
    languages (the command line); ``words`` (msgid and values), when given, say it in one (the API
    gives it in the request's language, as ``export.ExportError``'s)."""

    def __init__(self, message: str, words: tuple[str, dict[str, Any]] | None = None):
        super().__init__(message)
        self.words = words


@lru_cache(maxsize=200_000, typed=True)  # catalogs repeat the same cells row after row
def norm(value: Any) -> str:
    """Cell text: NFKC (full-width → half-width), Traditional → Simplified, no stray spaces."""
    if value is None:
        return ""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"  # as the spreadsheet shows a boolean cell
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # python-calamine gives whole numbers as floats
    return _norm_text(str(value))


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str] | None:
    """The characters Traditional → Simplified changes: a cell with none of them is left to
    itself, without a call into OpenCC (most cells of a Simplified catalog: reading them does not
    load OpenCC).  Read from :data:`TRADITIONAL_FILE` when it was written
    for the installed OpenCC, else found by converting every CJK character
    (:func:`_traditional_computed`).  None if the conversion is not character for character."""
    cached = _traditional_cached()
    return cached if cached is not None else _traditional_computed()


#: the characters of :func:`_traditional_computed` for one OpenCC release (first line: ``opencc
#: VERSION t2s COUNT SHA256``, :func:`_traditional_header`; second: the characters), shipped so
#: that an import does not convert 28,000 characters (10 ms) before its first cell;
#: ``python -m zwgk.catalog_readers --write-traditional`` writes it again for the installed
#: OpenCC, and a test compares it with the computed set
TRADITIONAL_FILE = Path(__file__).with_name("data") / "opencc_t2s_changes.txt"


def _opencc_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("opencc")
    except PackageNotFoundError:
        return None


def _traditional_cached() -> frozenset[str] | None:
    """The shipped set, when its first line names the installed OpenCC and the characters are the
    ones written (their count and digest: a file cut short or edited is not trusted); else None."""
    try:
        head, chars = TRADITIONAL_FILE.read_text(encoding="utf-8").split("\n")[:2]
    except (OSError, ValueError):
        return None
    installed = _opencc_version()
    if installed is None or not chars or head != _traditional_header(installed, chars):
        return None
    return frozenset(chars)


def _traditional_header(version: str, chars: str) -> str:
    """``opencc VERSION t2s COUNT SHA256`` (the first 16 hex digits of the characters' digest)."""
    digest = hashlib.sha256(chars.encode("utf-8")).hexdigest()[:16]
    return f"opencc {version} t2s {len(chars)} {digest}"


def _traditional_computed() -> frozenset[str] | None:
    """Every CJK character converted once: the ones OpenCC's t2s changes."""
    chars = [chr(c) for c in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00))]
    out = _t2s().convert("\n".join(chars)).split("\n")  # one segment per character: fast, no phrases
    if len(out) != len(chars):
        return None
    return frozenset(a for a, b in zip(chars, out) if a != b)


def write_traditional_file(path: Path = TRADITIONAL_FILE) -> None:
    """Write :data:`TRADITIONAL_FILE` for the installed OpenCC (after upgrading it)."""
    changes = _traditional_computed()
    if changes is None:
        raise SystemExit("OpenCC's t2s does not convert character for character: nothing written")
    path.parent.mkdir(parents=True, exist_ok=True)
    chars = "".join(sorted(changes))
    path.write_text(f"{_traditional_header(str(_opencc_version()), chars)}\n{chars}\n", encoding="utf-8")


@lru_cache(maxsize=1)
def _traditional_search() -> Callable[[str], Any] | None:
    """``search(text)``: a match when ``text`` holds a character of :func:`_traditional`, else None
    — the same answer as ``not changes.isdisjoint(text)``, as one regular expression (a character
    class of ranges) that does not make a string object per character.  None as there."""
    changes = _traditional()
    if changes is None:
        return None
    codes, ranges = sorted(map(ord, changes)), []
    for c in codes:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    # a character beyond ASCII has no meaning in a class (brackets, backslash, ^ and - are ASCII): written as it is
    def lit(code: int) -> str:
        return chr(code) if code > 0x7F else re.escape(chr(code))

    return re.compile("[" + "".join(lit(a) if a == b else f"{lit(a)}-{lit(b)}" for a, b in ranges) + "]").search


def _simplified(text: str) -> str:
    search = _traditional_search()
    if search is not None and search(text) is None:
        return text
    return _t2s().convert(text)


@lru_cache(maxsize=200_000)
def _norm_text(value: str) -> str:
    # ASCII is already NFKC and has nothing to convert; NFKC turns U+3000 into a plain space
    text = value.strip() if value.isascii() else _simplified(unicodedata.normalize("NFKC", value).strip())
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    text = text.strip()
    if text[:1] == "'" and text[1:2] and text[1] in _FORMULA_START:
        text = text[1:]  # the quote our export puts before a cell a spreadsheet would run
    return text


_SPACES = re.compile(r"[ \t]+")


# --------------------------------------------------------------------------
# Files → sheets
# --------------------------------------------------------------------------


class Rows:
    """A sheet's rows read lazily, as often as asked (each ``iter()`` starts again at the top):
    the importer never holds a whole sheet.  ``estimate``: how many rows there are, as far as it is
    known before reading (a workbook knows; a CSV file's line count), for progress."""

    estimate: int = 0

    def __iter__(self) -> Iterator[list[Any]]:
        raise NotImplementedError

    def __len__(self) -> int:  # read to the end: for tests and limits, not the import
        return sum(1 for _ in self)

    def __bool__(self) -> bool:  # not by reading to the end
        return True


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]] | Rows
    title: str = ""  # text near the table (a docx paragraph, an HTML heading or caption)
    records: bool = False  # JSON: each row is one record (a dict), not a table row


SUFFIXES = {".xlsx": "xlsx", ".xls": "xls", ".csv": "csv", ".json": "json", ".docx": "docx", ".html": "html",
            ".htm": "html"}


def _looks(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith((b"[", b"{")):
        return "json"
    if stripped[:1] == b"<":
        return "html"
    if any(b < 9 or 13 < b < 32 and b != 27 for b in head) and not _decodes(head):
        return "binary"  # control bytes and no text encoding: a stray NUL in a text file is the row's problem
    return "text"


def _decodes(head: bytes) -> bool:
    """The first bytes read as UTF-8 or GB18030 (the last character may be cut off)."""
    for encoding in ("utf-8-sig", "gb18030"):
        for cut in range(4):
            try:
                head[:len(head) - cut].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


#: what a file's content looks like, in words (Chinese first), when it is not what its name says
LOOKS = {"zip": "看起来是压缩包（Excel 工作簿或 Word 文档）looks like a zip (an .xlsx workbook or .docx document)",
         "ole": "看起来是旧版 Office 文件（.xls 或 .doc）looks like an old Office file (.xls or .doc)",
         "json": "看起来是 JSON looks like JSON",
         "html": "看起来是网页（HTML）looks like HTML",
         "text": "看起来是文本（CSV）looks like text (CSV)",
         "binary": "无法识别的二进制内容，不是表格文件 unrecognised binary content, not a catalog file"}


def _kind(path: Path, head: bytes) -> str:
    expected = SUFFIXES.get(path.suffix.lower())
    if expected is None:
        raise CatalogFileError(f"{path.name}: 只接受 .xlsx、.xls、.csv、.json、.docx、.html "
                               "only .xlsx, .xls, .csv, .json, .docx and .html are accepted")
    looks = _looks(head)
    fits = {"xlsx": ("zip",), "docx": ("zip",), "xls": ("ole",), "json": ("json",), "html": ("html", "text"),
            "csv": ("text", "html", "json")}[expected]
    if looks not in fits:
        raise CatalogFileError(f"{path.name}: 文件内容不是 {path.suffix}，{LOOKS[looks]} "
                               "the file is not what its name says")
    return expected


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) if it is that, else GB18030 (a superset of GBK and GB2312)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise CatalogFileError(f"{name}: 无法识别文字编码（应为 UTF-8 或 GB18030/GBK）cannot decode the text as "
                               f"UTF-8 or GB18030 (byte {exc.start})") from exc


def read_sheets(path: Path, scans: dict[str, Any] | None = None) -> list[Sheet]:
    """The sheets (tables) of a catalog file, refusing what is too big or not what its name says.
    ``scans``: given, it receives ``formulas`` for an .xlsx — :func:`formula_cells`, found in the same
    pass over the parts as the DTD check (each part is decompressed once for both)."""
    max_bytes, max_unzipped, max_rows = import_limits()
    size = path.stat().st_size
    if size > max_bytes:
        raise CatalogFileError(f"{path.name}: 文件过大 file too large ({size} bytes > {max_bytes})")
    if size == 0:
        raise CatalogFileError(f"{path.name}: 文件为空 the file is empty")
    with path.open("rb") as f:
        head = f.read(512)
    kind = _kind(path, head)
    if kind in ("xlsx", "docx"):
        formulas = _check_zip(path, max_unzipped, formulas=scans is not None and kind == "xlsx"
                              and path.suffix.lower() == ".xlsx")
        if formulas is not None and scans is not None:
            scans["formulas"] = formulas
    reader = {"xlsx": _read_workbook, "xls": _read_workbook, "csv": _read_csv, "json": _read_json,
              "docx": _read_docx, "html": _read_html}[kind]
    sheets = reader(path)
    for sheet in sheets:
        # a workbook knows its height; a CSV file has no more rows than line ends: counted only near the limit
        rows = sheet.rows
        if isinstance(rows, (_CsvRows, _JsonRows)):
            count = len(rows) if rows.most > max_rows else 0
        else:
            count = rows.estimate if isinstance(rows, Rows) else len(rows)
        if count > max_rows:
            raise CatalogFileError(f"{path.name} [{sheet.name}]: 行数过多 too many rows ({count} > {max_rows})")
    return sheets


def _check_zip(path: Path, max_unzipped: int = MAX_UNZIPPED_BYTES,
               formulas: bool = False) -> list[tuple[str, str]] | None:
    """Refuse a zip too big unpacked, holding two parts of one name, or with a part that declares a
    DTD; ``formulas``: also return the formula cells (:func:`formula_cells`), found in the same
    pass (else None)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as exc:
        raise CatalogFileError(f"{path.name}: 不是有效的 {path.suffix} not a valid {path.suffix} ({exc})") from exc
    unzipped = sum(i.file_size for i in infos)
    seen: dict[str, str] = {}
    for info in infos:
        # which of two parts of one name a reader takes (the first, the last) is its own business;
        # Office (OPC) part names are the same whatever the case of their letters
        name, key = info.filename, info.filename.lower()
        if key not in seen:
            seen[key] = name
        else:
            first = seen[key]
            both = first if first == name else f"{first}, {name}"
            raise CatalogFileError(f"{path.name}: 含有两个同名的部分（{both}），不被接受（读取哪一个不确定）"
                                   f"two parts of the same name ({both}): refused (which one is read is ambiguous)")
    if unzipped > max_unzipped:
        raise CatalogFileError(f"{path.name}: 解压后过大（疑似压缩炸弹）uncompressed size {unzipped} bytes "
                               f"exceeds {max_unzipped}")
    try:
        part, found = scan_parts(path, formulas=formulas)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error) as exc:
        # zipfile's words for a CRC error, an encrypted part, a compression it does not know
        raise CatalogFileError(f"{path.name}: 无法读取其中的部分（损坏、加密或不支持的压缩方式）cannot read a part "
                               f"(damaged, encrypted or an unsupported compression: {exc})") from exc
    if part:
        raise CatalogFileError(f"{path.name}: 文件含有 DTD（{part}），不被接受（XML 实体扩展风险）"
                               "a part declares a DTD: refused (entity expansion)")
    return found


def part_with_dtd(path: Path, block: int = 1 << 20) -> str | None:
    """The first part of an Office file that declares a DTD, if any.  Office programs never write
    one; a DTD is how entity expansion (billion laughs) and external entities get in, so such a
    file is refused before any parser sees it.  Every part is scanned, whatever its name."""
    return scan_parts(path, block)[0]


def scan_parts(path: Path, block: int = 1 << 20,
               formulas: bool = False) -> tuple[str | None, list[tuple[str, str]] | None]:
    """(:func:`part_with_dtd`, :func:`formula_cells` or None) in one pass: every part decompressed
    once, its blocks looked at for both.  The formulas are None unless asked for, and when a part
    declares a DTD (the file is refused; nothing of it is parsed).  A zip holding two parts of the
    same name is scanned the two ways apart (which of them a name opens is zipfile's business)."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        if formulas and len(set(names)) != len(names):
            part = scan_parts(path, block)[0]
            return part, None if part else formula_cells(path, block)
        order = _formula_parts(z) if formulas else []
        wanted = set(order)
        cells: dict[str, list[tuple[str, str]]] = {}
        for info in infos:
            look = info.filename in wanted
            with z.open(info) as f:
                tail, carry, found = b"", b"", []
                sheet = info.filename.rsplit("/", 1)[-1]
                while True:
                    more = f.read(block)
                    if more:
                        # XML spells it in capitals only; one spanning two blocks starts in ``tail``
                        if b"<!DOCTYPE" in more or b"<!DOCTYPE" in tail + more[:8]:
                            return info.filename, None
                        tail = more[-9:]
                    if look:
                        carry = _formulas_in(carry, more, sheet, found)
                    if not more:
                        break
                if look:
                    cells[info.filename] = found
    if not formulas:
        return None, None
    return None, [cell for name in order for cell in cells.get(name, ())]


#: an .xlsx sheet whose XML is larger than this is read in pieces (:class:`_PiecewiseRows`)
PIECES_ABOVE = 128 << 20
#: the size of each piece of sheet XML handed to python-calamine
PIECE_BYTES = 2 << 20


def _read_workbook(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        try:
            str(path).encode("utf-8")
            wb = CalamineWorkbook.from_path(str(path))
        except UnicodeEncodeError:  # a name that is not UTF-8: calamine cannot open it by its name
            with path.open("rb") as f:
                wb = CalamineWorkbook.from_filelike(f)
        big = _big_sheet_parts(path) if path.suffix.lower() == ".xlsx" else {}
        sheets = []
        for name in wb.sheet_names:
            piecewise = _PiecewiseRows.open(path, *big[name]) if name in big else None
            sheets.append(Sheet(name, piecewise if piecewise is not None else _WorkbookRows(wb.get_sheet_by_name(name))))
    except CatalogFileError:
        raise
    except Exception as exc:  # calamine raises its own error types
        raise CatalogFileError(f"{path.name}: 无法读取 cannot read the workbook ({exc})") from exc
    return sheets


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _big_sheet_parts(path: Path) -> dict[str, tuple[str, str | None, str | None, bool]]:
    """Sheet name → (its XML part, the shared strings part, the styles part, 1904 dates) for the
    sheets over :data:`PIECES_ABOVE` bytes of XML (the DTD check has already run)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        sizes = {i.filename: i.file_size for i in z.infolist()}
        if not any(size > PIECES_ABOVE for size in sizes.values()) or "xl/workbook.xml" not in names:
            return {}
        from lxml import etree  # only for a sheet that big (5 ms of start-up otherwise)

        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        book = etree.fromstring(z.read("xl/workbook.xml"), parser)
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"), parser) \
            if "xl/_rels/workbook.xml.rels" in names else None
    targets, shared, styles = {}, None, None
    for rel in (rels.iter(f"{_NS_PKG}Relationship") if rels is not None else ()):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        kind = rel.get("Type", "")
        targets[rel.get("Id")] = part
        if kind.endswith("/sharedStrings"):
            shared = part
        elif kind.endswith("/styles"):
            styles = part
    pr = book.find(f"{_NS_MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    out = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_NS_REL}id"))
        if part in sizes and sizes[part] > PIECES_ABOVE:
            out[sheet.get("name")] = (part, shared if shared in names else None,
                                      styles if styles in names else None, date1904)
    return out


class _PiecewiseRows(Rows):
    """A large .xlsx sheet read by python-calamine a piece at a time.

    python-calamine reads a whole sheet into memory before giving its first row (its row iterator
    walks the sheet already read: python-calamine issue #42), about 0.9 MB per 1,000 catalog rows.
    Here the sheet's XML is cut at row boundaries into pieces of :data:`PIECE_BYTES`; each piece
    becomes a small workbook of its own (the sheet's own head, the workbook's styles and 1904
    setting, shared strings written into the cells) that python-calamine reads as usual, so
    every cell is typed exactly as python-calamine types it.  Row numbers stay those of the
    sheet; its merged ranges (read from the end of the XML first) are applied as the rows go by.
    Memory: one piece, and the workbook's table of shared strings (as python-calamine holds it)."""

    def __init__(self, path: Path, part: str, shared: str | None, styles: str | None, date1904: bool):
        self.path, self.part, self.shared_part, self.date1904 = path, part, shared, date1904
        with zipfile.ZipFile(path) as z:
            self.styles = z.read(styles) if styles else None
        self.head, self.estimate, ranges = self._scan()
        self.ranges = sorted((r0, n, c0, r1, c1) for n, ((r0, c0), (r1, c1)) in enumerate(ranges)
                             if (r1 - r0 + 1) * (c1 - c0 + 1) <= 100_000)
        self.shared: list[bytes] | None = None

    @classmethod
    def open(cls, path: Path, part: str, shared: str | None, styles: str | None,
             date1904: bool) -> _PiecewiseRows | None:
        """None when the sheet's XML is not in the plain form this reads (then the whole sheet)."""
        rows = cls(path, part, shared, styles, date1904)
        return rows if rows.head is not None else None

    _ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
    _MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')

    def _blocks(self) -> Iterator[bytes]:
        with zipfile.ZipFile(self.path) as z, z.open(self.part) as f:
            while block := f.read(PIECE_BYTES):
                yield block

    def _scan(self) -> tuple[bytes | None, int, list[tuple[tuple[int, int], tuple[int, int]]]]:
        """(the XML before ``<sheetData>``, the last row number, the merged ranges): one pass.
        No head (None) when the XML is not in the plain form read here: a prefixed namespace, or
        rows without their numbers."""
        head: bytes | None = None
        tail: bytes | None = None
        carry, last = b"", 0
        for block in self._blocks():
            data = carry + block
            carry = b""
            if tail is not None:
                tail += data
                continue
            if head is None:
                at = data.find(b"<sheetData")
                if at < 0:
                    if len(data) > 4 * PIECE_BYTES:
                        return None, 0, []
                    carry = data
                    continue
                head, data = data[:at], data[at:]
                first = data[:data.rfind(b"</row>", 0, 1 << 16) + 1]
                if first.count(b"<row") != len(self._ROW_NUMBER.findall(first)):
                    return None, 0, []  # rows numbered by their order only
            end = data.find(b"</sheetData>")
            if end < 0 and data.startswith(b"<sheetData/>"):
                end = 0
            body = data if end < 0 else data[:end]
            if end >= 0:
                tail = data[end:]
            at = body.rfind(b"<row")
            while at >= 0:
                m = self._ROW_NUMBER.match(body, at)
                if m:
                    last = max(last, int(m.group(1)))
                    break
                at = body.rfind(b"<row", 0, at)
            if tail is None:
                carry = body[-64:]  # "</sheetData>" may be cut between two blocks
        if head is None or re.search(rb"<\w+:worksheet\b", head):
            return None, 0, []
        ranges = []
        for m in self._MERGE.finditer(tail or b""):
            c0, r0, c1, r1 = _column(m.group(1)), int(m.group(2)) - 1, m.group(3), m.group(4)
            ranges.append(((r0, c0), (int(r1) - 1 if r1 else r0, _column(c1) if c1 else c0)))
        head = re.sub(rb"<dimension\b[^>]*/>", b"", head)
        return head, last, ranges

    def _strings(self) -> list[bytes]:
        """Each shared string's XML (what goes inside ``<si>``), to write into the cells."""
        if self.shared is None:
            self.shared = []
            if self.shared_part:
                with zipfile.ZipFile(self.path) as z:
                    data = z.read(self.shared_part)
                self.shared = [m.group(1) or b"" for m in re.finditer(rb"<si>(.*?)</si>|<si/>", data, re.S)]
        return self.shared

    _SHARED_CELL = re.compile(rb'<c\b([^>]*?)\st="s"([^>]*?)>\s*<v>(\d+)</v>\s*</c>')

    def _pieces(self) -> Iterator[bytes]:
        """The rows of the sheet's XML, cut after a ``</row>``, about :data:`PIECE_BYTES` each."""
        started, carry = False, b""
        for block in self._blocks():
            data = carry + block
            if not started:
                at = data.find(b"<sheetData")
                if at < 0:
                    carry = data
                    continue
                at = data.find(b">", at)
                if data[at - 1:at] == b"/":
                    return  # <sheetData/>
                data, started = data[at + 1:], True
            end = data.find(b"</sheetData>")
            if end >= 0:
                yield data[:end]
                return
            cut = data.rfind(b"</row>")
            if cut < 0:
                carry = data
                continue
            yield data[:cut + 6]
            carry = data[cut + 6:]
        if carry.strip():
            yield carry

    def _workbook(self, rows: bytes) -> bytes:
        if b't="s"' in rows and self.shared_part:
            strings = self._strings()
            rows = self._SHARED_CELL.sub(
                lambda m: b"<c" + m.group(1) + b' t="inlineStr"' + m.group(2) + b"><is>" +
                (strings[int(m.group(3))] if int(m.group(3)) < len(strings) else b"") + b"</is></c>", rows)
        main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("[Content_Types].xml", b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                       b'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
                       b'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                       b'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
                       b'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
                       b'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                       b'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
                       b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                       b'</Types>')
            z.writestr("_rels/.rels", b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                       b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="' + rel +
                       b'/officeDocument" Target="xl/workbook.xml"/></Relationships>')
            z.writestr("xl/workbook.xml", b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="' + main +
                       b'" xmlns:r="' + rel + b'"><workbookPr date1904="' + (b"1" if self.date1904 else b"0") +
                       b'"/><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
            z.writestr("xl/_rels/workbook.xml.rels", b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
                       b'"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                       b'Type="' + rel + b'/worksheet" Target="worksheets/sheet1.xml"/>' +
                       (b'<Relationship Id="rId2" Type="' + rel + b'/styles" Target="styles.xml"/>'
                        if self.styles else b"") + b"</Relationships>")
            if self.styles:
                z.writestr("xl/styles.xml", self.styles)
            z.writestr("xl/worksheets/sheet1.xml", self.head + b"<sheetData>" + rows + b"</sheetData></worksheet>")
        return buf.getvalue()

    def __iter__(self) -> Iterator[list[Any]]:
        from python_calamine import CalamineWorkbook

        ranges, nxt = self.ranges, 0
        active: list[list[Any]] = []
        r = 0  # the next row to give
        for piece in self._pieces():
            try:
                ws = CalamineWorkbook.from_filelike(io.BytesIO(self._workbook(piece))).get_sheet_by_index(0)
                start = ws.start
                rows = ws.to_python() if start else []
            except Exception as exc:  # calamine raises its own error types
                raise CatalogFileError(f"{self.path.name}: 无法读取 cannot read the workbook ({exc})") from exc
            if not start:
                continue
            pad = [""] * start[1]
            width = start[1] + (len(rows[0]) if rows else 0)
            for i, row in enumerate(rows, start[0]):
                while r < i:  # rows without a cell between pieces: blank as python-calamine gives them
                    blank: list[Any] = [""] * width
                    if nxt < len(ranges) or active:
                        nxt = _merge_row(blank, r, ranges, nxt, active)
                    yield blank
                    r += 1
                if pad:
                    row = pad + row
                if nxt < len(ranges) or active:
                    nxt = _merge_row(row, r, ranges, nxt, active)
                yield row
                r += 1
        yield from _merged_below(r, ranges, nxt, active)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


class _WorkbookRows(Rows):
    """A worksheet's rows from python-calamine's row iterator, merged ranges applied as the rows go
    by (:func:`_expand_merges` row by row).  python-calamine holds the sheet's cells (its Rust
    ``Range``) from the start; only the Python rows are made one at a time.  Rows count from the
    sheet's first row, columns from its first column, as ``to_python(skip_empty_area=False)``."""

    def __init__(self, ws: Any):
        self.ws = ws
        end = ws.end
        self.estimate = end[0] + 1 if end else 0
        self.ranges = sorted(((r0, n, c0, r1, c1) for n, ((r0, c0), (r1, c1)) in enumerate(ws.merged_cell_ranges or ())
                              if (r1 - r0 + 1) * (c1 - c0 + 1) <= 100_000))  # a merge over an area: decoration

    def __iter__(self) -> Iterator[list[Any]]:
        start = self.ws.start
        pad = [""] * (start[1] if start else 0)
        ranges, nxt = self.ranges, 0
        active: list[list[Any]] = []  # [n, r0, c0, r1, c1, value], in the order the ranges were given
        rows = self.ws.iter_rows() if start else iter(())
        r = -1
        for r, row in enumerate(rows):
            if pad:
                row = pad + row
            if nxt < len(ranges) or active:
                nxt = _merge_row(row, r, ranges, nxt, active)
            yield row
        yield from _merged_below(r + 1, ranges, nxt, active)


def _merged_below(r: int, ranges: list[tuple[int, int, int, int, int]], nxt: int,
                  active: list[list[Any]]) -> Iterator[list[Any]]:
    """The rows from ``r`` on, below the last row with cells, that merged ranges still cover."""
    while nxt < len(ranges) or active:
        row: list[Any] = []
        nxt = _merge_row(row, r, ranges, nxt, active)
        yield row
        r += 1


def _merge_row(row: list[Any], r: int, ranges: list[tuple[int, int, int, int, int]], nxt: int,
               active: list[list[Any]]) -> int:
    """Apply the merged ranges covering row ``r`` to it, in the order the workbook lists them (as
    :func:`_expand_merges` does: the top-left cell's value everywhere in the range, taken when
    the range's first row comes); returns the next range not yet begun."""
    if nxt < len(ranges) and ranges[nxt][0] <= r:
        while nxt < len(ranges) and ranges[nxt][0] <= r:
            r0, n, c0, r1, c1 = ranges[nxt]
            active.append([n, r0, c0, r1, c1, None])
            nxt += 1
        active.sort(key=lambda rng: rng[0])
    for rng in active:
        _, r0, c0, r1, c1, value = rng
        if r0 == r:
            rng[5] = value = row[c0] if c0 < len(row) else None
        if len(row) <= c1:
            row.extend([""] * (c1 + 1 - len(row)))
        if c0 == c1:  # one column (a merged 一级事项 down the rows): no slice
            row[c0] = value
        else:
            row[c0:c1 + 1] = [value] * (c1 - c0 + 1)
    for rng in active:
        if rng[3] <= r:  # a range ends on this row: keep the others (rarely more than a few)
            active[:] = [rng for rng in active if rng[3] > r]
            break
    return nxt


def _expand_merges(rows: list[list[Any]], ranges: Any) -> None:
    """Give every cell of a merged range the value of its top-left cell, as a reader sees it."""
    for (r0, c0), (r1, c1) in ranges:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 100_000:
            continue  # a merge over a whole area is decoration, not a table cell
        while len(rows) <= r1:
            rows.append([])
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0, r1 + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


def _read_csv(path: Path) -> list[Sheet]:
    return [Sheet(path.stem, _CsvRows(path))]


def _scan_utf8(path: Path, size: int, each: Callable[[bytes], None]) -> bool:
    """Read ``path`` a block of ``size`` bytes at a time, handing every block to ``each`` (which
    counts what it needs); True when the whole file is UTF-8 (a BOM allowed), else False."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    utf8 = True
    with path.open("rb") as f:
        while block := f.read(size):
            each(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", True)
        except UnicodeDecodeError:
            utf8 = False
    return utf8


class _CsvRows(Rows):
    """A CSV file's rows, decoded as they are read.  The encoding is decided as
    :func:`decode_text` decides it (the whole file is UTF-8, else GB18030): one pass over the
    bytes in blocks checks UTF-8 and counts the lines; a GB18030 file that turns out not to be
    one is refused where the bad byte is met, with :func:`decode_text`'s message."""

    BLOCK = 1 << 20

    def __init__(self, path: Path):
        self.path = path
        lf = cr = crlf = 0
        last = b""

        def count(block: bytes) -> None:
            nonlocal lf, cr, crlf, last
            lf += block.count(b"\n")
            cr += block.count(b"\r")
            crlf += block.count(b"\r\n") + (last == b"\r" and block[:1] == b"\n")  # one across blocks too
            last = block[-1:]

        utf8 = _scan_utf8(path, self.BLOCK, count)
        self.encoding = "utf-8-sig" if utf8 else "gb18030"
        self.estimate = (lf or cr) + (last not in (b"\n", b"\r", b""))
        # no more rows than lines, whatever the quoting: a line ends at \n, \r\n or a lone \r (a
        # file written by Excel or the csv module ends each row with \r\n: counted once, not twice)
        self.most = lf + cr - crlf + 1

    def __iter__(self) -> Iterator[list[str]]:
        with self.path.open("r", encoding=self.encoding, newline="") as f:
            reader = csv.reader(f)
            try:
                yield from reader
            except csv.Error as exc:
                raise CatalogFileError(f"{self.path.name}: 第{reader.line_num}行无法读取 row {reader.line_num} cannot be "
                                       f"read (单元格超过 {MAX_CELL_CHARS} 字或引号不配对 a cell over {MAX_CELL_CHARS} "
                                       f"characters or an unclosed quote: {exc})") from exc
            except UnicodeDecodeError:
                decode_text(self.path.read_bytes(), self.path.name)  # raises, with the byte in the whole file
                raise


def _depth(text: str) -> int:
    """How deep brackets nest outside strings, without recursion (a hostile file nests 200,000 deep)."""
    depth = top = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > top:
                top = depth
                if top > MAX_JSON_DEPTH:
                    return top
        elif ch in "]}":
            depth -= 1
    return top


_NOT_QUICK, _TOO_DEEP = object(), object()


def _quick_json(text: str) -> Any:
    """``json.loads(text)`` by orjson, when its answer is certainly the same: ``_NOT_QUICK`` when
    orjson refuses the text (NaN, 1E400, a lone surrogate, invalid JSON, over its own 1,024 levels)
    or holds a float (orjson reads an integer beyond 64 bits as a float, json.loads as an int);
    ``_TOO_DEEP`` when the containers nest deeper than :data:`MAX_JSON_DEPTH` (in valid JSON that
    is the depth :func:`_depth` counts in the text).  The depth is counted on the parsed values,
    level by level, instead of character by character in Python (0.7 s for 50,000 records)."""
    import orjson

    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _NOT_QUICK
    kind = type(data)
    if kind is float:
        return _NOT_QUICK
    found = _nested(([data] if kind is list or kind is dict else []), 0)
    return data if found is None else _TOO_DEEP if found == "deep" else _NOT_QUICK


def _nested(level: list[Any], depth: int, floats: bool = False) -> str | None:
    """The containers ``level`` (at ``depth``) and everything in them, level by level: ``"deep"``
    past :data:`MAX_JSON_DEPTH`, ``"float"`` at a float (unless ``floats``), whichever a level
    meets first; None when neither."""
    while level:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            return "deep"
        below = []
        for container in level:
            for value in (container.values() if type(container) is dict else container):
                kind = type(value)
                if kind is list or kind is dict:
                    below.append(value)
                elif kind is float and not floats:
                    return "float"
        level = below
    return None


def _read_json_whole(path: Path) -> list[Any]:
    """The records of a JSON file read whole (:func:`decode_text`, then :func:`_quick_json` or
    ``json.loads``): for a file that is not a list (an object, a second BOM), whose answer is a
    refusal, and as the reference the streamed reader is tested against."""
    text = decode_text(path.read_bytes(), path.name)
    data = _quick_json(text)
    if data is _NOT_QUICK:  # what orjson refuses or may read differently: the plain way, as before
        if _depth(text) > MAX_JSON_DEPTH:
            raise CatalogFileError(f"{path.name}: JSON 嵌套过深（超过 {MAX_JSON_DEPTH} 层）JSON nested too deeply")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise CatalogFileError(f"{path.name}: 不是有效的 JSON not valid JSON ({exc})") from exc
    elif data is _TOO_DEEP:
        raise CatalogFileError(f"{path.name}: JSON 嵌套过深（超过 {MAX_JSON_DEPTH} 层）JSON nested too deeply")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise CatalogFileError(f"{path.name}: JSON 应为记录列表 expected a list of objects")
    return data


def _read_json(path: Path) -> list[Sheet]:
    return [Sheet("json", _JsonRows(path), records=True)]


#: the largest record of a JSON file (a catalog record is a few KB): what is read at once at most
MAX_JSON_RECORD_BYTES = 16 * 1024 * 1024
#: a JSON file that is not a list is read whole (for json's own message) up to this size
_JSON_WHOLE_BYTES = 64 * 1024 * 1024
_PLAIN = {str: re.compile(r'[^"\[\]{},]*'), bytes: re.compile(rb'[^"\[\]{},]*')}
_STRING_BODY = {str: re.compile(r'[^"\\]*'), bytes: re.compile(rb'[^"\\]*')}
_JSON_SPACE = {str: " \t\n\r", bytes: b" \t\n\r"}


class _Brackets:
    """:func:`_depth`'s count fed a piece at a time (text or UTF-8 bytes: no byte of a multibyte
    character is ASCII), regular expressions skipping the runs between brackets and quotes.
    ``top`` is the deepest nesting seen; ``feed(..., element=True)`` stops at the first ``,``,
    ``]`` or ``}`` outside strings at depth 0: the end of an element of the list it started in."""

    def __init__(self, kind: type) -> None:
        self.plain, self.body = _PLAIN[kind].match, _STRING_BODY[kind].match
        self.quote, self.backslash, self.comma = ('"', "\\", ",") if kind is str else (b'"', b"\\", b",")
        self.opens = ("[", "{") if kind is str else (b"[", b"{")
        self.depth = self.top = 0
        self.in_string = self.escaped = False

    def feed(self, s: Any, i: int = 0, *, limit: int = MAX_JSON_DEPTH, element: bool = False) -> int:
        """Reads ``s`` from ``i``: the index where an element ends, else -1 (read to the end, or
        stopped as soon as ``top`` passed ``limit``)."""
        n = len(s)
        while i < n:
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                    i += 1
                    continue
                i = self.body(s, i).end()
                if i >= n:
                    break
                if s[i:i + 1] == self.backslash:
                    self.escaped = True
                else:
                    self.in_string = False
                i += 1
                continue
            i = self.plain(s, i).end()
            if i >= n:
                break
            c = s[i:i + 1]
            if c == self.quote:
                self.in_string = True
            elif c in self.opens:
                self.depth += 1
                if self.depth > self.top:
                    self.top = self.depth
                    if self.top > limit:
                        return -1
            elif element and self.depth == 0:
                return i
            elif c != self.comma:
                self.depth -= 1
            i += 1
        return -1


class _JsonRows(Rows):
    """A JSON file's records (``[record]`` rows), read a block at a time: memory holds a block
    and the records parsed from it, never the file.  The answer is exactly the whole-file
    reading's (:func:`_read_json_whole`: the same records; the same refusal, the record it was
    met at added), only a refusal may come after some records were given.

    The encoding is decided first, as :func:`decode_text` decides it (one pass over the bytes).
    Then, while reading: a piece from the start of a record to the last ``}`` of the block is
    parsed by orjson as ``[`` + piece + ``]``.  That succeeds only if the ``}`` closes a record of
    the list outside any string (JSON is read left to right: the piece reads as it does in the
    file), and its records are then json.loads's when :func:`_quick_json`'s walk says so (no
    float, not too deep, all objects).  A piece orjson refuses or reads with a float (NaN, a
    big number, a lone surrogate) is given to ``json.loads`` whole, which succeeds only on a
    record's end too.  Anything else (a cut inside a string or a record, a syntax error, a record
    too deep) is read record by record: :class:`_Brackets` finds where the record ends,
    ``json.loads`` reads it in the list's own context (``[0,`` + record + what follows it), so
    its message and position are the whole file's.  Each byte is parsed at most three times
    (orjson, json.loads, then record by record): linear, whatever the file."""

    BLOCK = 1 << 22

    def __init__(self, path: Path) -> None:
        self.path = path
        braces = 0

        def count(block: bytes) -> None:
            nonlocal braces
            braces += block.count(b"{")

        utf8 = _scan_utf8(path, self.BLOCK, count)
        if not utf8:
            decoder = codecs.getincrementaldecoder("gb18030")()
            try:
                with path.open("rb") as f:
                    while block := f.read(self.BLOCK):
                        decoder.decode(block)
                decoder.decode(b"", True)
            except UnicodeDecodeError:
                decode_text(path.read_bytes(), path.name)  # raises, naming the byte in the whole file
                raise
        self.kind = bytes if utf8 else str
        self.most = self.estimate = braces  # every record is an object: no more records than {
        first = next((b.lstrip(_JSON_SPACE[self.kind])[:1] for b in self._blocks()
                      if b.lstrip(_JSON_SPACE[self.kind])), "")
        if first not in ("[", b"["):  # an object, a second BOM …: refused, with json's own reason
            if path.stat().st_size <= _JSON_WHOLE_BYTES:
                _read_json_whole(path)
            self._depth_check()
            if first in ("{", b"{"):
                raise CatalogFileError(f"{path.name}: JSON 应为记录列表 expected a list of objects")
            raise CatalogFileError(f"{path.name}: 不是有效的 JSON not valid JSON (应以 [ 开始 expected [ first)")

    def _blocks(self) -> Iterator[Any]:
        """The text after a BOM, a block at a time: UTF-8 bytes, or text decoded from GB18030."""
        with self.path.open("rb") as f:
            if self.kind is bytes:
                if f.read(3) != codecs.BOM_UTF8:
                    f.seek(0)
                while block := f.read(self.BLOCK):
                    yield block
                return
            decoder = codecs.getincrementaldecoder("gb18030")()
            while block := f.read(self.BLOCK):
                if text := decoder.decode(block):
                    yield text
            if tail := decoder.decode(b"", True):
                yield tail

    def __iter__(self) -> Iterator[list[Any]]:
        for record in _JsonReading(self).records():
            yield [record]

    # refusals: the whole-file reading's message, and the record it was met at

    def _too_deep(self, n: int) -> CatalogFileError:
        return CatalogFileError(f"{self.path.name}: JSON 嵌套过深（超过 {MAX_JSON_DEPTH} 层）JSON nested too deeply"
                                f"（第{n}条记录 record {n}）")

    def _depth_check(self, n: int = 0) -> None:
        """The whole file nests too deeply (:func:`_depth`), which the whole-file reading says of
        an invalid file before anything else."""
        brackets = _Brackets(self.kind)
        for block in self._blocks():
            brackets.feed(block)
            if brackets.top > MAX_JSON_DEPTH:
                raise self._too_deep(n) if n else CatalogFileError(
                    f"{self.path.name}: JSON 嵌套过深（超过 {MAX_JSON_DEPTH} 层）JSON nested too deeply")

    def _invalid(self, msg: str, start: int, text: str, k: int, n: int) -> CatalogFileError:
        """json's ``msg`` at ``k`` characters into ``text``, which begins ``start`` units (bytes or
        characters) into the file's text: located in the whole text, as json.loads says it."""
        self._depth_check(n)
        chars = lines = after = 0  # characters and line ends before ``start``; characters since the last
        decoder = codecs.getincrementaldecoder("utf-8")() if self.kind is bytes else None
        units = 0
        for block in self._blocks():
            part = block[:start - units]
            units += len(part)
            part = decoder.decode(part) if decoder is not None else part
            chars += len(part)
            ends = part.count("\n")
            lines += ends
            after = len(part) - part.rfind("\n") - 1 if ends else after + len(part)
            if units >= start:
                break
        pos = chars + k
        if "\n" in text[:k]:
            line, column = lines + text.count("\n", 0, k) + 1, k - text.rfind("\n", 0, k)
        else:
            line, column = lines + 1, after + k + 1
        return CatalogFileError(f"{self.path.name}: 不是有效的 JSON not valid JSON ({msg}: line {line} column "
                                f"{column} (char {pos}))（第{n}条记录 record {n}）")


class _JsonReading:
    """One reading of a :class:`_JsonRows` file: a buffer of the text, and where records start.
    Positions called absolute count units (bytes or characters) from the start of the text."""

    def __init__(self, rows: _JsonRows) -> None:
        self.rows, self.kind = rows, rows.kind
        self.blocks = rows._blocks()
        self.buf = self.kind()
        self.base = 0  # absolute position of ``buf[0]``
        self.eof = False
        self.n = 0  # list elements read so far
        self.not_object = 0  # the first element that is not an object: refused once the file is read
        self.space = re.compile(b"[ \t\n\r]*" if self.kind is bytes else "[ \t\n\r]*").match

    def more(self, keep: int) -> bool:
        """Reads the next block into the buffer, dropping what lies before absolute ``keep``."""
        block = next(self.blocks, None)
        if block is None:
            self.eof = True
            return False
        self.buf = self.buf[keep - self.base:] + block
        self.base = keep
        return True

    def after(self, j: int) -> int:
        """The absolute position of the first non-space at or after absolute ``j`` (the end of
        the text if none), reading on as needed: what lies before it is dropped, so that a run
        of space never fills memory."""
        while True:
            j = self.base + self.space(self.buf, j - self.base).end()
            if j < self.base + len(self.buf) or not self.more(j):
                return j

    def records(self) -> Iterator[dict[str, Any]]:
        import orjson

        rows, kind = self.rows, self.kind
        close, comma, end = ("}", ",", "]") if kind is str else (b"}", b",", b"]")
        opening, closing = ("[", "]") if kind is str else (b"[", b"]")
        at = self.after(0) + 1  # absolute: after the list's [ (checked when the file was opened)
        first = True
        while True:
            if self.base + len(self.buf) - at < rows.BLOCK // 2 and not self.eof:
                self.more(at)
            i = at - self.base
            cut = self.buf.rfind(close, i)
            records = None
            if cut > i:
                try:
                    records = orjson.loads(opening + self.buf[i:cut + 1] + closing)
                except orjson.JSONDecodeError:
                    pass
                if records is None or not _plain_records(records):
                    # NaN, a float, a big number, a lone surrogate: json.loads reads the piece in one
                    # call; it succeeds only if the cut is a record's end too
                    piece = self.buf[i:cut + 1]
                    try:
                        records = json.loads("[" + (piece.decode("utf-8") if kind is bytes else piece) + "]")
                    except (ValueError, RecursionError):
                        records = None
                    if records is not None and not _plain_records(records, floats=True):
                        records = None
            if records is not None:
                j = self.after(self.base + cut + 1)  # what follows: , (more records) or ] (the end)
                sep = self.buf[j - self.base:j - self.base + 1]
                self.n += len(records)
                if sep != comma and sep != end:  # json.loads's complaint after a list's element
                    raise rows._invalid("Expecting ',' delimiter", j, "", 0, self.n)
                if not self.not_object:
                    yield from records
                if sep == end:
                    self._end(j + 1)
                    return
                at, first = j + 1, False
                continue
            stop_at = self.base + max(cut, i) + 1
            while True:  # record by record up to the end of the failed piece (at least one record)
                at, done, value = self._one(at, first)
                first = False
                if value is not None:
                    yield value
                if done:
                    return
                if at >= stop_at:
                    break

    def _end(self, j: int) -> None:
        """After the list's ] at absolute ``j`` - 1: only space to the end of the file."""
        j = self.after(j)
        if j < self.base + len(self.buf):
            raise self.rows._invalid("Extra data", j, "", 0, self.n)
        if self.not_object:
            n = self.not_object
            raise CatalogFileError(f"{self.rows.path.name}: JSON 应为记录列表 expected a list of objects"
                                   f"（第{n}条记录不是对象 record {n} is not an object）")

    def _one(self, start: int, first: bool) -> tuple[int, bool, dict[str, Any] | None]:
        """Reads the element at absolute ``start`` by json.loads, in the list's context: (where the
        next one starts, whether the list ended, the record if it is one to give)."""
        rows, kind = self.rows, self.kind
        n = self.n + 1
        brackets = _Brackets(kind)
        scan = start - self.base
        while True:
            stop = brackets.feed(self.buf, scan, limit=MAX_JSON_DEPTH - 1, element=True)
            if brackets.top > MAX_JSON_DEPTH - 1:  # the list is the first level
                raise rows._too_deep(n)
            if stop >= 0:
                break
            if self.base + len(self.buf) - start > MAX_JSON_RECORD_BYTES:
                raise CatalogFileError(f"{rows.path.name}: JSON 第{n}条记录超过 {MAX_JSON_RECORD_BYTES >> 20} MB "
                                       f"record {n} is larger than {MAX_JSON_RECORD_BYTES >> 20} MB")
            scan = self.base + len(self.buf)
            if not self.more(start):
                break
            scan -= self.base
        i = start - self.base
        piece = self.buf[i:stop] if stop >= 0 else self.buf[i:]
        if len(piece) > MAX_JSON_RECORD_BYTES and len(piece.strip(_JSON_SPACE[kind])) > MAX_JSON_RECORD_BYTES:
            # ended within the block read last: the check above is made only before reading another
            raise CatalogFileError(f"{rows.path.name}: JSON 第{n}条记录超过 {MAX_JSON_RECORD_BYTES >> 20} MB "
                                   f"record {n} is larger than {MAX_JSON_RECORD_BYTES >> 20} MB")
        sep = self.buf[stop:stop + 1] if stop >= 0 else piece[:0]
        if kind is bytes:
            piece, sep = piece.decode("utf-8"), sep.decode("ascii")
        prefix = "[" if first else "[0,"
        try:
            value = json.loads(prefix + piece + {",": ",0]", "]": "]", "}": "}", "": ""}[sep])
        except json.JSONDecodeError as exc:
            raise rows._invalid(exc.msg, start, piece, exc.pos - len(prefix), n) from exc
        except (ValueError, RecursionError) as exc:  # an integer of more digits than Python converts
            rows._depth_check(n)
            raise CatalogFileError(f"{rows.path.name}: 不是有效的 JSON not valid JSON ({exc})"
                                   f"（第{n}条记录 record {n}）") from exc
        record = None
        if len(value) > (0 if first else 1):
            self.n = n
            value = value[0 if first else 1]
            if not isinstance(value, dict):
                self.not_object = self.not_object or n
            elif not self.not_object:
                record = value
        following = self.base + stop + 1
        if sep == "]":
            self._end(following)
            return following, True, record
        return following, False, record


def _plain_records(records: list[Any], floats: bool = False) -> bool:
    """Records as json.loads reads them: all objects, not too deep, and (unless ``floats``: read
    by json.loads itself) no float, where orjson may read a number otherwise (:func:`_quick_json`)."""
    if any(type(record) is not dict for record in records):
        return False
    return _nested(records, 1, floats) is None

def _read_docx(path: Path) -> list[Sheet]:
    """Every table of a Word document; each table's title is the paragraph just above it."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError … on a broken package
        raise CatalogFileError(f"{path.name}: 无法读取 cannot read the document ({exc})") from exc
    sheets, title = [], ""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                title = block.text.strip()
        elif isinstance(block, Table):
            sheets.append(Sheet(f"表{len(sheets) + 1}", _docx_grid(block._tbl), title))
    return sheets


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_grid(tbl: Any) -> list[list[str]]:
    """A Word table's cells as a grid, each merged cell repeated in every grid position it covers
    (gridSpan across, vMerge down), as python-docx's ``row.cells`` gives them — read from the XML
    in one pass: ``cell.text`` costs an XPath query per paragraph, minutes for a long 附件."""
    grid: list[list[str]] = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        row: list[str] = []
        for tc in tr.iterchildren(f"{_W}tc", f"{_W}sdt"):
            if tc.tag == f"{_W}sdt":  # a content control around cells
                tcs = list(tc.iter(f"{_W}tc"))
            else:
                tcs = [tc]
            for cell in tcs:
                props = cell.find(f"{_W}tcPr")
                span, continued = 1, False
                if props is not None:
                    gs = props.find(f"{_W}gridSpan")
                    if gs is not None:
                        try:
                            span = max(1, int(gs.get(f"{_W}val", "1")))
                        except ValueError:
                            span = 1
                    vm = props.find(f"{_W}vMerge")
                    continued = vm is not None and vm.get(f"{_W}val", "continue") == "continue"
                if continued and grid:
                    above = grid[-1]
                    text = above[len(row)] if len(row) < len(above) else ""
                else:
                    text = "\n".join("".join(
                        (t.text or "") if t.tag == f"{_W}t" else "\t" if t.tag == f"{_W}tab" else "\n"
                        for t in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"))
                        for p in cell.iter(f"{_W}p"))
                row.extend([text] * span)
        grid.append(row)
    return grid


def _read_html(path: Path) -> list[Sheet]:
    """Every outermost ``<table>`` of a saved page or fragment, rowspan/colspan expanded."""
    import lxml.html

    text = decode_text(path.read_bytes(), path.name)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text) if text.strip() else None
    except Exception as exc:  # lxml's ParserError
        raise CatalogFileError(f"{path.name}: 无法解析网页 cannot parse the page ({exc})") from exc
    sheets: list[Sheet] = []
    if root is None:
        return sheets
    for table in root.iter("table"):
        if any(a.tag == "table" for a in table.iterancestors()):
            continue
        caption = table.find("caption")
        title = caption.text_content().strip() if caption is not None else _heading_before(table)
        sheets.append(Sheet(f"表{len(sheets) + 1}", _html_grid(table), title))
    return sheets


def _heading_before(table: Any) -> str:
    for el in table.itersiblings(preceding=True):
        text = el.text_content().strip() if hasattr(el, "text_content") else ""
        if text:
            return text[:200]
    return ""


def _span(cell: Any, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1") or 1), 1000))
    except ValueError:
        return 1


def _html_grid(table: Any) -> list[list[str]]:
    rows = [tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table]
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}  # (row, col) filled by a rowspan from above
    for r, tr in enumerate(rows):
        out: list[str] = []
        c = 0
        cells = [td for td in tr if td.tag in ("td", "th")]
        for td in cells:
            while (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            for br in td.iter("br"):
                br.tail = "\n" + (br.tail or "")
            text = td.text_content().strip()
            rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
            for dc in range(colspan):
                out.append(text)
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = text
            c += colspan
        while (r, c) in pending:
            out.append(pending.pop((r, c)))
            c += 1
        grid.append(out)
    return grid


# --------------------------------------------------------------------------
# The formula scan: sheets found through the workbook's relationships
# --------------------------------------------------------------------------

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c r="([A-Z]+[0-9]+)"')
_FORMULA_PROBES = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')


def sheet_parts(z: zipfile.ZipFile) -> list[str]:
    """The worksheet parts of an xlsx, as its workbook's relationships name them (any file name)."""
    names = set(z.namelist())
    rels = "xl/_rels/workbook.xml.rels"
    found = []
    if rels in names:
        for tag in _REL.findall(z.read(rels)):
            attrs = dict(_ATTR.findall(tag))
            if attrs.get(b"Type", b"").endswith(b"/worksheet") or attrs.get(b"Type", b"").endswith(b"/chartsheet"):
                target = attrs.get(b"Target", b"").decode()
                part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                found.append(str(PurePosixPath(part)))
    return found


def formula_cells(path: Path, block: int = 1 << 20) -> list[tuple[str, str]]:
    """(part, cell) of every formula in an xlsx: a catalog holds text, not formulas.

    The sheet parts are found through the workbook's relationships and every other XML part is
    scanned as well, so a sheet renamed (``Sheet1.xml``, ``data.xml``) is no way around it.
    Parts are streamed in blocks cut at a cell's start, so memory stays flat."""
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as z:
        for name in _formula_parts(z):
            sheet = name.rsplit("/", 1)[-1]
            with z.open(name) as f:
                carry = b""
                while True:
                    more = f.read(block)
                    carry = _formulas_in(carry, more, sheet, found)
                    if not more:
                        break
    return found


def _formula_parts(z: zipfile.ZipFile) -> list[str]:
    """The parts :func:`formula_cells` looks at, in its order: the sheets, then every other XML part."""
    names = sheet_parts(z)
    listed = z.namelist()
    names += sorted(n for n in listed if n not in names and n.lower().endswith(".xml"))
    return [n for n in names if n in listed]


def _formulas_in(carry: bytes, more: bytes, sheet: str, found: list[tuple[str, str]]) -> bytes:
    """One block (``more``; empty at the end) of a part: the formulas of the cells it completes go
    to ``found``; returns what is carried to the next block (a cell cut in two)."""
    if more and b"f" not in more and b"f" not in carry:  # nearly every block: no copy of it
        last = more.rfind(b"<c ")  # the last cell's start is in ``more`` when ``more`` has one
        if last >= 0:
            return more[last:]  # what the code below carries; before it, no cell holds an "f"
    data = carry + more
    cut = data.rfind(b"<c ") if more else len(data)
    if cut <= 0 and more:
        return data
    part, carry = data[:cut], data[cut:]
    # every probe holds an "f": one memchr rules out nearly every block of a catalog
    # (numeric entities, no ASCII words) before the six substring tests and the regex
    if b"f" not in part or not any(probe in part for probe in _FORMULA_PROBES):
        return carry  # a plain substring test rules out most blocks far faster than the regex
    for tag in _FORMULA_TAG.finditer(part):
        ref = _CELL_REF.match(part, max(part.rfind(b"<c ", 0, tag.start()), 0))
        found.append((sheet, ref.group(1).decode() if ref else "?"))
    return carry


# --------------------------------------------------------------------------
# Header → fields
# --------------------------------------------------------------------------


@dataclass
class Column:
    index: int
    field: str  # an item field, or audience / method / levels (text to split), or *_mark / tier:CODE
    label: str  # the header as seen, "parent/child" under a merged parent


@dataclass
class Layout:
    header_rows: int  # rows above the data (title rows and the header)
    columns: dict[int, str]  # column index → field
    labels: dict[int, str]  # column index → header text, for messages
    ignored: dict[int, str] = field(default_factory=dict)  # known columns that are not imported
    unknown: dict[int, str] = field(default_factory=dict)  # headed columns that match nothing
    title: str = ""  # the text above the header (…领域…目录)
    tiers: dict[int, tuple[str, ...]] = field(default_factory=dict)  # level sub-column → tiers
    #: column → the header's texts over it (its own, the sub-header's, a merged parent's): how a
    #: header repeated further down (after a page break) is told from data
    heads: dict[int, frozenset[str]] = field(default_factory=dict)
    #: the header row's texts (a sub-header repeated below a repeated header is checked against them)
    top: list[str] = field(default_factory=list)

    def mapping(self) -> list[tuple[str, str]]:
        """(header, field) in column order, as the dry run shows it."""
        out = []
        for col in sorted({**self.columns, **self.ignored, **self.unknown}):
            if col in self.columns:
                fname = self.columns[col]
                if col in self.tiers:
                    fname = "levels ← " + "+".join(self.tiers[col])
                out.append((self.labels[col], fname))
            elif col in self.ignored:
                out.append((self.ignored[col], "（不导入 not imported）"))
            else:
                out.append((self.unknown[col], "？（不认识 unknown）"))
        return out


def tiers_of(text: str) -> tuple[str, ...]:
    """The tiers a level header or cell names: 县级 → county; 乡、村级 → township + village."""
    found = {code for pattern, code in _TIER_WORDS if pattern.search(text)}
    return tuple(t for t in TIERS if t in found)


def _field_of(label: str, parent: str) -> str | None:
    if parent and re.search(r"公开层级|^层级$", parent) and label != parent:
        return "tier" if tiers_of(label) else None
    if _LEVEL_HEADER.match(label):
        return "tier"
    for pattern, fname in HEADERS:
        if re.search(pattern, label):
            return fname
    return None


_SUBFIELDS = {"audience_public", "audience_specific", "method_active", "method_on_request", "level1", "level2",
              "level3", "tier"}


def _is_sub_header(top: list[str], sub: list[str]) -> bool:
    """Whether ``sub`` names the children of a merged parent in ``top``: a parent over at least
    two children, its cell empty beside them (a merge as a workbook gives it) or repeated (a merge
    expanded from Word or HTML).  A first data row that merely says 主动 or 全社会 is data."""
    def child(c: int, parent: str) -> bool:
        text = sub[c] if c < len(sub) else ""
        return bool(text) and text != (top[c] if c < len(top) else "") and _field_of(text, parent) in _SUBFIELDS

    for c in range(len(sub) - 1):
        parent = top[c] if c < len(top) else ""
        right = top[c + 1] if c + 1 < len(top) else ""
        if parent and (right == "" or right == parent) and child(c, parent) and child(c + 1, parent):
            return True
    return False


_HEADER_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def _header_text(value: Any) -> str:
    """A header cell's text without the line breaks and spaces put inside a word to fit a narrow
    column (公开\\n时限, 序  号); spaces between Latin words (No. 1) stay."""
    text = norm(value)
    return _HEADER_SPACE.sub("", text) if text and not text.isascii() else text


def find_layout(rows: list[list[Any]]) -> Layout | None:
    """Find the header by its text: a row naming the item (一级事项 / 公开事项 / 事项名称) and at
    least one other element, with a sub-header row below it when a parent is merged."""
    for i, row in enumerate(rows[:20]):
        texts = [_header_text(c) for c in row]
        fields_here = [_field_of(t, "") for t in texts if t]
        if "level1" not in fields_here or sum(1 for f in fields_here if f) < 2:
            continue
        sub = [_header_text(c) for c in rows[i + 1]] if i + 1 < len(rows) else []
        has_sub = _is_sub_header(texts, sub)
        layout = Layout(i + 1 + (1 if has_sub else 0), {}, {}, top=texts)
        layout.title = " ".join(norm(c) for r in rows[:i] for c in r if norm(c))
        width = max(len(texts), len(sub))
        parent = ""
        for col in range(width):
            top = texts[col] if col < len(texts) else ""
            below = sub[col] if has_sub and col < len(sub) else ""
            if top:
                parent = top
            elif not below:
                parent = ""
            label = below if below and below != top else top
            if not label:
                continue
            layout.heads[col] = frozenset(t for t in (top, below, parent) if t)
            shown = f"{parent}/{label}" if below and below != top and parent else label
            fname = _field_of(label, parent if below and below != top else "")
            if fname == "tier":
                layout.tiers[col] = tiers_of(label)
                fname = "levels_mark"
            if fname is None or (fname in layout.columns.values() and fname != "levels_mark"):
                if IGNORED.match(label) or fname is not None:
                    layout.ignored[col] = shown
                else:
                    layout.unknown[col] = shown
                continue
            layout.columns[col] = fname
            layout.labels[col] = shown
        if "level1" not in layout.columns.values():
            continue
        return layout
    return None


# --------------------------------------------------------------------------
# Cells → values
# --------------------------------------------------------------------------


class CellError(ValueError):
    """A cell whose content the column does not accept; the message says what it does accept."""


def mark(text: str) -> bool:
    if text in MARKS or text.lower() in ("true", "yes"):
        return True
    if text in NO_MARKS or text.lower() in ("false", "no"):
        return False
    raise CellError(f"不认识的标记“{text[:20]}”（√ ✓ ✔ ● ☑ ■ 表示是，空白表示否）unknown mark")


def words(text: str) -> list[str]:
    return [w for w in SPLIT.split(text) if w]


def text_choice(text: str, vocabulary: dict[str, str], what: str) -> set[str]:
    found = set()
    for word in words(text):
        key = word.removesuffix("公开") if word not in vocabulary else word
        if key in vocabulary:
            found.add(vocabulary[key])
        elif word in vocabulary:
            found.add(vocabulary[word])
        else:
            accepted = "、".join(vocabulary)
            raise CellError(f"{what}“{word[:20]}”不认识（可写 {accepted}）unknown value")
    return found


def levels_text(text: str) -> list[str]:
    found: set[str] = set()
    for word in words(text):
        tiers = tiers_of(word)
        if not tiers:
            raise CellError(f"公开层级“{word[:20]}”不认识（可写 县级、区级、乡级、镇级、街道、村级 …）unknown tier")
        found.update(tiers)
    return [t for t in TIERS if t in found]


_BOX_ON = "■☑▣◼●√✓✔"
_BOX_OFF = "□☐▢◻○"
_BOXES = set(_BOX_ON + _BOX_OFF + "tno¨q")
_CHANNEL_TOKEN = re.compile(rf"([{_BOX_ON}{_BOX_OFF}]|(?<![A-Za-z])[tno¨q](?=[\u4e00-\u9fff]))")


def channels(text: str) -> list[str]:
    """The channels selected in a 公开渠道和载体 cell (see :func:`_channels`)."""
    return list(_channels(text))


@lru_cache(maxsize=4096)  # the same boxes are ticked row after row
def _channels(text: str) -> tuple[str, ...]:
    """公开渠道和载体: ■/☑ (or Wingdings t / n) before a channel selects it, □ leaves it out;
    without boxes, every channel named (joined by 、，, / or a line break) is selected."""
    if not _CHANNEL_TOKEN.search(text):
        return tuple(words(text))
    parts = _CHANNEL_TOKEN.split(text)
    out, selected = [], None
    for part in parts:
        if not part:
            continue
        if len(part) == 1 and part in _BOXES:  # split() returns the boxes it cut at as parts of their own
            selected = part in _BOX_ON or part in "tn"
            continue
        name = part.strip(" 、，,/;；\n\t")
        if not name:
            continue
        if selected is None:  # text before the first box: a lead-in such as 公开渠道：
            continue
        if selected:
            out.extend(words(name))
        selected = None
    return tuple(out)


def stages(text: str) -> list[str]:
    found = [code for word, code in STAGE_WORDS.items() if word in text]
    if text and not found:
        raise CellError(f"五公开“{text[:20]}”不认识（可写 决策、执行、管理、服务、结果）unknown value")
    return found


def seq(text: str) -> int | None:
    """序号 as the number stored (see :func:`seq_read`)."""
    return seq_read(text)[0]


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
#: 1-2, 1.2, 1.2.3, 2—1: a row numbered within its section; the section's number is kept
_SEQ_PARTS = re.compile(r"^(\d+)(?:\s*[-.．—–_/]\s*\d+)+$")
SEQ_MAX = 2**31 - 1  # the database's integer


def _chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105 (a 序号 in Chinese numerals, below 一万)."""
    if not text or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in text):
        return None
    total, digit = 0, None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
    total += digit or 0
    # only a number as it is written (二〇二, 三二一, 十十, 一百一 = 110 aloud: none of them is read)
    written = text.replace("两", "二").replace("〇", "零")
    return total if ("一" + written if written[0] == "十" else written) == _chinese_written(total) else None


def _chinese_written(n: int) -> str:
    """0 ≤ n < 10000 in Chinese numerals as written in full: 105 一百零五, 110 一百一十, 12 一十二."""
    if n == 0:
        return "零"
    out: list[str] = []
    gap = False
    for size, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // size % 10
        if d:
            out.append(("零" if gap and out else "") + "零一二三四五六七八九"[d] + unit)
            gap = False
        else:
            gap = True
    return "".join(out)


def seq_read(text: str) -> tuple[int | None, bool]:
    """序号 (a normalised cell: full-width digits are already ASCII) → (the number stored, whether
    it is all the cell said).  ``7``, ``7、``, ``(7)``, ``（七）``, ``第七``, ``七`` are 7; ``1-2``,
    ``1.2``, ``2—1`` number a row within its section and are stored as the section's number (1, 1,
    2: the order of a catalog sorted by 序号 then as read is the file's); anything else (``甲``, a
    number beyond the database's integer) is not stored.  The column is an integer: the caller
    names every cell not stored exactly."""
    if not text:
        return None, True
    core = text.rstrip("、.:：").strip()
    if core[:1] in "(（" and core[-1:] in ")）":
        core = core[1:-1].strip()
    if core.startswith("第"):
        core = core[1:]
    if core.isascii() and core.isdigit():
        return (int(core), True) if len(core) <= 10 and int(core) <= SEQ_MAX else (None, False)
    number = _chinese_number(core)
    if number is not None:
        return number, True
    parts = _SEQ_PARTS.match(core)  # (1-2) and 1-2、 as (7) and 7、
    if parts is not None and len(parts.group(1)) <= 10 and int(parts.group(1)) <= SEQ_MAX:
        return int(parts.group(1)), False
    return None, False


# --------------------------------------------------------------------------
# Sheets → records
# --------------------------------------------------------------------------


@dataclass
class ParsedRow:
    where: str
    record: dict[str, Any]


@dataclass
class Reading:
    """What was read: the records, the problems, notes, and each sheet's column mapping."""

    #: the records, read as they are asked for (a generator): the problems, warnings, mappings
    #: and columns of a sheet are complete once its rows have been read
    rows: Iterator[ParsedRow] = field(default_factory=lambda: iter(()))
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mappings: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # sheet, (header, field)
    #: (row, field) of the cells already refused: the validator need not say they are missing
    bad_cells: set[tuple[str, str]] = field(default_factory=set)
    #: per sheet: its name, the fields its columns fill, and the headers seen
    columns: list[tuple[str, set[str], list[str]]] = field(default_factory=list)
    #: how many records there are, as far as the files tell before reading them (for progress)
    total: int = 0
    #: records read so far
    count: int = 0


TEXT_FIELDS = ("category", "level1", "level2", "level3", "content", "basis", "duration", "time_limit", "subject",
               "department", "domain")
CONTINUED = ("level1", "level2")
_FIELDS_OF = {"audience": ("audience_public", "audience_specific"), "method": ("method_active", "method_on_request"),
              "audience_specific": ("audience_public",), "method_on_request": ("method_active",)}
LEGACY = {"level_county": "county", "level_township": "township"}


_NOT_ITEM_KEYS = ("key", "origin", "source", "version")
_UNUSUAL_KEYS = frozenset((*_NOT_ITEM_KEYS, *LEGACY))
#: tiers as a record lists them → in TIERS' order (the few lists real files hold)
_ORDERED_LEVELS: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _json_record(rec: dict[str, Any]) -> dict[str, Any]:
    """A JSON record as the validator takes it, changed in place (the reader's own dict): the
    export's bookkeeping keys dropped, 公开层级 in TIERS' order (the legacy flags folded in) and
    put last, channels written as text split into a list."""
    legacy: list[str] = []
    if not rec.keys().isdisjoint(_UNUSUAL_KEYS):
        for key in _NOT_ITEM_KEYS:
            rec.pop(key, None)
        legacy = [tier for old, tier in LEGACY.items() if rec.pop(old, False)]
    raw = rec.pop("levels", None)
    ordered = None
    if type(raw) is list and not legacy:
        try:
            ordered = _ORDERED_LEVELS.get(tuple(raw))
        except TypeError:  # an unhashable element: the long way
            pass
    if ordered is not None:
        rec["levels"] = list(ordered)
    else:
        try:
            levels = list(raw or [])
        except TypeError:  # not a list at all (a number): the validator says so, naming the field
            rec["levels"] = raw
        else:
            for tier in legacy:  # records exported before 公开层级 became a set of tiers
                if tier not in levels:
                    levels.append(tier)
            rec["levels"] = [t for t in TIERS if t in levels] + [t for t in levels if t not in TIERS]
            if type(raw) is list and not legacy and len(raw) <= len(TIERS) and all(type(t) is str for t in raw) \
                    and len(_ORDERED_LEVELS) < 1000:
                _ORDERED_LEVELS[tuple(raw)] = tuple(rec["levels"])
    channels = rec.get("channels")
    if isinstance(channels, str):
        rec["channels"] = words(channels)
    elif channels is None and "channels" in rec:
        rec["channels"] = []
    return rec


def read_records(sheets: list[Sheet], unit: str, domain: str | None,
                 domain_of: Callable[[str], str | None] = lambda text: None) -> Reading:
    """Rows of every sheet as item records, with each sheet's mapping for the dry run.

    ``domain_of(text)`` names the domain a sheet name or title speaks of (…领域…目录), or None;
    it is asked only when ``domain`` is not given and the sheet has no 领域 column.

    The records are read lazily (``Reading.rows`` is a generator): a sheet's header is found from
    its first rows, then its rows are read one by one, so a whole sheet is never held."""
    out = Reading()
    layouts = [None if sheet.records else find_layout(list(islice(sheet.rows, 21))) for sheet in sheets]
    for sheet, layout in zip(sheets, layouts):
        size = sheet.rows.estimate if isinstance(sheet.rows, Rows) else len(sheet.rows)
        out.total += max(size - layout.header_rows, 0) if layout is not None else size if sheet.records else 0
    out.rows = _records(sheets, layouts, unit, domain, domain_of, out)
    return out


def _records(sheets: list[Sheet], layouts: list[Layout | None], unit: str, domain: str | None,
             domain_of: Callable[[str], str | None], out: Reading) -> Iterator[ParsedRow]:
    for sheet, layout in zip(sheets, layouts):
        if sheet.records:
            for n, (rec,) in enumerate(sheet.rows, 1):
                rec = _json_record(rec)
                rec.setdefault("unit", unit)
                if domain:
                    rec.setdefault("domain", domain)
                out.count += 1
                yield ParsedRow(f"JSON 第{n}条 record {n}", rec)
            continue
        for row in _read_table(sheet, layout, unit, domain, domain_of, out):
            out.count += 1
            yield row
    if not out.count and not out.problems:
        out.problems.append(Problem("整个文件 whole file", "", None, "文件中没有任何事项行（空文件或只有表头）no item rows: the file is empty "
                                                  "or holds only a header"))


def _read_table(sheet: Sheet, layout: Layout | None, unit: str, domain: str | None,
                domain_of: Callable[[str], str | None], out: Reading) -> Iterator[ParsedRow]:
    if layout is None:
        if any(any(norm(c) for c in r) for r in sheet.rows):
            seen = next(("、".join(norm(c) for c in r if norm(c))[:120] for r in sheet.rows if any(norm(c) for c in r)),
                        "")
            out.problems.append(Problem(f"[{sheet.name}]", "", None,
                                        f"找不到表头（第一行非空内容为“{seen}”）；需要“一级事项”“事项名称”或“公开事项”列及其他"
                                        f"要素列，可接受的表头：{'；'.join(ACCEPTED)} no header found"))
        return
    out.mappings.append((sheet.name, layout.mapping()))
    filled_fields = set(layout.columns.values())
    if "levels_mark" in filled_fields:
        filled_fields.add("levels")
    out.columns.append((sheet.name, filled_fields, [label for label, _ in layout.mapping()]))
    for col, label in layout.unknown.items():
        out.problems.append(Problem(f"[{sheet.name}] 表头 header", "", label,
                                    f"列“{label}”无法对应到目录要素；可接受的表头：{'；'.join(ACCEPTED)} "
                                    f"column {label!r} matches no catalog element"))
    ignored = {col: 0 for col in layout.ignored}  # filled cells of the columns not imported, counted as read
    sheet_domain = domain
    if not sheet_domain and "domain" not in layout.columns.values():
        sheet_domain = domain_of(layout.title) or domain_of(sheet.title) or domain_of(sheet.name)
    # per column: index, field, key (where 同上 finds the value above), label, converter
    plan = [(col, fname, "levels" if fname == "levels_mark" else fname, layout.labels[col],
             _CONVERTERS.get(fname, _CONVERTERS["text"] if fname not in _KEEP_KIND else None))
            for col, fname in sorted(layout.columns.items())]
    odd_seq: list[tuple[str, int | None]] = []  # the 序号 of the row just read, when not stored as written
    plan = [(*p[:4], _seq_noting(odd_seq)) if p[1] == "seq" else p for p in plan]
    seq_notes: list[str] = []
    read_row = _row_reader(plan, layout.tiers, unit, sheet_domain, sheet.name, out)
    rows = enumerate(islice(sheet.rows, layout.header_rows, None), layout.header_rows + 1)
    # section rows (一、招生入学 across the row) and a header repeated after a page break are skipped;
    # a row is examined only when a cell where they put their text looks like one (one character
    # test per row), so the rows of items pay nothing more
    l1 = next(col for col, fname in layout.columns.items() if fname == "level1")
    probe = sorted({0, plan[0][0], l1})
    section_l1: str | None = None  # a section's name, for a blank 一级事项 right below it
    sub_of: list[str] | None = None  # a repeated header's texts: the next row may repeat its sub-header
    skipped: list[str] = []
    for r, row in rows:
        if ignored:
            _count_filled(ignored, row)
        if sub_of is not None:
            repeated, sub_of = _is_sub_header(sub_of, [_header_text(c) for c in row]), None
            if repeated:
                skipped.append(f"第{r}行 row {r} 表头 header")
                continue
        kind = None
        for col in probe:
            v = row[col] if col < len(row) else None
            if v.__class__ is str and v[:1] in _ROW_MARKERS:
                kind = _section_or_header(v, row, layout, l1, col == l1)
                if kind is not None:
                    break
        if kind is not None:
            if kind == "header":
                sub_of = [_header_text(c) for c in row]
                skipped.append(f"第{r}行 row {r} 表头 header")
            else:
                section_l1 = _SECTION.match(kind).group("name")
                skipped.append(f"第{r}行 row {r} “{v.strip()}”")  # as the file writes it
            continue
        if section_l1 is not None:  # the first row below a section row (blank rows aside)
            if l1 < len(row) and norm(row[l1]):
                section_l1 = None
            elif (first := next((t for t in map(norm, row) if t), None)) is not None:
                if not FOOTNOTE.match(first):
                    # a blank 一级事项 right below a section row is the section's, not the item's above it
                    row = list(row) + [None] * (l1 + 1 - len(row))
                    row[l1] = section_l1
                section_l1 = None
        parsed = read_row(row, r)
        if odd_seq:
            text, kept = odd_seq.pop()
            seq_notes.append(f"第{r}行 row {r} “{text[:40]}” " + (f"存为 {kept}" if kept is not None else "未保存"))
        if parsed is None:
            continue  # a blank row left by hand
        if parsed is _END:
            if ignored:  # the count covers the rest of the sheet, footnotes included
                for _, rest in rows:
                    _count_filled(ignored, rest)
            break  # 注：… below the table
        yield parsed
    if skipped:
        shown = "；".join(skipped)  # every one: a row dropped unnamed would be data lost silently
        out.warnings.append(f"[{sheet.name}] 跳过 {len(skipped)} 个分节行或重复的表头行：{shown} "
                            f"skipped {len(skipped)} section rows or repeated header rows")
    if seq_notes:
        shown = "；".join(seq_notes)  # every one: the text itself is not stored
        out.warnings.append(f"[{sheet.name}] {len(seq_notes)} 个序号不是一个整数，序号列只存整数（1-2、2.1 存其第一个数，"
                            f"其余不存）：{shown} {len(seq_notes)} 序号 cells are not one whole number: 1-2 and 2.1 "
                            f"are stored as their first number, anything else is not stored")
    for col, label in layout.ignored.items():
        if ignored[col]:
            out.warnings.append(f"[{sheet.name}] 列“{label}”不是目录的字段，其 {ignored[col]} 个单元格未导入 "
                                f"column {label!r} is not a catalog field: {ignored[col]} cells not imported")


_NUMERAL = "一二三四五六七八九十百零〇"
#: a section row's text: 一、招生入学 / （二）学生资助 / 第三部分 社会救助, alone in its row
_SECTION = re.compile(rf"^(?:[{_NUMERAL}]+\s*[、.．]|[（(]\s*[{_NUMERAL}]+\s*[）)]|第[{_NUMERAL}]+[部分章节类项]+)[\s、.．:：]*"
                      r"(?P<name>\S.*)$")
#: the first characters of the texts those rows put in a probed cell: a section's numbering, or a
#: header's level-1 words (一级事项, 公开事项, 事项名称); a cell starting otherwise is data
_ROW_MARKERS = frozenset(_NUMERAL + "（(第公事" + " \u3000\t\r\n")
#: the header words of the 一级事项 column (HEADERS' level1 patterns)
_LEVEL1_HEAD = re.compile(r"一级事项|一级目录|^(公开)?事项(名称)?$|^公开事项名称$|^事项$")


def _section_or_header(value: str, row: list[Any], layout: Layout, l1: int, at_l1: bool) -> str | None:
    """For a row whose probed cell holds ``value``: the section row's text, ``"header"`` for the
    header repeated, or None (a row of data; most are told after a cell or two).

    A section row holds one text, numbered like 一、 （二） 第三部分, in one cell or merged across
    the row.  A repeated header names the item in its 一级事项 column and, in at least two thirds
    of its other filled columns, the header's text over that column (the same words, line breaks
    and spaces aside) or another header word for the same element."""
    text = norm(value)
    if _SECTION.match(text):
        for cell in row:  # a row of data differs from its first cell within a cell or two
            if cell and cell != value and (other := norm(cell)) and other != text:
                return None
        return text
    if not at_l1:
        return None
    head = _header_text(text)
    if not (head in layout.heads.get(l1, ()) or _LEVEL1_HEAD.search(head)):
        return None
    same = other = 0
    for col, fname in layout.columns.items():
        text = _header_text(row[col]) if col < len(row) and col != l1 else ""
        if not text:
            continue
        other += 1
        if text in layout.heads.get(col, ()) or _field_of(text, "") == fname or (
                fname == "levels_mark" and tiers_of(text) == layout.tiers.get(col)):
            same += 1
    return "header" if other and same * 3 >= other * 2 else None


def _seq_noting(notes: list[tuple[str, int | None]]) -> Callable[[str], int | None]:
    """The 序号 converter of one sheet: a cell not stored exactly goes to ``notes`` (text, number
    stored), for the sheet's warning."""
    def convert(text: str) -> int | None:
        if len(text) < 10 and text.isdigit() and text.isascii():  # most cells: 1, 2, 3 …
            return int(text)
        value, exact = seq_read(text)
        if not exact:
            notes.append((text, value))
        return value

    return convert


def _count_filled(counts: dict[int, int], row: list[Any]) -> None:
    for col in counts:
        if col < len(row) and norm(row[col]):
            counts[col] += 1


_END = object()  # what a row reader returns for the 注：… footnote that ends the table


def _plain_row_reader(plan: list[tuple[int, str, str, str, Any]], tiers: dict[int, tuple[str, ...]], unit: str,
                      sheet_domain: str | None, sheet_name: str, out: Reading) -> Callable[[list[Any], int], Any]:
    """``read_row(row, r)`` → the row's :class:`ParsedRow`, None for a blank row, or ``_END`` for a
    footnote below the table; problems go to ``out``.  The reference for :func:`_row_reader`
    (``tests/test_catalog_row_reader.py`` compares them): a loop over the columns, cell by cell."""
    cols = [col for col, *_ in plan]
    width = max(cols) + 1
    has_marks = any(f == "levels_mark" for _, f, *_ in plan)
    names = [col for col, f, *_ in plan if f in ("level1", "level2")]
    above: dict[str, Any] = {}

    def read_row(row: list[Any], r: int) -> Any:
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        texts = [norm(row[col]) for col in cols]  # 0 and FALSE are values: "0", "FALSE"
        first = next((t for t in texts if t), None)
        if first is None:
            return None  # a blank row left by hand
        if first[0] in "注说备附" and FOOTNOTE.match(first):
            filled = {t for t in (norm(c) for c in row) if t}
            if len(filled) == 1 or not any(norm(row[c]) for c in names):
                return _END  # 注：… below the table
        where = f"[{sheet_name}] 第{r}行 row {r}"
        rec: dict[str, Any] = {"unit": unit}
        levels: set[str] = set()
        continued = False
        for (col, fname, key, label, convert), text in zip(plan, texts):
            if "\x00" in text or len(text) > MAX_CELL_CHARS:
                out.problems.append(Problem(where, rec.get("level1") or "", label,
                                            "单元格含有 NUL 字符（\\x00），不被接受 a NUL byte in the cell" if "\x00" in text
                                            else f"单元格超过 {MAX_CELL_CHARS} 字 cell too long"))
                out.bad_cells.update((where, f) for f in _FIELDS_OF.get(key, (key,)))
                continue
            if "同上" in text and SAME_AS_ABOVE.match(text):
                if key not in above:
                    out.problems.append(Problem(where, rec.get("level1") or "", label,
                                                "“同上”但上一行没有值 同上 with nothing above"))
                    continue
                value = above[key]
                if fname == "levels_mark":
                    levels.update(value)
                elif key in ("audience", "method"):
                    rec.update(value)
                else:
                    rec[key] = value
                if key == "level1":
                    continued = True
                continue
            if not text and key in CONTINUED and key in above and (key == "level1" or continued):
                rec[key] = above[key]  # blank under a filled cell, merged or not: continues it
                continued = True
                continue
            try:
                if convert is not None:
                    value = rec[fname] = convert(text)
                elif fname == "levels_mark":
                    if text and mark(text):
                        levels.update(tiers[col])
                    continue
                elif fname == "levels":
                    value = levels_text(text)
                    levels.update(value)
                else:  # audience, method: words naming the boxes to tick
                    value = _choices(text, fname)
                    rec.update(value)
            except CellError as exc:
                out.problems.append(Problem(where, rec.get("level1") or "", label, str(exc)))
                out.bad_cells.update((where, f) for f in _FIELDS_OF.get(key, (key,)))
                continue
            if value or value is False:
                above[key] = value
        if has_marks:
            above["levels"] = set(levels)
        rec["levels"] = [t for t in TIERS if t in levels]
        if sheet_domain and not rec.get("domain"):
            rec["domain"] = sheet_domain
        return ParsedRow(where, rec)

    return read_row


def _row_reader(plan: list[tuple[int, str, str, str, Any]], tiers: dict[int, tuple[str, ...]], unit: str,
                sheet_domain: str | None, sheet_name: str, out: Reading) -> Callable[[list[Any], int], Any]:
    """:func:`_plain_row_reader`, generated once per sheet layout: one block of code per column,
    with no loop over the columns and no call per cell for what most cells are (plain text, a
    mark, an empty cell).  A cell that is unusual (NUL, too long, 同上, a word list, an unknown
    mark) goes through the same code as the plain reader's, column by column, in the same order.
    ``tests/test_catalog_row_reader.py`` compares the two on random sheets, row by row and
    problem by problem."""
    cols = [col for col, *_ in plan]
    width = max(cols) + 1
    names = [col for col, f, *_ in plan if f in ("level1", "level2")]
    has_marks = any(f == "levels_mark" for _, f, *_ in plan)
    above: dict[str, Any] = {}

    def problem(where: str, rec: dict[str, Any], i: int, message: str) -> None:
        key, label = plan[i][2], plan[i][3]
        out.problems.append(Problem(where, rec.get("level1") or "", label, message))
        out.bad_cells.update((where, f) for f in _FIELDS_OF.get(key, (key,)))

    def bad_cell(where: str, rec: dict[str, Any], i: int, text: str) -> None:  # NUL or too long
        problem(where, rec, i, "单元格含有 NUL 字符（\\x00），不被接受 a NUL byte in the cell" if "\x00" in text
                else f"单元格超过 {MAX_CELL_CHARS} 字 cell too long")

    def same_as_above(where: str, rec: dict[str, Any], levels: set[str], i: int) -> bool:
        """同上: the value above; True when it continues 一级事项."""
        _, fname, key, label, _ = plan[i]
        if key not in above:
            out.problems.append(Problem(where, rec.get("level1") or "", label, "“同上”但上一行没有值 同上 with nothing above"))
            return False
        value = above[key]
        if fname == "levels_mark":
            levels.update(value)
        elif key in ("audience", "method"):
            rec.update(value)
        else:
            rec[key] = value
        return key == "level1"

    def convert_cell(where: str, rec: dict[str, Any], levels: set[str], i: int, text: str) -> None:
        """The plain reader's conversion of one cell (any column kind)."""
        col, fname, key, _, convert = plan[i]
        try:
            if convert is not None:
                value = rec[fname] = convert(text)
            elif fname == "levels_mark":
                if text and mark(text):
                    levels.update(tiers[col])
                return
            elif fname == "levels":
                value = levels_text(text)
                levels.update(value)
            else:  # audience, method: words naming the boxes to tick
                value = _choices(text, fname)
                rec.update(value)
        except CellError as exc:
            problem(where, rec, i, str(exc))
            return
        if value or value is False:
            above[key] = value

    def footnote_ends(row: list[Any]) -> bool:
        filled = {t for t in (norm(c) for c in row) if t}
        return len(filled) == 1 or not any(norm(row[c]) for c in names)

    env: dict[str, Any] = {
        "norm": norm, "ntr": _norm_text.__wrapped__, "CELLS": CELL_MEMORY, "str": str, "list": list, "set": set,
        "above": above,
        "WIDTH": width, "MAXC": MAX_CELL_CHARS, "SAME": SAME_AS_ABOVE.match, "FOOT": FOOTNOTE.match,
        "foot_end": footnote_ends, "END": _END, "P": f"[{sheet_name}] 第", "UNIT": unit, "SD": sheet_domain,
        "TIERS": TIERS, "ParsedRow": ParsedRow, "MARKS": frozenset(MARKS), "mark": mark, "CellError": CellError,
        "bad": bad_cell, "same": same_as_above, "conv": convert_cell, "problem": problem}
    lines = ["def read_row(row, r):",
             "    if len(row) < WIDTH:",
             "        row = list(row) + [None] * (WIDTH - len(row))"]
    for i, (col, *_) in enumerate(plan):
        # a text cell: normalised once per distinct text of the column (the first CELL_MEMORY kept,
        # in a dict of the column's own: a column of unique texts costs a look-up, not a cache's
        # upkeep); anything else (a number, a date) as norm reads it
        env[f"H{i}"] = {}
        lines += [f"    v = row[{int(col)}]",
                  "    if v.__class__ is str:",
                  f"        if (t{i} := H{i}.get(v)) is None:",
                  f"            t{i} = ntr(v)",
                  f"            if len(H{i}) < CELLS:",
                  f"                H{i}[v] = t{i}",
                  "    else:",
                  f"        t{i} = norm(v)"]  # None → ''; 0 and FALSE are values
    lines += [f"    first = {' or '.join(f't{i}' for i in range(len(plan)))} or None",
              "    if first is None:",
              "        return None",
              "    if first[0] in '注说备附' and FOOT(first) and foot_end(row):",
              "        return END",
              "    where = f'{P}{r}行 row {r}'",
              "    rec = {'unit': UNIT}",
              "    levels = set()",
              "    continued = False"]
    for i, (col, fname, key, _, convert) in enumerate(plan):
        env[f"K{i}"], env[f"F{i}"], env[f"C{i}"], env[f"T{i}"] = key, fname, convert, tiers.get(col, ())
        lines += [f"    t = t{i}",
                  "    if t:",
                  "        if '\\x00' in t or len(t) > MAXC:",
                  f"            bad(where, rec, {i}, t)",
                  "        elif '同上' in t and SAME(t):",
                  f"            if same(where, rec, levels, {i}):",
                  "                continued = True"]
        if convert is _text:
            lines += ["        else:",
                      f"            rec[F{i}] = above[K{i}] = t"]
        elif convert is _mark_or_false:
            lines += [f"        elif t in MARKS:",
                      f"            rec[F{i}] = above[K{i}] = True",
                      "        else:",
                      f"            conv(where, rec, levels, {i}, t)"]
        elif fname == "levels_mark":
            lines += ["        elif t in MARKS:",
                      f"            levels.update(T{i})",
                      "        else:",
                      f"            conv(where, rec, levels, {i}, t)"]
        elif convert is not None:  # seq, channels, stages …: the converter called in place
            lines += ["        else:",
                      "            try:",
                      f"                v = rec[F{i}] = C{i}(t)",
                      "            except CellError as exc:",
                      f"                problem(where, rec, {i}, str(exc))",
                      "            else:",
                      "                if v or v is False:",
                      f"                    above[K{i}] = v"]
        else:
            lines += ["        else:",
                      f"            conv(where, rec, levels, {i}, t)"]
        lines.append("    else:")
        if key in CONTINUED:  # blank under a filled cell, merged or not: continues it
            lines += [f"        if K{i} in above{' and continued' if key != 'level1' else ''}:",
                      f"            rec[K{i}] = above[K{i}]",
                      "            continued = True",
                      "        else:"]
            pad = "            "
        else:
            pad = "        "
        if convert is _text:
            lines.append(f"{pad}rec[F{i}] = None")
        elif convert is _mark_or_false:
            lines.append(f"{pad}rec[F{i}] = above[K{i}] = False")
        elif fname == "levels_mark":
            lines.append(f"{pad}pass")
        else:
            lines.append(f"{pad}conv(where, rec, levels, {i}, '')")
    if has_marks:
        lines.append("    above['levels'] = set(levels)")
    lines.append("    rec['levels'] = [t for t in TIERS if t in levels] if levels else []")
    if sheet_domain:
        lines += ["    if not rec.get('domain'):", "        rec['domain'] = SD"]
    lines.append("    return ParsedRow(where, rec)")
    exec(compile("\n".join(lines), f"<zwgk row reader {len(plan)} columns>", "exec"), env)  # noqa: S102 — our own text
    return env["read_row"]


#: distinct texts per column whose normal form the row reader keeps (a catalog's vocabulary of
#: units, time limits, channels and marks is far smaller; unique texts are not kept past it)
CELL_MEMORY = 4096


def _mark_or_false(text: str) -> bool:
    return mark(text) if text else False


def _text(text: str) -> str | None:
    return text or None


def _choices(text: str, fname: str) -> dict[str, bool]:
    if fname == "audience":
        return {f: True for f in text_choice(text, AUDIENCE_WORDS, "公开对象")}
    return {f: True for f in text_choice(text, METHOD_WORDS, "公开方式")}


_CONVERTERS: dict[str, Any] = {"audience_public": _mark_or_false, "audience_specific": _mark_or_false,
                               "method_active": _mark_or_false, "method_on_request": _mark_or_false,
                               "channels": lambda text: list(_channels(text)), "stages": stages, "seq": seq,
                               "text": _text}
_KEEP_KIND = {"levels_mark", "levels", "audience", "method"}


def parse_rows(sheets: list[Sheet], unit: str, domain: str | None,
               warnings: list[str] | None = None) -> tuple[list[ParsedRow], list[Problem]]:
    """Rows of every sheet as item records (the older interface of :func:`read_records`)."""
    reading = read_records(sheets, unit, domain)
    rows = list(reading.rows)
    if warnings is not None:
        warnings.extend(reading.warnings)
    return rows, reading.problems


def domain_from_text(text: str, known: Callable[[str], Any]) -> str | None:
    """The domain a title or sheet name speaks of: ``道县义务教育领域基层政务公开标准目录`` → 义务教育.

    ``known(name)`` says whether a name (or alias) is a domain.  The words before 领域 are tried
    from the longest tail to the shortest, so a unit's name in front does not matter."""
    text = norm(text)
    if not text:
        return None
    candidates = []
    m = re.search(r"(.+?)领域", text)
    if m:
        candidates.append(m.group(1))
    candidates.append(re.sub(r"(基层)?(政务)?公开(事项)?(标准)?(目录|清单)?.*$", "", text))
    candidates.append(text)
    for head in candidates:
        for start in range(len(head)):
            tail = head[start:]
            if len(tail) >= 2 and known(tail):
                return tail
    return None


if __name__ == "__main__":  # python -m zwgk.catalog_readers --write-traditional
    import sys

    if sys.argv[1:] != ["--write-traditional"]:
        raise SystemExit("usage: python -m zwgk.catalog_readers --write-traditional")
    write_traditional_file()
    print(TRADITIONAL_FILE)
