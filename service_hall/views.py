"""Public views of 在线咨询 and 查看评价. Forms are never cached; the published lists carry no personal data."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from applications.apply import codes
from applications.core.client_address import client_address
from applications.models import Campaign
from service_hall import consultations, evaluations
from service_hall.forms import AccessForm, CodeForm, QuestionForm, RatingForm
from service_hall.models import Question

PENDING = "consultation_pending"
BINDING = "consultation_binding"
PUBLISHED_ON_PAGE = 30


def _never_cached(response):
    add_never_cache_headers(response)
    return response


def _published():
    return Question.objects.published()[:PUBLISHED_ON_PAGE]


@require_http_methods(["GET", "POST"])
def ask(request):
    """`/consultations/`: the question form (then a code to the mobile), the published questions below it."""
    form = QuestionForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.pop("website"):
            request.session[PENDING] = {"bot": True, "mobile": data["mobile"]}
            return redirect("consultation_confirm")
        binding = request.session.get(BINDING) or codes.new_binding()
        request.session[BINDING] = binding
        try:
            consultations.send_code(data["mobile"], binding=binding, client=client_address(request))
        except codes.CodeError as refused:
            error = str(refused)
        else:
            request.session[PENDING] = data
            return redirect("consultation_confirm")
    return _never_cached(
        render(
            request,
            "service_hall/ask.html",
            {"form": form, "error": error, "published": _published(), "answer_days": consultations.answer_days()},
        )
    )


@require_http_methods(["GET", "POST"])
def confirm(request):
    """The code texted to the mobile; once it matches, the question is taken and its reference shown once."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("consultation_ask")
    form = CodeForm(request.POST or None)
    message = ""
    if request.method == "POST" and form.is_valid():
        if pending.get("bot"):
            message = "验证码不正确。"
        else:
            result = consultations.verify_code(
                pending["mobile"], form.cleaned_data["code"], binding=request.session.get(BINDING, "")
            )
            if result.ok:
                try:
                    question, access_code = consultations.ask(client=client_address(request), **pending)
                except consultations.QuestionRefused as refused:
                    message = str(refused)
                else:
                    del request.session[PENDING]
                    request.session.cycle_key()
                    return _never_cached(
                        render(request, "service_hall/asked.html", {"question": question, "access_code": access_code})
                    )
            else:
                message = result.message
    tail = pending.get("mobile", "")[-4:]
    return _never_cached(render(request, "service_hall/confirm.html", {"form": form, "message": message, "tail": tail}))


@require_http_methods(["GET", "POST"])
def question_detail(request, reference):
    """`/consultations/<reference>/`: the asker's question, its state and the answer, after the access code."""
    form = AccessForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = consultations.open_question(reference, form.cleaned_data["access_code"], client_address(request))
    return _never_cached(
        render(request, "service_hall/question.html", {"form": form, "result": result, "reference": reference})
    )


def _campaign(request):
    return Campaign.objects.chosen_or_404(request.GET.get("campaign"))


def evaluations_page(request):
    """`/evaluations/` (查看评价): per campaign and per review unit, counts per grade, satisfaction, comments."""
    campaign = _campaign(request)
    rows = evaluations.summaries(campaign) if campaign else []
    return render(
        request,
        "service_hall/evaluations.html",
        {
            "campaign": campaign,
            "campaigns": Campaign.objects.order_by("-year"),
            "rows": rows,
            "comments": evaluations.published_comments(campaign) if campaign else [],
        },
    )


@require_http_methods(["GET", "POST"])
def rate(request, token):
    """The rating form of one closed case, reached from the status lookup or the outcome SMS."""
    try:
        application = evaluations.application_for(token)
    except evaluations.RatingRefused as refused:
        return _never_cached(render(request, "service_hall/rate.html", {"refused": str(refused)}, status=404))
    if not evaluations.may_be_rated(application):
        return _never_cached(
            render(request, "service_hall/rate.html", {"refused": "该申报已评价过，每件事项只能评价一次。"})
        )
    form = RatingForm(request.POST or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            evaluations.rate(application, **form.cleaned_data)
        except evaluations.RatingRefused as error:
            refused = str(error)
        else:
            return _never_cached(
                render(
                    request,
                    "service_hall/rated.html",
                    {"evaluations_url": reverse("evaluations"), "rectification_days": evaluations.rectification_days()},
                )
            )
    context = {"form": form, "application": application, "refused": refused}
    return _never_cached(render(request, "service_hall/rate.html", context))
