"""The JSON reader streams (a block at a time) and answers exactly as the whole-file reading
(:func:`zwgk.catalog_readers._read_json_whole`, orjson or json.loads over the whole text): the same
records, or the same refusal with the record it was met at — wherever the blocks cut the file."""

import json
import random
import re

import pytest

from zwgk import catalog_readers as cr

from .test_catalog_scans import JSON_CASES

SUFFIX = re.compile(r"（第\d+条记录[^）]*）$")


def _whole(path):
    try:
        return repr(cr._read_json_whole(path)), None
    except cr.CatalogFileError as exc:
        return None, str(exc)


def _streamed(path, block):
    rows = cr._JsonRows.__new__(cr._JsonRows)
    rows.BLOCK = block  # blocks this small cut the file everywhere
    try:
        rows.__init__(path)
        return repr([r for (r,) in rows]), None
    except cr.CatalogFileError as exc:
        return None, SUFFIX.sub("", str(exc))


def _same(path, blocks=(1, 2, 3, 5, 8, 13, 64, 1 << 22)):
    expected = _whole(path)
    for block in blocks:
        assert _streamed(path, block) == expected, (block, path.read_bytes()[:200])
    return expected


def _record(rnd, n):
    rec = {"level1": rnd.choice(["招生", "低保", "a}b", "},{", '"]', "\\", "x\ny"]) + str(n), "seq": n,
           "channels": rnd.sample(["政府网站", "公开栏", "{", "]"], rnd.randint(0, 3)),
           "audience_public": rnd.random() < 0.5}
    if rnd.random() < 0.2:
        rec["nested"] = {"a": [1, {"b": "}"}]}
    return rec


HOSTILE = [
    *JSON_CASES,
    '\ufeff[{"level1": "a"}]', '\ufeff\ufeff[{"level1": "a"}]', ' \n[\n {"level1": "a"} ,\n {"b": 1}\n]\n',
    '[{"a": NaN}, {"a": Infinity}, {"a": -Infinity}]', '[{"a": 1}, {"a": 1e400}, {"a": 2}]',
    '[{"a": "\\udc00x"}, {"b": "\\ud83d\\ude00"}]', '[{"a": 1}, {"a": 1, "a": 2}]',
    '[{"a": 1}] x', '[{"a": 1}]  {"b": 2}', '[{"a": 1}]]', '[{"a": 1}, {"a": 2}', '[{"a": 1}, {"a": "tr',
    '[{"a": 1}, ', '[', '[{"a": "},{"}, {"a": "\\"},{"}]', '[{"a": 1}, 2, {"b": 3}]', '[{"a": 1}, 2, {"b": 3',
    '[{"a": 1}, 2, {"b": 3}] x', '[{"a": 1},, {"b": 2}]', '[, {"a": 1}]', '[{"a": 1} {"b": 2}]',
    '[{"a": 1}, {"b": 2},]', '[{"a": 1}, {"b": 2} ]  \n ', '[{"a": 1}}]', '[{"a": 1]', '[{"a":]', '[{"a": 1},]',
    '{"records": [{"a": 1}]}', '{"a": 1', '[{"a": 1}, "' + "长" * 50 + '"]', '[{"a": "\x01"}]',
    '[{"a": "x\\u12"}]', '[{"a": 1}, {"a": 0' + "1" * 5000 + '}]', '[{"a": 1' + "0" * 5000 + '}]',
    '[{"a": 1}, {"a": [' + "[" * 70 + "]" * 70 + ']}]', '[{"a": 1}, ' + "[" * 70 + " x",
    '[{"a": 1}] ' + "[" * 70, '[{"a": 1}, {"b": 2}] /* c */', '[{"a": 1}]\x00', '[{"a": true, "b": null}]',
    '[{"a": 1}]\n\n\n  x', '[\n{"a": 1},\n{"b": 2}\n,\n{"c": \n 3 x}]', '[{"a": -0.0}, {"a": 1.5}]',
    '[{"k": {"k": {"k": "}}}"}}}, {"z": "]]]"}]', '[{"a": "\\\\"}, {"b": "\\\\\\""}]', "[{\"a\": 'x'}]",
]


@pytest.mark.parametrize("n", range(len(HOSTILE)))
def test_hostile_and_odd_files_stream_as_the_whole_file_reads(tmp_path, n):
    path = tmp_path / "c.json"
    path.write_text(HOSTILE[n], encoding="utf-8")
    _same(path)


