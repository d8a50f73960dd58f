"""Wagtail pages that hold the public forms, so editors write the text around them."""

from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from applications.models.campaign import Campaign

TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]
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


class ApplyPage(RoutablePageMixin, Page):
    """`/apply/`: the online application and, at `/apply/<year>/check/`, the eligibility self-check."""

    intro = RichTextField(_("申报说明"), blank=True, features=TEXT_FEATURES)
    check_intro = RichTextField(_("资格自测说明"), blank=True, features=TEXT_FEATURES)
    help_text = RichTextField(_("帮助"), blank=True, features=TEXT_FEATURES)
    contact = models.CharField(_("咨询电话"), max_length=120, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("check_intro"),
        FieldPanel("help_text"),
        FieldPanel("contact"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("网上申报页")

    @path("", name="index")
    def index(self, request):
        """The open campaign's application; without one, this page's text and where to go instead."""
        campaign = Campaign.objects.open_now().order_by("-year").first()
        if campaign:
            return redirect(self.url + self.reverse_subpage("apply", args=[campaign.year]))
        return self.render(request, context_overrides={"campaign": Campaign.objects.current()})

    @path("<int:year>/", name="apply")
    def apply(self, request, year):
        from applications.apply.flow import ApplicationFlow, summary_rows
        from applications.programme import eligibility

        campaign = get_object_or_404(Campaign, year=year)
        acceptance = eligibility.accepting(eligibility.rules_for(campaign))
        context = {"campaign": campaign, "acceptance": acceptance}
        if not acceptance.open:
            return _private(self.render(request, template="applications/apply_closed.html", context_overrides=context))
        flow = ApplicationFlow(request, campaign)
        step = flow.step
        form, response = getattr(flow, step)()
        if response is not None:
            return response
        context.update(flow=flow, step=step, form=form, steps=STEP_LABELS)
        if step == "confirm":
            context.update(error=form, summary=summary_rows(flow))
        return _private(self.render(request, template=f"applications/apply_{step}.html", context_overrides=context))

    @path("<int:year>/done/", name="done")
    def done(self, request, year):
        campaign = get_object_or_404(Campaign, year=year)
        receipt = request.session.pop(f"apply-{year}-done", None)
        if receipt is None:
            return redirect(self.url + self.reverse_subpage("apply", args=[year]))
        return _private(
            self.render(
                request,
                template="applications/apply_done.html",
                context_overrides={"campaign": campaign, "receipt": receipt},
            )
        )

    @path("<int:year>/check/", name="self_check")
    def self_check(self, request, year):
        from applications.apply.forms import NO_PREVIOUS_LEVEL, SelfCheckForm
        from applications.programme import eligibility

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
        return self.render(
            request,
            template="applications/self_check.html",
            context_overrides={
                "campaign": campaign,
                "form": form,
                "decision": decision,
                "acceptance": eligibility.accepting(rules),
            },
        )


class StatusPage(Page):
    """`/status/`: an applicant looks up an application with the ID number and the query password."""

    intro = RichTextField(_("查询说明"), blank=True, features=TEXT_FEATURES)
    help_text = RichTextField(_("帮助"), blank=True, features=TEXT_FEATURES)
    contact = models.CharField(_("咨询电话"), max_length=120, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("help_text"), FieldPanel("contact")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("进度查询页")

    def serve(self, request, *args, **kwargs):
        """GET shows the form; POST looks the application up. Neither is ever cached."""
        from applications.apply import status as status_lookup
        from applications.apply.status_forms import StatusLookupForm

        result = None
        if request.method == "POST":
            form = StatusLookupForm(request.POST)
            if form.is_valid():
                result = status_lookup.lookup(
                    form.cleaned_data["id_number"], form.cleaned_data["password"], self.client_address(request)
                )
                if result.found:  # the card shows the masked ID; the full one stays off the screen
                    form = StatusLookupForm()
        else:
            form = StatusLookupForm()
        response = super().serve(request, *args, **kwargs)
        response.context_data.update(
            {
                "form": form,
                "result": result,
                "apply_url": self.apply_url(request) if result and result.found else None,
            }
        )
        add_never_cache_headers(response)
        return response

    @staticmethod
    def client_address(request):
        from applications.core.client_address import client_address

        return client_address(request) or ""

    @staticmethod
    def apply_url(request):
        """Where to apply again: the live apply page, else `/apply/`."""
        apply_page = ApplyPage.objects.live().first()
        return (apply_page.get_url(request) if apply_page else None) or "/apply/"
