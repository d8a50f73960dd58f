"""A unit's filled Annex 3 forms as one PDF, one page per application, made by a background task.

Who may do what: a unit reviewer requests and downloads bundles of their own unit's applications;
the city service center (view_all_applications) those of any unit or of the whole city. Anyone
else sees no bundle at all.

The task renders the forms in chunks (one HTML document per chunk, one layout pass, shared
stylesheet and fonts) as values layers over the blank form laid out once (pdf.render_layers; a form
with a value that does not fit is rendered whole), records its progress after each chunk, joins the
chunks' pages into one PDF per part of at most PART_SIZE forms, drawing the blank form under each
values layer, and the parts into the one PDF kept in private storage.

A worker killed mid-way (or a machine restarted) leaves its bundle running with no one building
it: a running bundle whose progress (`progress_at`, written at each chunk) is older than
STALLED_AFTER is marked failed when the list is shown or a bundle is requested (`fail_stalled`),
so it can be requested again instead of showing 生成中 for good.
"""

import datetime
import gc
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from applications.core.access import review_scope
from applications.core.constants import ApplicationState
from applications.documents import pdf
from applications.models import Application, DocumentBundle

logger = logging.getLogger(__name__)

CHUNK_SIZE = 40
PART_SIZE = 200
DEFAULT_STATES = (ApplicationState.UNIT_APPROVED, ApplicationState.APPROVED)
MAX_FORMS = 10000
ERROR_LENGTH = 1000
# A chunk of forms takes seconds, joining the parts well under a minute: this long without progress, the worker died.
STALLED_AFTER = datetime.timedelta(minutes=3)
STALLED_MESSAGE = "生成中断：后台任务已停止（如服务器重启），请重新生成。"


class BundleError(Exception):
    """The bundle cannot be requested; the message says why, in Chinese."""


def bundle_scope(user):
    """Whose forms the user may bundle and download (the city: any unit), or None: as for applications."""
    return review_scope(user)


def visible_bundles(user, queryset=None):
    """The bundles `user` may see: their unit's (unit reviewers) or all (the city)."""
    queryset = DocumentBundle.objects.all() if queryset is None else queryset
    scope = bundle_scope(user)
    if scope is None:
        return queryset.none()
    if scope.city_wide:
        return queryset
    return queryset.filter(unit=scope.unit)


def bundle_states(bundle):
    return [state for state in bundle.states.split(",") if state]


def bundle_label(bundle):
    """What a bundle holds, in words: year, unit (or the whole city) and states."""
    labels = dict(ApplicationState.choices)
    states = "、".join(str(labels.get(state, state)).split("，")[0] for state in bundle_states(bundle))
    return f"{bundle.campaign.year}年度 {bundle.unit.name if bundle.unit_id else '全市'}（{states}）"


def applications_for(campaign, unit, states):
    """The applications a bundle of `campaign`, `unit` (None: all units) and `states` holds, in print order."""
    queryset = Application.objects.filter(campaign=campaign, state__in=list(states))
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    return queryset.order_by("unit__sort_order", "unit__name", "submitted_at", "pk")


def request_bundle(user, campaign, unit, states):
    """Record a bundle for `user` and queue its task; returns the bundle.

    `unit` None means all units, for the city only. Raises BundleError when the user may not
    bundle that unit or nothing matches.
    """
    scope = bundle_scope(user)
    if scope is None or (not scope.city_wide and (unit is None or unit.pk != scope.unit.pk)):
        raise BundleError("您无权生成这个审核单位的申请表。")
    fail_stalled()
    states = [str(state) for state in states]
    if not states or not set(states) <= set(ApplicationState.values):
        raise BundleError("请至少选择一种申报状态。")
    with transaction.atomic():
        total = applications_for(campaign, unit, states).count()
        if not total:
            raise BundleError("没有符合条件的申报。")
        if total > MAX_FORMS:
            raise BundleError(f"共 {total} 份，超过一次最多 {MAX_FORMS} 份；请按审核单位分别生成。")
        bundle = DocumentBundle.objects.create(
            kind=DocumentBundle.Kind.APPLICATION_FORMS,
            campaign=campaign,
            unit=unit,
            states=",".join(states),
            requested_by=user,
            total=total,
        )
    # Queued after the bundle is committed, so a worker never looks for a bundle it cannot see yet.
    try:
        result = build_bundle.enqueue(bundle.pk)
    except Exception as error:
        logger.exception("could not queue bundle %s", bundle.pk)
        _fail(bundle.pk, f"无法排队生成：{error}")
    else:
        DocumentBundle.objects.filter(pk=bundle.pk).update(task_id=str(result.id))
    bundle.refresh_from_db()
    return bundle


def _fail(bundle_id, message):
    DocumentBundle.objects.filter(pk=bundle_id).update(
        state=DocumentBundle.State.FAILED, error=message[:ERROR_LENGTH], finished_at=timezone.now()
    )


