"""The carry-over rule's one question: did this person apply in the year before the campaign?

A certificate in a campaign's carry-over window earns the reward only for someone who met the previous
year's conditions and did not apply that year ("符合上年度奖励条件，但未申请过上年度奖励"). Two places
know who applied: earlier campaigns in this database (any outcome: "申请过" is read literally) and the
history the city service center imports for years the portal did not run (`PreviousApplicant`). The
online submission, the paper entry, the Annex 4 import and the review check all ask `previous_records`.

The portal cannot know whether someone met last year's conditions, so a carry-over applicant declares
it (online a box to tick; on paper, the entering unit confirms the form's declaration).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PreviousRecord:
    """One trace of the person in the previous year: where it comes from and how it ended."""

    year: int
    source: str  # "2021年度申报 HZ2021000123" or "导入文件 history-2021.xlsx"
    result: str  # "已发放", "已驳回", "已奖励", …

    def __str__(self):
        return f"{self.year}年度，来源：{self.source}，结果：{self.result}"


def previous_records(year, id_hash, *, exclude_pk=None) -> list[PreviousRecord]:
    """Every record of the person (by keyed hash of the ID number) in `year` - 1: applications of that
    year's campaign, then imported history rows. Empty when there is none."""
    from applications.models import Application, PreviousApplicant

    previous_year = year - 1
    applications = Application.objects.filter(campaign__year=previous_year, id_hash=id_hash)
    if exclude_pk is not None:
        applications = applications.exclude(pk=exclude_pk)
    records = [
        PreviousRecord(previous_year, f"{previous_year}年度申报 {app.reference}", app.get_state_display())
        for app in applications.order_by("submitted_at")
    ]
    rows = PreviousApplicant.objects.filter(year=previous_year, id_hash=id_hash).select_related("batch")
    records += [
        PreviousRecord(previous_year, f"导入文件 {row.batch.source}", row.get_result_display())
        for row in rows.order_by("pk")
    ]
    return records


def applied_last_year(campaign, id_hash) -> bool:
    """Whether the person applied in the year before `campaign`, in the portal or in the imported history."""
    return bool(previous_records(campaign.year, id_hash))


def declaration_label(year):
    """The declaration a carry-over applicant makes, for `year`'s campaign."""
    previous = year - 1
    return f"本人符合{previous}年度奖励条件，且未申请过{previous}年度奖励（证书发证时间在补报时间段内的须勾选）"


def declaration_missing(year):
    """The reason a carry-over application without the declaration is refused."""
    previous = year - 1
    return (
        f"证书发证时间在补报时间段内：补报仅限符合{previous}年度奖励条件、且未申请过{previous}年度奖励的职工，"
        "请核实后勾选此项声明。"
    )
