"""Checks the .ics files the server wrote (PartnershipTests.calendarsForThePythonCheck, with
FLIPSIDE_ICS_OUT set) with Python's icalendar and recurring-ical-events: the meetings they expand to
across daylight-saving changes in Europe/Berlin and America/New_York, an ongoing series, a moved and a
cancelled meeting, and SEQUENCE after edits. Usage: check_ics.py DIR"""
import datetime as dt
import sys
from pathlib import Path

import icalendar
import recurring_ical_events

UTC = dt.timezone.utc


def starts(path, start, end):
    calendar = icalendar.Calendar.from_ical(Path(path).read_bytes())
    events = recurring_ical_events.of(calendar).between(start, end)
    return calendar, sorted(e["DTSTART"].dt.astimezone(UTC) for e in events)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def main(folder):
    failures = []

    def expect(condition, message):
        print(("ok   " if condition else "FAIL ") + message)
        if not condition:
            failures.append(message)

    # Weekly on Thursdays at 10:00 Berlin time from 18 March to 15 April 2027: summer time starts on
    # 28 March (09:00 UTC before, 08:00 UTC after); 1 April moved to Friday 2 April 14:00 Berlin; 8 April cancelled.
    calendar, berlin = starts(Path(folder) / "berlin.ics", utc(2027, 3, 1), utc(2027, 6, 1))
    expect(berlin == [utc(2027, 3, 18, 9), utc(2027, 3, 25, 9), utc(2027, 4, 2, 12), utc(2027, 4, 15, 8)],
           f"Berlin series expands to the right meetings: {berlin}")
    series = [c for c in calendar.walk("VEVENT") if "RRULE" in c][0]
    expect(int(series["SEQUENCE"]) == 4, f"SEQUENCE is 4 after two agreements, a move and a cancellation: {series['SEQUENCE']}")
    expect(str(series["DTSTART"].params.get("TZID")) == "Europe/Berlin", "times are in the organiser's zone")
    expect(len(calendar.walk("VTIMEZONE")) == 1, "one VTIMEZONE")
    moved = [c for c in calendar.walk("VEVENT") if "RECURRENCE-ID" in c]
    expect(len(moved) == 1 and moved[0]["UID"] == series["UID"], "the moved meeting is an override of the same UID")
    expect(series["DURATION"].dt == dt.timedelta(minutes=45), "the edited agreement's length (45 minutes) is the series' length")

    # Weekly on Thursdays at 09:30 New York time from 4 March 2027, ongoing: summer time starts on 14 March
    # (14:30 UTC before, 13:30 after) and ends on 7 November (14:30 UTC again); no end.
    calendar, new_york = starts(Path(folder) / "newyork.ics", utc(2027, 3, 1), utc(2027, 3, 26))
    expect(new_york == [utc(2027, 3, 4, 14, 30), utc(2027, 3, 11, 14, 30), utc(2027, 3, 18, 13, 30), utc(2027, 3, 25, 13, 30)],
           f"New York series crosses the change: {new_york}")
    _, late = starts(Path(folder) / "newyork.ics", utc(2027, 11, 1), utc(2027, 11, 20))
    expect(late == [utc(2027, 11, 4, 13, 30), utc(2027, 11, 11, 14, 30), utc(2027, 11, 18, 14, 30)], f"and back in November: {late}")
    _, far = starts(Path(folder) / "newyork.ics", utc(2030, 1, 1), utc(2030, 2, 1))
    expect(len(far) == 5, f"an ongoing series goes on (January 2030: {len(far)} meetings)")
    series = [c for c in calendar.walk("VEVENT") if "RRULE" in c][0]
    expect("UNTIL" not in series["RRULE"], "an ongoing series has no UNTIL")
    expect(int(series["SEQUENCE"]) == 5, f"SEQUENCE went up with the third agreement: {series['SEQUENCE']}")
    expect(not [c for c in calendar.walk("VEVENT") if "RECURRENCE-ID" in c] and "EXDATE" not in series,
           "the earlier rhythm's moved and cancelled meetings are gone with it")

    if failures:
        print(f"{len(failures)} calendar check(s) failed")
        sys.exit(1)
    print("calendar checks passed")


if __name__ == "__main__":
    main(sys.argv[1])
