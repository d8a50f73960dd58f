"""在线咨询 under the retention rules: a question's mobile and name go with its application, or a while after
its answer when it names none.

A question linked to an application loses the asker's mobile and name when that application is anonymised
(`applications.records.retention.PersonalDataStep`, which runs before this step). A question linked to none
loses them `RETENTION_QUESTION_MONTHS` (12) after it was answered: the asker reads the answer with the
reference and code they were given, which stay. The question, the answer and their public versions stay,
so the published answers and every figure of the desks stay as they were.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from applications.records.retention import RetentionStep
from service_hall.models import Question

DEFAULT_QUESTION_MONTHS = 12


def forget_asker(questions):
    """Empty the mobile and name of `questions` (a queryset); returns how many changed."""
    return questions.exclude(mobile="", name="").update(mobile="", name="")


class QuestionsStep(RetentionStep):
    name = "questions"
    label = "删除超过保存期限的咨询人手机号码和姓名"

    def _due(self, today):
        months = getattr(settings, "RETENTION_QUESTION_MONTHS", DEFAULT_QUESTION_MONTHS)
        day = today - relativedelta(months=months) + datetime.timedelta(days=1)
        cutoff = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        linked_done = Q(application__isnull=False, application__retention__anonymised_at__isnull=False)
        unlinked_due = Q(application__isnull=True, answered_at__lt=cutoff)
        return Question.objects.filter(linked_done | unlinked_due).exclude(mobile="", name="")

    def due(self, today, after_pk, limit):
        rows = self._due(today).filter(pk__gt=after_pk).order_by("pk").values_list("pk", "reference")[:limit]
        return list(rows)

    def act(self, pks, now):
        forget_asker(Question.objects.filter(pk__in=pks))
