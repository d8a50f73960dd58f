"""Public downloads (filled in by the excel_views feature)."""

urlpatterns = []
