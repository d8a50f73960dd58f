"""Admin screens: the question queue and answering, the rectification items of bad ratings, exclusions,
and their lines of the admin home's to-do panel. Another unit's question or item is a 404, as for applications."""

from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

from applications.core.access import can_view
from applications.core.admin_pages import admin_page, forbidden
from service_hall import access, consultations, evaluations
from service_hall.forms import AnswerForm, ExcludeForm, PublishForm, RectificationForm
from service_hall.models import Desk, Question, Rating, Rectification, Topic


def _questions(request):
    return access.visible_questions(request.user, Question.objects.select_related("unit", "application"))


def question_queue(request):
    """The queue: filters unanswered / overdue / all, topic and unit; each row's age against the service time."""
    if not access.may_answer_questions(request.user):
        return forbidden(request)
    now = timezone.now()
    questions = _questions(request)
    state = request.GET.get("state", "unanswered")
    if state == "unanswered":
        questions = questions.unanswered()
    elif state == "overdue":
        questions = questions.overdue(now)
    elif state == "answered":
        questions = questions.filter(answered_at__isnull=False)
    topic = request.GET.get("topic", "")
    if topic in Topic.values:
        questions = questions.filter(topic=topic)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        questions = questions.filter(unit_id=int(unit))
    elif unit in Desk.values:
        questions = questions.filter(desk=unit)
    rows = [
        {
            "question": question,
            "age": consultations.age_in_working_days(question, now),
            "overdue": question.is_overdue(now),
        }
        for question in questions.order_by(F("answered_at").asc(nulls_first=True), "due_at")[:200]
    ]
    units = _questions(request).filter(unit__isnull=False).values_list("unit_id", "unit__name").distinct()
    figures = consultations.figures(Question.objects.all(), now) if access.sees_city_figures(request.user) else None
    return admin_page(
        request,
        "service_hall/admin/queue.html",
        _("在线咨询"),
        {
            "rows": rows,
            "state": state,
            "topic": topic,
            "unit": unit,
            "topics": Topic.choices,
            "desks": [(Desk.SERVICE_CENTER, Desk.SERVICE_CENTER.label), (Desk.ECONOMIC_DEPT, Desk.ECONOMIC_DEPT.label)],
            "units": sorted(set(units), key=lambda pair: pair[1]),
            "figures": figures,
            "service_days": consultations.answer_days(),
        },
        icon="help",
    )


def question_answer(request, pk):
    """One question: answer it (the asker is texted), then publish an edited version or take it back."""
    if not access.may_answer_questions(request.user):
        return forbidden(request)
    question = get_object_or_404(_questions(request), pk=pk)
    answer_form = AnswerForm(initial={"answer": question.answer})
    publish_form = PublishForm(
        initial={
            "public_question": question.public_question or question.text,
            "public_answer": question.public_answer or question.answer,
        }
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "answer":
            answer_form = AnswerForm(request.POST)
            if answer_form.is_valid():
                consultations.answer(question, answer_form.cleaned_data["answer"], request.user)
                messages.success(request, _("已答复，并短信通知提问人。"))
                return redirect("service_hall_question", pk=question.pk)
        elif action == "publish" and question.answered:
            publish_form = PublishForm(request.POST)
            if publish_form.is_valid():
                consultations.publish(question, **publish_form.cleaned_data, user=request.user)
                messages.success(request, _("已公开到在线咨询页面。"))
                return redirect("service_hall_question", pk=question.pk)
        elif action == "unpublish":
            consultations.unpublish(question)
            messages.success(request, _("已取消公开。"))
            return redirect("service_hall_question", pk=question.pk)
    application_url = None
    if question.application_id and can_view(request.user, question.application):
        application_url = reverse("applications_review", args=[question.application_id])
    return admin_page(
        request,
        "service_hall/admin/question.html",
        _("咨询 %(reference)s") % {"reference": question.reference},
        {
            "question": question,
            "answer_form": answer_form,
            "publish_form": publish_form,
            "application_url": application_url,
            # A reference is no proof of who asks: say whether the asker's mobile is the application's.
            "same_mobile": bool(question.application_id) and question.application.mobile == question.mobile,
            "age": consultations.age_in_working_days(question),
            "overdue": question.is_overdue(),
        },
        icon="help",
        parents=[(reverse("service_hall_questions"), _("在线咨询"))],
    )


def _rectifications(request):
    return access.visible_rectifications(
        request.user, Rectification.objects.select_related("unit", "rating__application", "rating__campaign")
    )


def rectification_list(request):
    """Bad ratings to check, rectify and answer: the unit's own, or all for the city (overdue first)."""
    if not access.may_see_ratings(request.user):
        return forbidden(request)
    now = timezone.now()
    items = _rectifications(request)
    state = request.GET.get("state", "open")
    if state == "open":
        items = evaluations.open_rectifications(items)
    elif state == "overdue":
        items = evaluations.overdue_rectifications(items, now)
    ratings = access.visible_ratings(request.user, Rating.objects.select_related("unit", "application"))
    units = sorted(set(ratings.values_list("unit_id", "unit__name")), key=lambda pair: pair[1])
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        items = items.filter(unit_id=int(unit))
        ratings = ratings.filter(unit_id=int(unit))
    items = items.order_by(F("replied_at").asc(nulls_first=True), "due_at")[:200]
    rows = [{"item": item, "overdue": item.is_overdue(now)} for item in items]
    return admin_page(
        request,
        "service_hall/admin/rectifications.html",
        _("评价整改"),
        {
            "rows": rows,
            "state": state,
            "unit": unit,
            "units": units if len(units) > 1 else [],
            "ratings": ratings.order_by("-created_at")[:100],
            "may_exclude": access.may_exclude_ratings(request.user),
        },
        icon="warning",
    )


def rectification_detail(request, pk):
    """One bad rating: its unit checks, rectifies and replies (texted to the worker)."""
    if not access.may_see_ratings(request.user):
        return forbidden(request)
    item = get_object_or_404(_rectifications(request), pk=pk)
    may_reply = access.may_rectify(request.user, item) and not item.done
    form = RectificationForm(request.POST or None) if may_reply else None
    if request.method == "POST":
        if not may_reply:
            return forbidden(request)
        if form.is_valid():
            try:
                evaluations.reply(
                    item,
                    finding=form.cleaned_data["finding"],
                    measures=form.cleaned_data["measures"],
                    reply_text=form.cleaned_data["reply"],
                    user=request.user,
                )
            except evaluations.RatingRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, _("已答复评价人，并短信通知。"))
            return redirect("service_hall_rectification", pk=item.pk)
    return admin_page(
        request,
        "service_hall/admin/rectification.html",
        _("评价整改 %(reference)s") % {"reference": item.rating.application.reference},
        {"item": item, "rating": item.rating, "form": form, "overdue": item.is_overdue()},
        icon="warning",
        parents=[(reverse("service_hall_rectifications"), _("评价整改"))],
    )


