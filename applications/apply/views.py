"""Public views of applying: the steps of an application, its receipt, the self-check, the status
lookup (served by `ApplyPage` and `StatusPage`, which hand off here), and the attachments.

An attachment is served to someone allowed to see it; a 404 for everyone else, anonymous included.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from applications.apply import status as status_lookup
from applications.apply.flow import ApplicationFlow, summary_rows
from applications.apply.forms import NO_PREVIOUS_LEVEL, SelfCheckForm, StatusLookupForm
from applications.core import audit
from applications.core.access import visible_applications
from applications.core.downloads import private_file_response
from applications.models import Application, Attachment, Campaign
from applications.programme import eligibility

STEP_LABELS = [
    ("identity", _("身份验证")),
    ("details", _("填写申请表")),
    ("attachments", _("上传材料")),
    ("confirm", _("确认提交")),
]


def _private(response):
    """Personal pages: never stored by the page cache, a proxy or the browser."""
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response


def apply(page, request, year):
    """`/apply/<year>/`: the current step of the online application (`ApplyPage`)."""
    campaign = get_object_or_404(Campaign, year=year)
    rules = eligibility.rules_for(campaign)
    acceptance = eligibility.accepting(rules)
    context = {"campaign": campaign, "acceptance": acceptance}
    if not acceptance.open:
        return _private(page.render(request, template="applications/apply/closed.html", context_overrides=context))
    flow = ApplicationFlow(request, campaign, rules)
    step = flow.step
    form, response = getattr(flow, step)()
    if response is not None:
        return response
    context.update(flow=flow, step=step, form=form, steps=STEP_LABELS)
    if step == "confirm":
        context.update(error=form, summary=summary_rows(flow))
    return _private(page.render(request, template=f"applications/apply/{step}.html", context_overrides=context))


def done(page, request, year):
    """`/apply/<year>/done/`: the receipt, shown once."""
    campaign = get_object_or_404(Campaign, year=year)
    receipt = request.session.pop(f"apply-{year}-done", None)
    if receipt is None:
        return redirect(page.url + page.reverse_subpage("apply", args=[year]))
    return _private(
        page.render(
            request,
            template="applications/apply/done.html",
            context_overrides={"campaign": campaign, "receipt": receipt},
        )
    )


def self_check(page, request, year):
    """`/apply/<year>/check/`: the eligibility self-check, without personal data."""
    campaign = get_object_or_404(Campaign, year=year)
    rules = eligibility.rules_for(campaign)
    # Bound only by its own fields: other parameters leave the page as it is (home/page_cache.py keys on that).
    asked = any(name in request.GET for name in SelfCheckForm.base_fields)
    form = SelfCheckForm(rules, request.GET if asked else None)
    decision = None
    if form.is_valid():
        data = form.cleaned_data
        decision = eligibility.check_certificate(
            rules,
            data["level"],
            data["issued"],
            previous_level_code=data["previous_level"] if data["previous_level"] != NO_PREVIOUS_LEVEL else None,
            applied_last_campaign=data["applied_last_campaign"],
        )
    return page.render(
        request,
        template="applications/apply/self_check.html",
        context_overrides={
            "campaign": campaign,
            "form": form,
            "decision": decision,
            "acceptance": eligibility.accepting(rules),
        },
    )


def status(page, request, *args, **kwargs):
    """`/status/` (`StatusPage`): GET shows the form; POST looks the application up. Never cached."""
    result = None
    if request.method == "POST":
        form = StatusLookupForm(request.POST)
        if form.is_valid():
            result = status_lookup.lookup(
                form.cleaned_data["id_number"], form.cleaned_data["password"], page.client_address(request)
            )
            if result.found:  # the card shows the masked ID; the full one stays off the screen
                form = StatusLookupForm()
    else:
        form = StatusLookupForm()
    response = Page.serve(page, request, *args, **kwargs)
    response.context_data.update(
        {
            "form": form,
            "result": result,
            "apply_url": page.apply_url(request) if result and result.found else None,
        }
    )
    add_never_cache_headers(response)
    return response


def attachment(request, pk):
    """The file, inline (so the review screen can show it in place), never cached."""
    allowed = visible_applications(request.user, Application.objects.all())
    item = Attachment.objects.filter(pk=pk, application__in=allowed).select_related("application").first()
    if item is None:
        raise Http404
    audit.record(request, audit.What.ATTACHMENT, item.application, detail=item.get_kind_display())
    response = private_file_response(item.file.name, item.content_type)
    response["Content-Disposition"] = f'inline; filename="{item.application.reference}-{item.kind}"'
    # An uploaded file is never a page of this site: no script, form or plugin of it runs with our origin.
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
