"""System checks: what PDF generation needs from the machine, reported when the site or worker starts."""

import shutil

from django.contrib.staticfiles import finders
from django.core import checks

from applications.documents import bundles, pdf


@checks.register()
def pdf_font_check(app_configs=None, **kwargs):
    """The CJK font family of `PDF_FONT_FAMILY` is installed, the PDF stylesheet is found, pdfunite is there."""
    errors = []
    family = pdf.font_family()
    problem = pdf.font_problem(family)
    if problem:
        errors.append(
            checks.Error(
                problem,
                hint=f"apt-get install {pdf.FONT_PACKAGE}；已安装的中文字体：fc-list :lang=zh family",
                obj="PDF_FONT_FAMILY",
                id="applications.E001",
            )
        )
    if shutil.which("pdfunite") is None:
        errors.append(
            checks.Warning(
                f"找不到 pdfunite：超过 {bundles.PART_SIZE} 份的申请表合订PDF将无法生成。",
                hint="apt-get install poppler-utils",
                id="applications.W001",
            )
        )
    if finders.find(pdf.STYLESHEET) is None:
        errors.append(
            checks.Error(
                f"找不到PDF样式表 static/{pdf.STYLESHEET}。",
                obj="STATICFILES_DIRS",
                id="applications.E002",
            )
        )
    return errors
