"""Open data: the documentation page and the CSV and JSON downloads (published reports only)."""

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from .. import opendata
from ..caching import public_page

# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


@public_page
def data_index(request):
    return render(
        request,
        "reports/data.html",
        {
            "report_fields": opendata.REPORT_FIELDS,
            "section_columns": opendata.SECTION_COLUMNS,
            "bsp_fields": opendata.BSP_FIELDS,
        },
    )


@public_page
def reports_csv(request):
    header = [name for name, _ in opendata.REPORT_FIELDS + opendata.SECTION_COLUMNS]
    return _csv_response(
        "tce-learning-reports.csv", header, opendata.report_rows(request.build_absolute_uri)
    )


@public_page
def reports_json(request):
    records = [
        opendata.report_record(report, request.build_absolute_uri)
        for report in opendata.published_reports()
    ]
    return JsonResponse(
        {
            "source": "Project Learning Reports published by the TCE Support Programme",
            "count": len(records),
            "reports": records,
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@public_page
def bsps_csv(request):
    header = [name for name, _ in opendata.BSP_FIELDS]
    return _csv_response(
        "tce-bsp-register.csv", header, opendata.bsp_rows(request.build_absolute_uri)
    )