@pytest.mark.parametrize("seed", range(12))
def test_generated_files_and_their_mutations_stream_as_the_whole_file_reads(tmp_path, seed):
    rnd = random.Random(seed)
    records = [_record(rnd, n) for n in range(rnd.randint(1, 40))]
    text = json.dumps(records, ensure_ascii=rnd.random() < 0.3, indent=rnd.choice([None, 1, 2]))
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    assert _same(path, (1, 7, 64, 1 << 22)) == (repr(records), None)
    for _ in range(15):  # a character dropped, doubled or replaced
        k = rnd.randrange(len(text))
        kind = rnd.random()
        mutated = (text[:k] + text[k + 1:] if kind < 0.4 else text[:k] + text[k] + text[k:] if kind < 0.6
                   else text[:k] + rnd.choice('{}[],:"\\ 1nx长') + text[k + 1:])
        path.write_text(mutated, encoding="utf-8")
        _same(path, (1, 7, 64, 1 << 22))


def test_a_gb18030_file_streams_as_the_whole_file_reads(tmp_path):
    path = tmp_path / "c.json"
    path.write_bytes(json.dumps([{"level1": "公开栏" * 30, "n": n} for n in range(50)],
                                ensure_ascii=False).encode("gb18030"))
    assert _same(path, (1, 5, 64, 1 << 22))[0].count("公开栏") == 1500
    path.write_bytes(b'[{"a": "\xb9\xab"}, {"a": 1} x]')
    _same(path, (1, 5, 64))
    path.write_bytes(b'[{"a": "\xff\xff"}]')  # neither UTF-8 nor GB18030: decode_text's message
    _same(path, (1, 5, 64))


def test_utf8_damaged_late_makes_the_whole_file_gb18030_as_before(tmp_path):
    """An invalid UTF-8 byte near the end decides the encoding of the whole file, as decode_text does."""
    path = tmp_path / "c.json"
    path.write_bytes(b'[{"a": "' + "公开".encode() + b'"}, {"b": "\xb9\xab"}]')
    assert _same(path, (1, 3, 64))[0] is not None


def _json_record_before(rec):
    """The conversion as it was (a copy, one pass per step): the reference for the one in place."""
    rec = {k: v for k, v in rec.items() if k not in ("key", "origin", "source", "version")}
    try:
        levels = list(rec.pop("levels", None) or [])
    except TypeError:  # it raised before; now the validator names the field
        return None
    for old, tier in cr.LEGACY.items():
        if rec.pop(old, False) and tier not in levels:
            levels.append(tier)
    rec["levels"] = [t for t in cr.TIERS if t in levels] + [t for t in levels if t not in cr.TIERS]
    if isinstance(rec.get("channels"), str):
        rec["channels"] = cr.words(rec["channels"])
    elif rec.get("channels") is None and "channels" in rec:
        rec["channels"] = []
    return rec


@pytest.mark.parametrize("seed", range(5))
def test_a_record_becomes_the_same_row_as_before_keys_in_the_same_order(seed):
    rnd = random.Random(seed)
    values = [None, 5, True, 1, "county", "", [], {"a": 1}, ["village", "county"], ["county", "county"],
              ["x", "township"], [1, True], [[1]], ["province", "city", "county", "township", "village"]]
    for _ in range(3000):
        rec = {}
        for key in rnd.sample(["level1", "key", "origin", "levels", "level_county", "level_township", "channels",
                               "source", "version", "content", "unit"], rnd.randint(0, 8)):
            rec[key] = rnd.choice(values + ["政府网站、公开栏", "a/b"])
        expected = _json_record_before(dict(rec))
        got = cr._json_record(dict(rec))
        if expected is None:
            assert got["levels"] == rec["levels"]
        else:
            assert list(got.items()) == list(expected.items())


@pytest.fixture
def app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="daoxian")


def test_levels_that_are_not_a_list_are_the_validators_error_naming_the_record(app, tmp_path):
    """It raised TypeError before (a crash, not a problem)."""
    from zwgk.catalog_io import import_catalog

    path = tmp_path / "c.json"
    path.write_text('[{"level1": "a", "levels": 5}]', encoding="utf-8")
    with app.extensions["zwgk.db"].session() as session:
        result = import_catalog(session, app.extensions["zwgk.pm"], path, "湖南省/永州市/道县", "社会救助")
        assert not result.ok
        session.rollback()
    assert [(p.where, p.field, p.message) for p in result.problems if p.field == "公开层级"] == [
        ("JSON 第1条 record 1", "公开层级", "不是列表（Not a valid list.）")]


def _peak(path, block=1 << 16):
    import tracemalloc

    rows = cr._JsonRows.__new__(cr._JsonRows)
    rows.BLOCK = block
    tracemalloc.start()
    try:
        rows.__init__(path)
        try:
            out = sum(1 for _ in rows)
        except cr.CatalogFileError as exc:
            out = str(exc)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_holds_a_block_not_the_file_whatever_lies_between_records(tmp_path):
    path = tmp_path / "c.json"
    records = ",".join(json.dumps({"level1": f"事项{n}", "content": "内容" * (n % 50)}, ensure_ascii=False)
                       for n in range(20_000))
    path.write_text("[" + records + "]", encoding="utf-8")
    count, peak = _peak(path)
    assert count == 20_000 and peak < 2_000_000 < path.stat().st_size  # the file is about 1 MB … 2 MB
    path.write_text('[{"a": 1}' + " " * 8_000_000 + ', {"b": 2}' + "\n" * 8_000_000 + "]" + " " * 8_000_000,
                    encoding="utf-8")
    count, peak = _peak(path)
    assert count == 2 and peak < 1_000_000


