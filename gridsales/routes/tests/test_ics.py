"""The calendar file: RFC 5545 folding and escaping, local times with their zone."""

import datetime as dt
from zoneinfo import ZoneInfo

from gridsales.routes import ics

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_text_is_escaped():
    assert ics.escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "拜访客户" * 12  # 8 + 144 octets: 22, 24 and 2 characters
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert [len(p.encode()) for p in parts] == [74, 73, 7]
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_a_short_line_is_left_alone():
    assert ics.fold("VERSION:2.0") == "VERSION:2.0"


def test_the_calendar_has_local_times_a_zone_geo_and_stable_uids():
    start = dt.datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)
    event = ics.Event(
        uid="gridsales-route-7-20261128-activity-3@gridsales",
        start=start,
        end=start + dt.timedelta(minutes=45),
        summary="1. 客户 A, 一号店; 二楼",
        description="Window 09:00–09:15\nAmap: https://uri.amap.com/marker?position=1,2",
        location="上海市静安区南京西路 1 号",
        geo=(31.2304, 121.4737),
        url="http://testserver/routes/7/",
    )
    text = ics.calendar(
        [event],
        tzid="Asia/Shanghai",
        name="Visits of 2026-11-28",
        stamp=dt.datetime(2026, 11, 27, 1, 2, 3, tzinfo=dt.UTC),
        on=dt.datetime(2026, 11, 28, tzinfo=SHANGHAI),
    )
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.replace("\r\n ", "").split("\r\n")
    for expected in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "TZID:Asia/Shanghai",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "UID:gridsales-route-7-20261128-activity-3@gridsales",
        "DTSTAMP:20261127T010203Z",
        "DTSTART;TZID=Asia/Shanghai:20261128T090000",
        "DTEND;TZID=Asia/Shanghai:20261128T094500",
        "SUMMARY:1. 客户 A\\, 一号店\\; 二楼",
        "LOCATION:上海市静安区南京西路 1 号",
        "GEO:31.230400;121.473700",
        "DESCRIPTION:Window 09:00–09:15\\nAmap: https://uri.amap.com/marker?position=1\\,2",
        "URL:http://testserver/routes/7/",
    ]:
        assert expected in lines, expected
    assert lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