def rating_exclude(request, pk):
    """The city service center leaves a mistaken or malicious rating out of the figures, with a reason."""
    if not access.may_exclude_ratings(request.user):
        raise Http404
    rating = get_object_or_404(Rating.objects.select_related("application", "unit"), pk=pk)
    form = ExcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        evaluations.exclude(rating, reason=form.cleaned_data["reason"], user=request.user)
        messages.success(request, _("已剔除该评价。"))
        return redirect("service_hall_rectifications")
    return admin_page(
        request,
        "service_hall/admin/exclude.html",
        _("剔除评价"),
        {"rating": rating, "form": form},
        icon="warning",
        parents=[(reverse("service_hall_rectifications"), _("评价整改"))],
    )


def urls():
    return [
        path("consultations/", question_queue, name="service_hall_questions"),
        path("consultations/<int:pk>/", question_answer, name="service_hall_question"),
        path("evaluations/", rectification_list, name="service_hall_rectifications"),
        path("evaluations/<int:pk>/", rectification_detail, name="service_hall_rectification"),
        path("evaluations/ratings/<int:pk>/exclude/", rating_exclude, name="service_hall_rating_exclude"),
    ]


class _QuestionsMenuItem(MenuItem):
    def is_shown(self, request):
        return access.may_answer_questions(request.user)


class _RatingsMenuItem(MenuItem):
    def is_shown(self, request):
        return access.may_see_ratings(request.user)


def questions_menu_item():
    return _QuestionsMenuItem(
        gettext_lazy("在线咨询"), reverse("service_hall_questions"), name="consultations", icon_name="help", order=160
    )


def ratings_menu_item():
    return _RatingsMenuItem(
        gettext_lazy("评价整改"),
        reverse("service_hall_rectifications"),
        name="rectifications",
        icon_name="warning",
        order=161,
    )


def todo_items(user):
    """The service hall's lines of the admin home's to-do panel (`applications.review.todo`): questions awaiting
    an answer and bad ratings awaiting rectification in the user's scope, and the overdue ones among them."""
    from applications.review.todo import TodoItem

    now = timezone.now()
    items = []
    if access.may_answer_questions(user):
        url = reverse("service_hall_questions")
        questions = access.visible_questions(user, Question.objects.all())
        unanswered, overdue = questions.unanswered().count(), questions.overdue(now).count()
        # The queue shows the unanswered ones by default.
        items.append(TodoItem(_("待答复咨询 %(count)s 件") % {"count": unanswered}, unanswered, url))
        if overdue:
            items.append(
                TodoItem(_("超时未答复咨询 %(count)s 件") % {"count": overdue}, overdue, f"{url}?state=overdue", True)
            )
    if access.may_see_ratings(user):
        url = reverse("service_hall_rectifications")
        rectifications = access.visible_rectifications(user, Rectification.objects.all())
        open_items = evaluations.open_rectifications(rectifications).count()
        overdue = evaluations.overdue_rectifications(rectifications, now).count()
        items.append(
            TodoItem(_("待整改差评 %(count)s 件") % {"count": open_items}, open_items, url)
        )  # its default filter
        if overdue:
            items.append(
                TodoItem(_("超时未整改差评 %(count)s 件") % {"count": overdue}, overdue, f"{url}?state=overdue", True)
            )
    return items
