"""Tests for community.amenities.ical: RFC 5545 feed rendering."""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from community.amenities.ical import CalendarEvent, escape_text, fold_line, render_calendar, unfold

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
START = datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI)


def event(**overrides) -> CalendarEvent:
    fields = dict(uid="booking-42@talent.example", start=START, end=START + timedelta(hours=1), summary="Gym")
    fields.update(overrides)
    return CalendarEvent(**fields)


def physical_lines(text: str) -> list[str]:
    assert text.endswith("\r\n")
    return text[:-2].split("\r\n")


def test_calendar_header_and_event_fields():
    text = render_calendar(
        [
            event(
                location="3号楼 会议室A",
                description="Bring ID",
                status="TENTATIVE",
                last_modified=datetime(2024, 4, 30, 12, 0, tzinfo=UTC),
                url="https://talent.example/bookings/42",
            )
        ],
        name="我的预约",
        now=NOW,
    )
    lines = unfold(text).split("\r\n")
    assert lines[:8] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Talent Community//Amenities//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:我的预约",
        "X-PUBLISHED-TTL:PT1H",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for expected in [
        "BEGIN:VEVENT",
        "UID:booking-42@talent.example",
        "DTSTAMP:20240501T080000Z",
        "DTSTART:20240506T010000Z",
        "DTEND:20240506T020000Z",
        "SUMMARY:Gym",
        "LOCATION:3号楼 会议室A",
        "DESCRIPTION:Bring ID",
        "STATUS:TENTATIVE",
        "LAST-MODIFIED:20240430T120000Z",
        "URL:https://talent.example/bookings/42",
        "END:VEVENT",
        "END:VCALENDAR",
    ]:
        assert expected in lines
    assert lines[-2] == "END:VCALENDAR"


def test_optional_fields_omitted_and_default_status():
    text = render_calendar([event()], name="Feed", now=NOW)
    assert "LOCATION" not in text and "DESCRIPTION" not in text
    assert "LAST-MODIFIED" not in text and "URL:" not in text
    assert "STATUS:CONFIRMED\r\n" in text


def test_cancelled_event_and_empty_feed():
    assert "STATUS:CANCELLED\r\n" in render_calendar([event(status="CANCELLED")], name="F", now=NOW)
    empty = render_calendar([], name="F", now=NOW)
    assert "BEGIN:VEVENT" not in empty and empty.endswith("END:VCALENDAR\r\n")


def test_crlf_everywhere():
    text = render_calendar([event(description="line1\nline2\r\nline3", summary="x" * 200)], name="F", now=NOW)
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")
    assert text.endswith("\r\n")


def test_all_datetimes_are_utc_z_form():
    text = unfold(render_calendar([event()], name="F", now=NOW))
    stamps = re.findall(r"^(?:DTSTAMP|DTSTART|DTEND):(.*)$", text, flags=re.M)
    assert len(stamps) == 3
    assert all(re.fullmatch(r"\d{8}T\d{6}Z\r?", s) for s in stamps)


def test_long_chinese_summary_is_folded_and_unfolds_back():
    summary = "人才公寓社区健身房预约：每周二晚上七点到八点，请携带门禁卡。" * 4
    text = render_calendar([event(summary=summary)], name="F", now=NOW)
    lines = physical_lines(text)
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    summary_start = next(i for i, line in enumerate(lines) if line.startswith("SUMMARY:"))
    assert lines[summary_start + 1].startswith(" ")  # it really was folded
    assert len(lines[summary_start].encode("utf-8")) > 72  # and as late as possible
    assert f"SUMMARY:{escape_text(summary)}\r\n" in unfold(text)


def test_fold_line_ascii_boundaries():
    assert fold_line("A" * 75) == "A" * 75
    folded = fold_line("A" * 200)
    parts = folded.split("\r\n")
    assert [len(p) for p in parts] == [75, 75, 52]  # 75 + 74 + 51 payload characters
    assert all(p.startswith(" ") and not p.startswith("  ") for p in parts[1:])
    assert unfold(folded) == "A" * 200


def test_fold_line_never_splits_multibyte_character():
    line = "S:" + "中" * 40  # 2 + 120 octets; 75 is not a multiple of 3 after the prefix
    parts = fold_line(line).split("\r\n")
    assert [len(p.encode("utf-8")) for p in parts] == [74, 49]
    assert unfold(fold_line(line)) == line


def test_escaping():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    text = unfold(render_calendar([event(summary="Yoga; beginners, 初级\\进阶\n2F")], name="A,B", now=NOW))
    assert "SUMMARY:Yoga\\; beginners\\, 初级\\\\进阶\\n2F\r\n" in text
    assert "X-WR-CALNAME:A\\,B\r\n" in text


def test_control_characters_are_removed():
    assert escape_text("a\x00b\x07c\td") == "abc\td"


def test_event_validation():
    naive = datetime(2024, 5, 6, 9, 0)
    with pytest.raises(ValueError, match="aware"):
        event(start=naive, end=naive + timedelta(hours=1))
    with pytest.raises(ValueError, match="status"):
        event(status="DONE")
    with pytest.raises(ValueError, match="after"):
        event(end=START)
    with pytest.raises(ValueError, match="url"):
        event(url="https://x.example/a\r\nX-EVIL:1")
    with pytest.raises(ValueError, match="aware"):
        render_calendar([], name="F", now=datetime(2024, 5, 1))
