"""The demo's earlier-year applicants: a small 2021 list (`demo_data/history-2021.csv`), imported idempotently.

The list holds the demo member 王强, so a carry-over application by him is refused. It is imported for
2021 (the year before the 2022 campaign of the notice) and, when there is a demo campaign, again for the
year before it: the demo campaign is 2022 rolled forward, so its "last year" is 2021 rolled forward.
Made once per year: a year that already holds the file is left as it is, so re-running changes nothing.
"""

from pathlib import Path

from applications.programme.history_import import import_history

HISTORY_FILE = Path(__file__).resolve().parent / "demo_data" / "history-2021.csv"
HISTORY_YEAR = 2021
CARRY_OVER_REFUSED = ("王强", "330106198511110030")  # a demo member on the 2021 list


def ensure_demo_history(demo_campaign=None):
    """Import the demo list for 2021 and for the demo campaign's previous year, where not yet imported;
    returns the years that hold it."""
    from applications.models import HistoryImport

    years = [HISTORY_YEAR]
    if demo_campaign is not None and demo_campaign.year - 1 != HISTORY_YEAR:
        years.append(demo_campaign.year - 1)
    for year in years:
        if not HistoryImport.objects.filter(year=year, source=HISTORY_FILE.name).exists():
            import_history(HISTORY_FILE, year=year, actor_label="load_demo（演示数据）", source=HISTORY_FILE.name)
    return years
