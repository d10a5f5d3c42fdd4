"""Every workbook the system accepts goes through one guarded reader: a zip bomb (455 KB on disk,
187 MB of shared strings inside) and a sheet with too many rows are refused at once, in Chinese,
with little memory, by the roster import, the score upload and the transactions import alike."""

import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from vanguard.core.xlsx_read import SheetReader, TooBig
from vanguard.org.roster import import_roster
from vanguard.ratings import workbook as transactions

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _workbook(sheet_xml_chunks, strings_chunks=(), sheet="花名册"):
    """An .xlsx written part by part (chunks are streamed into the zip, never held whole)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                                      f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                   '</Relationships>')
        if strings_chunks:
            with z.open("xl/sharedStrings.xml", "w") as part:
                for chunk in strings_chunks:
                    part.write(chunk)
        with z.open("xl/worksheets/sheet1.xml", "w") as part:
            for chunk in sheet_xml_chunks:
                part.write(chunk)
    return out.getvalue()


def _deflated_bomb(total=187 * 1024 * 1024):
    """(compressed bytes, crc, size) of a shared-strings part of `total` bytes, built in a fraction
    of a second: one 1 MB block is deflated once, ending in a full flush (which resets the
    compressor), so the same compressed bytes repeated make a valid stream of the block repeated."""
    head = f'<sst xmlns="{MAIN}">'.encode()
    item = b"<si><t>" + "炸".encode() * 3000 + b"</t></si>"
    block = item * (1024 * 1024 // len(item))
    tail = b"</sst>"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeated = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = total // len(block)
    last = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return first + repeated * count + last, crc, len(head) + len(block) * count + len(tail)


def _raw_zip(members):
    """A zip of (name, deflated bytes, crc, size) members, written by hand."""
    out, directory = io.BytesIO(), []
    for name, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0))
        out.write(encoded + data)
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size,
                                     len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for entry in directory:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), out.tell() - start, start, 0))
    return out.getvalue()


def _member(name, text):
    data = text.encode() if isinstance(text, str) else text
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, deflate.compress(data) + deflate.flush(), zlib.crc32(data), len(data)


def _sheet(rows, width=11):
    yield f'<worksheet xmlns="{MAIN}"><dimension ref="A1:K{rows}"/><sheetData>'.encode()
    cells = "".join(f'<c t="inlineStr"><is><t>x{c}</t></is></c>' for c in range(width))
    batch = []
    for r in range(1, rows + 1):
        batch.append(f"<row r=\"{r}\">{cells}</row>")
        if len(batch) == 5000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


@pytest.fixture(scope="module")
def bomb():
    plain = zipfile.ZipFile(io.BytesIO(_workbook(_sheet(2))))
    members = [_member(name, plain.read(name)) for name in plain.namelist()]
    data = _raw_zip([*members, ("xl/sharedStrings.xml", *_deflated_bomb())])
    assert len(data) < 1024 * 1024  # a few hundred KB on disk...
    strings = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml")
    assert strings.file_size > 180 * 1024 * 1024  # ...and 187 MB of shared strings inside
    return data


@pytest.fixture(scope="module")
def too_many_rows():
    return _workbook(_sheet(150_001))


def _refused_quickly(call):
    """Runs `call`, which must be refused; returns (message, seconds, peak bytes allocated)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises((ValidationError, TooBig)) as excinfo:
            call()
    finally:
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    error = excinfo.value
    message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return message, seconds, peak


def test_reader_refuses_a_zip_bomb_before_unpacking(bomb):
    message, seconds, peak = _refused_quickly(lambda: SheetReader(io.BytesIO(bomb), "花名册"))
    assert "解压" in message
    assert seconds < 1 and peak < 5 * 1024 * 1024


def test_every_importer_refuses_the_bomb(world, bomb, period_for_upload):
    from vanguard.assessment import workbook as scores

    calls = [
        lambda: _roster_refusal(import_roster(world.office, world.centre, SimpleUploadedFile("花名册.xlsx", bomb))),
        lambda: scores.upload(world.secretary, period_for_upload, SimpleUploadedFile("评分.xlsx", bomb)),
        lambda: transactions.read(SimpleUploadedFile("办件.xlsx", bomb)),
    ]
    for call in calls:
        message, seconds, peak = _refused_quickly(call)
        assert "解压" in message, message
        assert seconds < 2 and peak < 10 * 1024 * 1024, (seconds, peak)


def _roster_refusal(result):
    assert not result.saved
    raise ValidationError([str(e) for e in result.errors])


def test_too_many_rows_are_refused_before_they_are_read(too_many_rows):
    message, seconds, peak = _refused_quickly(lambda: transactions.read(too_many_rows))
    assert "100,000" in message and "行" in message
    assert seconds < 2 and peak < 10 * 1024 * 1024


def test_row_limit_holds_while_streaming_when_the_sheet_does_not_say(settings):
    settings.SPREADSHEET_LIMITS = {**settings.SPREADSHEET_LIMITS, "rows": 1000}
    chunks = [chunk.replace(b'<dimension ref="A1:K5000"/>', b"") for chunk in _sheet(5000)]
    reader = SheetReader(io.BytesIO(_workbook(chunks)), "花名册")
    rows = reader.rows()
    for _ in range(1001):  # the header and 1,000 rows
        next(rows)
    with pytest.raises(TooBig):
        next(rows)


def test_shared_strings_are_counted_while_streaming(settings):
    settings.SPREADSHEET_LIMITS = {**settings.SPREADSHEET_LIMITS, "shared_strings": 100}
    strings = [f'<sst xmlns="{MAIN}">'.encode(), b"<si><t>a</t></si>" * 101, b"</sst>"]
    with pytest.raises(TooBig) as excinfo:
        SheetReader(io.BytesIO(_workbook(_sheet(2), strings)), "花名册")
    assert "100" in str(excinfo.value)


def test_columns_are_bounded(settings):
    with pytest.raises(TooBig) as excinfo:
        SheetReader(io.BytesIO(_workbook(_sheet(3, width=300))), "花名册").rows().__next__()
    assert "列" in str(excinfo.value)


@pytest.fixture
def period_for_upload(world):
    import datetime

    from tests.assessment.conftest import make_scheme
    from vanguard.assessment import services

    make_scheme(world)
    return services.open_period(world.office, world.centre, datetime.date(2026, 10, 1))