def fail_stalled(now=None):
    """Mark failed every running bundle without progress for STALLED_AFTER; returns how many."""
    now = now or timezone.now()
    quiet_since = now - STALLED_AFTER
    stalled = DocumentBundle.objects.filter(state=DocumentBundle.State.RUNNING).filter(
        Q(progress_at__lt=quiet_since) | Q(progress_at__isnull=True, created_at__lt=quiet_since)
    )
    count = stalled.update(state=DocumentBundle.State.FAILED, error=STALLED_MESSAGE, finished_at=now)
    if count:
        logger.error("%s bundle(s) stalled (worker gone) marked failed", count)
    return count


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _render_part(application_ids, chunk_size, title, now, on_chunk):
    """Up to PART_SIZE forms as the bytes of one PDF: one HTML document per chunk, pages joined once.

    The laid-out pages of finished chunks stay in memory until the part is written; they are moved
    out of the garbage collector's sight meanwhile (gc.freeze), which would otherwise walk them again
    and again.
    """
    documents, pages = [], []
    try:
        for chunk in _chunks(application_ids, chunk_size):
            found = Application.objects.select_related("campaign", "unit", "new_level", "previous_level")
            found = found.prefetch_related("events").in_bulk(chunk)
            forms = [pdf.filled_form(found[pk], now=now) for pk in chunk if pk in found]
            if forms:
                chunk_pages, chunk_documents = pdf.render_layers(forms, title=title)
                pages += chunk_pages
                documents += chunk_documents
            gc.freeze()
            on_chunk(len(chunk))
        return pdf.write_layers(documents, pages) if pages else None
    finally:
        gc.unfreeze()


def render_bundle(
    application_ids, *, chunk_size=CHUNK_SIZE, part_size=PART_SIZE, title=None, on_progress=None, now=None
):
    """The filled forms of `application_ids`, in that order, as the bytes of one PDF.

    Renders `chunk_size` forms per HTML document and calls `on_progress(done)` after each chunk.
    Beyond `part_size` forms, parts are written one after the other (so memory stays bounded
    whatever the number of forms) and joined with poppler's pdfunite.
    """
    now = now or timezone.now()
    ids, done = list(application_ids), 0

    def on_chunk(count):
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done)

    with tempfile.TemporaryDirectory(prefix="annex3-bundle-") as directory:
        parts = []
        for number, part in enumerate(_chunks(ids, part_size)):
            content = _render_part(part, chunk_size, title, now, on_chunk)
            if content is not None:
                parts.append(Path(directory) / f"part-{number:04d}.pdf")
                parts[-1].write_bytes(content)
        if not parts:
            raise BundleError("没有符合条件的申报。")
        if len(parts) == 1:
            return parts[0].read_bytes()
        joined = Path(directory) / "bundle.pdf"
        subprocess.run([pdf_join_command(), *map(str, parts), str(joined)], check=True, capture_output=True)
        return joined.read_bytes()


def pdf_join_command():
    """The pdfunite program (Debian's poppler-utils), or BundleError naming the package."""
    command = shutil.which("pdfunite")
    if command is None:
        raise BundleError(f"合订超过 {PART_SIZE} 份需要 pdfunite 程序：请安装 Debian 软件包 poppler-utils。")
    return command


@task()
def build_bundle(bundle_id, chunk_size=CHUNK_SIZE):
    """Render a queued bundle, store its file and mark it done, or failed with the reason."""
    claimed = DocumentBundle.objects.filter(pk=bundle_id, state=DocumentBundle.State.QUEUED).update(
        state=DocumentBundle.State.RUNNING, done=0, error="", progress_at=timezone.now()
    )
    if not claimed:
        return  # already taken by another worker, or finished
    bundle = DocumentBundle.objects.select_related("campaign", "unit").get(pk=bundle_id)
    try:
        ids = list(applications_for(bundle.campaign, bundle.unit, bundle_states(bundle)).values_list("pk", flat=True))
        DocumentBundle.objects.filter(pk=bundle_id).update(total=len(ids))
        content = render_bundle(
            ids,
            chunk_size=chunk_size,
            title=f"{pdf.form_title(bundle.campaign)}（{bundle_label(bundle)}，共{len(ids)}份）",
            on_progress=lambda done: DocumentBundle.objects.filter(pk=bundle_id).update(
                done=done, progress_at=timezone.now()
            ),
        )
        name = f"annex3-{bundle.campaign.year}-{bundle.unit_id or 'all'}-{bundle.pk}.pdf"
        with transaction.atomic():
            bundle.refresh_from_db()
            bundle.file.save(name, ContentFile(content), save=False)
            bundle.state = DocumentBundle.State.DONE
            bundle.done = bundle.total = len(ids)
            bundle.finished_at, bundle.error = timezone.now(), ""  # done after all, even if marked stalled
            bundle.save(update_fields=["file", "state", "done", "total", "finished_at", "error"])
    except Exception as error:
        logger.exception("bundle %s failed", bundle_id)
        _fail(bundle_id, str(error) or error.__class__.__name__)
        raise
    return bundle.file.name
