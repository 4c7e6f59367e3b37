"""Reports: report.json (schema "exposure-audit/report/1") and a self-contained report.html."""

from scanner.report.html import render_html
from scanner.report.json import SCHEMA_ID, report_dict
from scanner.report.write import write_reports

__all__ = ["SCHEMA_ID", "render_html", "report_dict", "write_reports"]
