"""`gridsales import|export products`: the contract columns, Chinese titles, categories by
code or name (unknown ones created, with a warning), every error, idempotency, CLI."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gridsales.core.io.runner import run_import
from gridsales.core.models import ImportRun
from gridsales.sales.io import EXPORTERS
from gridsales.sales.models import Product, ProductCategory
from gridsales.sales.tests.factories import ProductCategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "code,name,category,unit,list_price\n"
    "WATER,矿泉水,DRINK,瓶,2.50\n"
    'TEA,绿茶,饮料,盒,"1,204.00"\n'
    "CHIPS,薯片,SNACK,袋,6\n"
    "PEN,签字笔,,支,0\n"
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def drinks(db):
    return ProductCategoryFactory(code="DRINK", name="饮料")


def do_import(text: str, name: str = "products.csv", encoding: str = "utf-8", **kwargs):
    return run_import("products", user=None, data=text.encode(encoding), file_name=name, **kwargs)


def errors(report) -> list[tuple]:
    return [(e.row, e.column, e.value, e.reason) for e in report.errors]


def test_it_imports_products_and_finds_categories_by_code_or_name(drinks):
    report = do_import(GOOD, encoding="gbk")
    assert (report.encoding, report.created, report.written) == ("gb18030", 4, True)
    rows = Product.objects.order_by("code").values_list(
        "code", "category__code", "unit", "list_price"
    )
    assert list(rows) == [
        ("CHIPS", "SNACK", "袋", D("6.00")),
        ("PEN", None, "支", D("0.00")),
        ("TEA", "DRINK", "盒", D("1204.00")),
        ("WATER", "DRINK", "瓶", D("2.50")),
    ]
    assert [(w.row, w.column, w.value, w.reason) for w in report.warnings] == [
        (4, "category", "SNACK", "Unknown category: it is created with this code and name.")
    ]
    assert ProductCategory.objects.get(code="SNACK").name == "SNACK"
    assert ImportRun.objects.get().created == 4


def test_a_re_import_changes_nothing_and_a_changed_row_updates(drinks):
    do_import(GOOD)
    again = do_import(GOOD)
    assert (again.created, again.updated, again.unchanged, again.warnings) == (0, 0, 4, [])
    changed = do_import(GOOD.replace("WATER,矿泉水,DRINK,瓶,2.50", "WATER,矿泉水,DRINK,瓶,2.80"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 3)
    assert Product.objects.get(code="WATER").list_price == D("2.80")


def test_chinese_column_titles_are_accepted(drinks):
    text = "产品编码,产品名称,品类,单位,目录价\nWATER,矿泉水,饮料,瓶,2.50\n"
    report = do_import(text)
    assert report.ok and Product.objects.get(code="WATER").category == drinks


def test_every_bad_row_is_reported_and_nothing_written(drinks):
    text = (
        "code,name,category,unit,list_price\n"
        "A1,甲,DRINK,瓶,-1\n"
        "A2,乙,DRINK,瓶,1.005\n"
        "A3,丙,DRINK,瓶,¥3\n"
        "A 4,丁,DRINK,瓶,1\n"
        "A5,,DRINK,瓶,1\n"
        "A1,甲,DRINK,瓶,1\n"
        "A6,戊,新品类,瓶,1\n"
    )
    report = do_import(text)
    assert errors(report) == [
        (2, "list_price", "-1", "The list price cannot be negative."),
        (3, "list_price", "1.005", "At most 2 decimals."),
        (4, "list_price", "¥3", "Not a number: write digits with a decimal point, e.g. 1234.50."),
        (
            5,
            "code",
            "A 4",
            "A code may contain only letters, digits, dots, hyphens and underscores, at most 40 characters.",
        ),
        (6, "name", "", "This field cannot be blank."),
        (7, "code", "A1", "The code appears twice in the file (first in row 2)."),
        (
            8,
            "category",
            "新品类",
            "No category with this code or name. A new category takes the value as its code, "
            "which may hold only letters, digits, dots, hyphens and underscores: create it on "
            "the categories page first, or use its code.",
        ),
    ]
    assert not report.written and not Product.objects.exists()


def test_a_decimal_comma_is_not_a_thousands_separator(drinks):
    report = do_import('code,name,list_price\nA1,甲,"1,5"\n')
    assert errors(report) == [
        (
            2,
            "list_price",
            "1,5",
            "Not a number: write digits with a decimal point, e.g. 1234.50.",
        )
    ]


def test_skip_invalid_imports_the_good_rows(drinks):
    report = do_import(GOOD + "BAD,坏,DRINK,瓶,x\n", skip_invalid=True)
    assert (report.created, report.skipped, report.written) == (4, 1, True)


def test_missing_required_columns_reject_the_file(db):
    report = do_import("code,list_price\nA,1\n")
    assert errors(report) == [
        (
            None,
            "",
            "",
            "Required columns are missing: name. The first row must name the columns code, "
            "name, category, unit, list_price.",
        )
    ]


def test_the_export_re_imports_unchanged_in_both_formats(drinks):
    ProductFactory(code="WATER", name="矿泉水", category=drinks, list_price=D("2.50"))
    ProductFactory(code="PEN", name="签字笔", unit="", list_price=D("12"))
    for fmt, name in (("csv", "p.csv"), ("xlsx", "p.xlsx")):
        out = io.BytesIO()
        EXPORTERS["products"].write(user=None, fmt=fmt, stream=out)
        report = run_import("products", user=None, data=out.getvalue(), file_name=name)
        assert (report.unchanged, report.created, report.updated) == (2, 0, 0), fmt


def test_the_commands_import_and_export_products(drinks, tmp_path, capsys):
    source = tmp_path / "products.csv"
    source.write_text(GOOD, encoding="utf-8")
    call_command("import", "products", str(source))
    assert Product.objects.count() == 4
    target = tmp_path / "products.xlsx"
    call_command("export", "products", "--format", "xlsx", "--output", str(target))
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("code", "name", "category", "unit", "list_price")
    assert rows[1][:3] == ("CHIPS", "薯片", "SNACK")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,list_price\nX,叉,abc\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import", "products", str(bad))
    assert caught.value.returncode == 2
