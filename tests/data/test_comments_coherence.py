"""The comments make sense: a product is only paired with accessories that fit it."""

from __future__ import annotations

import course.data
from course.data import comments as generator


def test_no_comment_pairs_a_product_with_an_accessory_that_does_not_fit_it():
    """Does every comment naming a product and an accessory name one that fits (no toaster pods)?"""
    texts = course.data.load("comments")["text"]
    bad = []
    for fits in generator._FITS.values():
        accessories = {a for options in fits.values() for a in options}
        for text in texts:
            low = text.lower()
            products = [p for p in fits if p.lower() in low]
            named = [a for a in accessories if a.lower() in low]
            if len(products) == 1 and named and not set(named) <= set(fits[products[0]]):
                bad.append(text)
    assert bad == []


def test_only_descalable_products_are_descaled():
    """Is descaling only ever asked about kettles, coffee makers and the steam iron?"""
    texts = course.data.load("comments")["text"]
    descalable = [p.lower() for options in generator._DESCALABLE.values() for p in options]
    asked = [t for t in texts if "détartre" in t or "descale" in t]
    assert asked and all(any(p in t.lower() for p in descalable) for t in asked)
