"""Public URLs of the service hall: /consultations/ and /evaluations/."""

from django.urls import path

from service_hall import views

urlpatterns = [
    path("consultations/", views.ask, name="consultation_ask"),
    path("consultations/confirm/", views.confirm, name="consultation_confirm"),
    path("consultations/<str:reference>/", views.question_detail, name="consultation_detail"),
    path("evaluations/", views.evaluations_page, name="evaluations"),
    path("evaluations/rate/<str:token>/", views.rate, name="evaluation_rate"),
]