def test_a_record_larger_than_the_limit_is_refused_naming_it_within_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(cr, "MAX_JSON_RECORD_BYTES", 1_000_000)
    path = tmp_path / "c.json"
    path.write_text('[{"a": 1}, {"b": "' + "长" * 3_000_000 + '"}]', encoding="utf-8")
    message, peak = _peak(path)
    assert "第2条记录超过" in message and "record 2 is larger than" in message
    assert peak < 4_000_000 < path.stat().st_size
    path.write_text('[{"a": 1}, {"b": 2}, ' + "[" * 5_000_000, encoding="utf-8")  # deep, refused at once
    message, peak = _peak(path)
    assert "嵌套过深" in message and "record 3" in message and peak < 1_000_000


def test_a_float_in_every_record_is_read_record_by_record_as_json_loads_reads_it(tmp_path):
    path = tmp_path / "c.json"
    records = [{"level1": f"事项{n}", "seq": n + 0.5, "big": 10 ** 25 + n} for n in range(3000)]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    assert _same(path, (64, 4096, 1 << 22)) == (repr(records), None)


@pytest.mark.parametrize("data", [
    '[{"level1": "招生"}]'.encode("utf-16-le"),  # no BOM: NUL bytes are valid UTF-8, json refuses them
    b"\xef\xbb\xbf" + '[{"level1": "招生"}]'.encode("utf-16-le"),
    '[{"level1": "招生"}]'.encode("utf-8") + b"\xef\xbb\xbf",  # a BOM at the end
    '[{"level1": "招生\\u0000"}, {"a": "\\ud800\\udc00"}]'.encode(),
    b'[{"level1": "a"},\r\n\t{"b": "\xe6\x8b\x9b"}]\r\n',
])
def test_utf16_and_stray_boms_stream_as_the_whole_file_reads(tmp_path, data):
    path = tmp_path / "c.json"
    path.write_bytes(data)
    _same(path, (1, 3, 64, 1 << 22))


def test_the_import_refuses_a_broken_file_after_good_records_and_writes_nothing(app, tmp_path):
    """The refusal may come after records were read (and checked): the import is all or nothing."""
    from sqlalchemy import func, select

    from zwgk import models as m
    from zwgk.catalog_io import CatalogFileError, import_catalog

    good = {"level1": "低保", "content": "户主姓名", "basis": "《社会救助暂行办法》", "time_limit": "长期公示",
            "subject": "县民政局", "channels": ["公示栏"], "audience_public": True, "method_active": True,
            "levels": ["county"]}
    records = [dict(good, level2=f"子项{n}") for n in range(12_000)]  # more than a chunk written
    path = tmp_path / "c.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    with app.extensions["zwgk.db"].session() as session:  # the records are good: chunks get written
        assert import_catalog(session, app.extensions["zwgk.pm"], path, "湖南省/永州市/道县", "社会救助",
                              dry_run=True).ok
    path.write_text(json.dumps(records, ensure_ascii=False)[:-1] + ', {"a": 1} x]', encoding="utf-8")
    with app.extensions["zwgk.db"].session() as session:
        with pytest.raises(CatalogFileError, match=r"Expecting ',' delimiter.*record 12001"):
            import_catalog(session, app.extensions["zwgk.pm"], path, "湖南省/永州市/道县", "社会救助")
    with app.extensions["zwgk.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(m.CatalogItem)) == 0


def test_a_file_that_is_not_a_list_is_refused_and_read_whole_only_when_small(tmp_path, monkeypatch):
    path = tmp_path / "c.json"
    path.write_text('{"records": [{"level1": "a"}], "x": 1 1}', encoding="utf-8")
    _same(path)  # small: json's own message, as before
    monkeypatch.setattr(cr, "_JSON_WHOLE_BYTES", 16)  # larger than this: never read whole
    monkeypatch.setattr(cr, "_read_json_whole", lambda path: pytest.fail("read whole"))
    with pytest.raises(cr.CatalogFileError, match="expected a list of objects"):
        cr._JsonRows(path)
    path.write_text('{"a": ' + "[" * 70 + "]" * 70 + "}", encoding="utf-8")
    with pytest.raises(cr.CatalogFileError, match="嵌套过深"):
        cr._JsonRows(path)
    path.write_text('\ufeff\ufeff[{"level1": "a"}, {"level1": "b"}]', encoding="utf-8")
    with pytest.raises(cr.CatalogFileError, match=r"not valid JSON \(应以 \[ 开始 expected \[ first\)"):
        cr._JsonRows(path)
