"""Every public URL of the reward programme (the admin's are registered in `wagtail_hooks.py`).

The pages (`/apply/…`, `/status/`) are Wagtail pages; these are the plain views beside them.
"""

from django.urls import path

from applications.apply import api
from applications.apply import views as apply_views
from applications.documents import views as document_views

urlpatterns = [
    path("api/v1/campaigns/<int:year>/eligibility", api.campaign_eligibility, name="eligibility_api"),
    path("attachments/<int:pk>/", apply_views.attachment, name="attachment"),
    path(
        "downloads/<int:year>/application-form.pdf", document_views.blank_application_form, name="application_form_pdf"
    ),
    path("downloads/<int:year>/summary-table.xlsx", document_views.summary_table, name="downloads_summary_table"),
    path(
        "downloads/<int:year>/summary-table-import.xlsx",
        document_views.summary_table_import,
        name="downloads_summary_table_import",
    ),
    path("downloads/<int:year>/quota-table.xlsx", document_views.quota_table, name="downloads_quota_table"),
]
