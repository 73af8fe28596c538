#!/usr/bin/env python3
"""Write the bundled sample exports of one fictional seller, "Brightwell Home & Garden".

    python sample_data/generate.py            # writes next to this script
    python sample_data/generate.py --out DIR  # writes into DIR

Standard library only and byte-for-byte reproducible: one `random.Random(SEED)`, fixed dates (never
the wall clock), rows written in a fixed order, explicit line endings and encodings, and a gzip
member with mtime 0 and no file name (gzip.compress). zlib builds (zlib, zlib-ng) may compress
the same input to other bytes; the content is what the tests hold the committed file to.

This script must not import `odr`: the files it writes are what `odr` is tested against.

The story, the hand-derived ODR figures and what each file exercises are in README.md beside this
script. The numbers there follow from three things in this file:
  * STREAMS: a fixed number of orders per day per marketplace x channel;
  * every 37th order of each stream is cancelled (CANCEL_EVERY);
  * CASES: the hand-written table of orders that received feedback, A-to-z claims or chargebacks.
Randomness only fills in ids, times of day, products, quantities, addresses and buyer e-mails.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SEED = 20261118

FIRST_DAY = date(2026, 8, 21)
DAYS = 90
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)  # 2026-11-18: the day the exports were downloaded
LAST_MOMENT = datetime(2026, 11, 18, 23, 59, 59, tzinfo=UTC)
# Amazon's ODR window (and odr's default, as_of - 14 days, 60 days inclusive).
WINDOW_START = date(2026, 9, 6)
WINDOW_END = date(2026, 11, 4)
WINDOW_DAYS = (WINDOW_END - WINDOW_START).days + 1

CANCEL_EVERY = 37  # order number 37, 74, 111, ... of each stream is Cancelled

# (marketplace, channel, orders per day). Orders per stream are numbered 1, 2, 3, ... day by day in
# this order, and that number decides cancellation, so the denominators follow by arithmetic.
STREAMS: tuple[tuple[str, str, int], ...] = (
    ("US", "MFN", 14),
    ("US", "AFN", 9),
    ("DE", "MFN", 6),
    ("DE", "AFN", 5),
    ("ES", "MFN", 3),
    ("ES", "AFN", 2),
)


@dataclass(frozen=True)
class Marketplace:
    code: str
    marketplace_id: str
    sales_channel: str
    currency: str
    feedback_domain: str


MARKETPLACES = {
    "US": Marketplace("US", "ATVPDKIKX0DER", "Amazon.com", "USD", "com"),
    "DE": Marketplace("DE", "A1PA6795UKMFR9", "Amazon.de", "EUR", "de"),
    "ES": Marketplace("ES", "A1RKKUPIHCS9HS", "Amazon.es", "EUR", "es"),
}
FULFILLMENT_CHANNEL = {"AFN": "Amazon", "MFN": "Merchant"}


# --------------------------------------------------------------------------------------------
# Catalogue: sku, asin, English / German / Spanish listing title, price in USD cents, EUR cents
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Product:
    sku: str
    asin: str
    name_en: str
    name_de: str
    name_es: str
    usd: int
    eur: int

    def name(self, market: str) -> str:
        return {"US": self.name_en, "DE": self.name_de, "ES": self.name_es}[market]


CATALOG: tuple[Product, ...] = (
    Product("BW-KT-0142", "B0C7K2M9QX",
            "Brightwell Borosilicate Glass Teapot with Removable Stainless Steel Infuser, 40 oz / 1.2 L",
            "Brightwell Teekanne aus Borosilikatglas mit herausnehmbarem Edelstahl-Teesieb, 1,2 Liter",
            "Brightwell Tetera de vidrio borosilicato con infusor extraíble de acero inoxidable, 1,2 litros",
            2799, 2699),
    Product("BW-KT-0157", "B0BX4T7NQ2",
            "Brightwell Stainless Steel Garlic Press with Silicone Garlic Peeler, Dishwasher Safe",
            "Brightwell Knoblauchpresse aus Edelstahl mit Silikon-Knoblauchschäler, spülmaschinenfest",
            "Brightwell Prensa de ajos de acero inoxidable con pelador de silicona, apta para lavavajillas",
            1499, 1399),
    Product("BW-KT-0163", "B0D1R8KPZ5",
            "Brightwell Glass Olive Oil Dispenser Bottle 17 oz with Stainless Pourer, Set of 2",
            "Brightwell Ölspender aus Glas 500 ml mit Ausgießer, 2er-Set für Olivenöl und Essig",
            "Brightwell Aceitera de vidrio 500 ml con vertedor antigoteo, juego de 2",
            1999, 1899),
    # The inch marks are real-world: a double quote inside an unquoted tab-delimited field.
    Product("BW-KT-0171", "B09WJ3LM6H",
            'Brightwell Bamboo Cutting Board Set of 3 with Juice Groove, Largest 15" x 10"',
            "Brightwell Schneidebrett-Set aus Bambus, 3-teilig, mit Saftrille",
            "Brightwell Juego de 3 tablas de cortar de bambú con ranura para jugos",
            3299, 2999),
    Product("BW-KT-0188", "B0CHF2V8TD",
            "Brightwell Silicone Baking Mat, Non-Stick, Half Sheet Size, 2-Pack",
            "Brightwell Silikon-Backmatte, antihaftbeschichtet, 2er-Pack, 40 x 30 cm",
            "Brightwell Tapete de silicona para hornear, antiadherente, pack de 2",
            1299, 1249),
    Product("BW-KT-0204", "B0B8N5QX3W",
            "Brightwell Digital Kitchen Scale, 11 lb / 5 kg, Tempered Glass Platform, Tare Function",
            "Brightwell Digitale Küchenwaage bis 5 kg, Wiegefläche aus gehärtetem Glas, Tara-Funktion",
            "Brightwell Báscula de cocina digital 5 kg, plataforma de vidrio templado, función tara",
            2199, 1999),
    Product("BW-KT-0219", "B0C4ZP7R1K",
            "Brightwell Ceramic Knife Set, 4 Pieces with Sheaths, Black Blades",
            "Brightwell Keramikmesser-Set, 4-teilig, mit Schutzhüllen, schwarze Klingen",
            "Brightwell Juego de cuchillos de cerámica, 4 piezas con fundas, hoja negra",
            2999, 2799),
    Product("BW-KT-0233", "B0D6M2HJ9Y",
            "Brightwell Ceramic Pour-Over Coffee Dripper, Size 02, White",
            "Brightwell Kaffeefilter-Aufsatz aus Keramik, Größe 02, Weiß",
            "Brightwell Cafetera de goteo de cerámica, tamaño 02, blanca",
            1849, 1699),
    Product("BW-KT-0247", "B0BQK8W4FN",
            "Brightwell Magnetic Stainless Steel Measuring Spoons, Set of 6",
            "Brightwell Magnetische Messlöffel aus Edelstahl, 6er-Set",
            "Brightwell Cucharas medidoras magnéticas de acero inoxidable, juego de 6",
            1199, 1099),
    Product("BW-KT-0252", "B0CT5X1RJ7",
            "Brightwell Enameled Cast Iron Dutch Oven with Lid, 4.5 Quart, Sage Green",
            "Brightwell Gusseisen-Bräter emailliert mit Deckel, 4,3 Liter, Salbeigrün",
            "Brightwell Olla de hierro fundido esmaltado con tapa, 4,3 litros, verde salvia",
            6499, 5999),
    Product("BW-KT-0268", "B09YH6D3PM",
            "Brightwell Silicone Spatula Set, 5 Pieces, Heat Resistant to 600°F",
            "Brightwell Silikon-Teigschaber-Set, 5-teilig, hitzebeständig bis 300 °C",
            "Brightwell Juego de espátulas de silicona, 5 piezas, resistentes hasta 300 °C",
            1399, 1299),
    Product("BW-HM-0305", "B0C9V2LQ8E",
            "Brightwell Linen Blend Tea Towels, Set of 4, Sage Green",
            "Brightwell Geschirrtücher aus Leinenmischung, 4er-Set, Salbeigrün",
            "Brightwell Paños de cocina de mezcla de lino, juego de 4, verde salvia",
            1699, 1599),
    Product("BW-HM-0312", "B0DA7NX4KC",
            "Brightwell Stainless Steel Soap Dispenser, 12 oz, Brushed Nickel",
            "Brightwell Seifenspender aus Edelstahl, 350 ml, gebürstet",
            "Brightwell Dispensador de jabón de acero inoxidable, 350 ml, acabado cepillado",
            1799, 1699),
    Product("BW-HM-0328", "B0B3R9TZ6Q",
            "Brightwell Expandable Bamboo Drawer Organizer, 7 Compartments",
            "Brightwell Ausziehbarer Schubladeneinsatz aus Bambus, 7 Fächer",
            "Brightwell Organizador de cajones extensible de bambú, 7 compartimentos",
            2499, 2299),
    Product("BW-HM-0341", "B0CM8J5WUD",
            "Brightwell Glass Storage Jars with Airtight Bamboo Lids, Set of 3",
            "Brightwell Vorratsgläser mit luftdichtem Bambusdeckel, 3er-Set",
            "Brightwell Tarros de vidrio con tapa hermética de bambú, juego de 3",
            2649, 2499),
    Product("BW-HM-0356", "B0D2Q7FYH3",
            "Brightwell Cotton Oven Mitts and Pot Holders, 4-Piece Set, Charcoal",
            "Brightwell Ofenhandschuhe und Topflappen aus Baumwolle, 4-teilig, Anthrazit",
            "Brightwell Manoplas y agarradores de algodón para horno, 4 piezas, gris antracita",
            1449, 1349),
    Product("BW-GD-0407", "B0BZ6K1VXM",
            "Brightwell Galvanized Steel Watering Can, 1 Gallon, Matte Grey",
            "Brightwell Gießkanne aus verzinktem Stahl, 4 Liter, Mattgrau",
            "Brightwell Regadera de acero galvanizado, 4 litros, gris mate",
            3199, 2899),
    Product("BW-GD-0412", "B0C2W8RN5J",
            "Brightwell Garden Hand Trowel and Cultivator Set with Ergonomic Handles",
            "Brightwell Pflanzkelle und Grubber-Set mit ergonomischen Griffen",
            "Brightwell Set de desplantador y escarificador de jardín con mangos ergonómicos",
            1599, 1499),
    Product("BW-GD-0426", "B0CX3H9PTA",
            "Brightwell Ceramic Herb Planter Trio with Drainage Tray, White",
            "Brightwell Kräutertopf-Set aus Keramik, 3 Töpfe mit Untersetzer, Weiß",
            "Brightwell Trío de macetas de cerámica para hierbas con bandeja, blanco",
            3499, 3199),
    Product("BW-GD-0433", "B0D8L4GMQ6",
            "Brightwell Solar Garden Stake Lights, Warm White, 8-Pack",
            "Brightwell Solar-Gartenleuchten zum Stecken, warmweiß, 8 Stück",
            "Brightwell Luces solares de jardín con estaca, blanco cálido, pack de 8",
            2899, 2699),
)
PRODUCT = {p.sku: p for p in CATALOG}

# Ship-to addresses. US: city, state, ZIP, sales tax in basis points (marketplace facilitator tax).
US_PLACES = (
    ("AUSTIN", "TX", "78704", 825), ("BROOKLYN", "NY", "11215", 888), ("COLUMBUS", "OH", "43215", 750),
    ("DENVER", "CO", "80206", 881), ("PORTLAND", "OR", "97214", 0), ("SEATTLE", "WA", "98103", 1035),
    ("CHICAGO", "IL", "60614", 1025), ("ATLANTA", "GA", "30309", 890), ("CHARLOTTE", "NC", "28205", 725),
    ("PHOENIX", "AZ", "85016", 860), ("MINNEAPOLIS", "MN", "55408", 903), ("SAN DIEGO", "CA", "92104", 775),
    ("SACRAMENTO", "CA", "95816", 875), ("NASHVILLE", "TN", "37206", 925), ("RALEIGH", "NC", "27609", 725),
    ("TAMPA", "FL", "33606", 750), ("BOISE", "ID", "83702", 600), ("MADISON", "WI", "53703", 550),
    ("RICHMOND", "VA", "23220", 600), ("PITTSBURGH", "PA", "15217", 700), ("OMAHA", "NE", "68105", 700),
    ("KANSAS CITY", "MO", "64111", 868), ("ALBUQUERQUE", "NM", "87106", 788),
    ("SALT LAKE CITY", "UT", "84105", 775), ("LOUISVILLE", "KY", "40204", 600),
    ("WILMINGTON", "DE", "19806", 0), ("BURLINGTON", "VT", "05401", 700), ("CUMMING", "GA", "30041", 700),
)
# EU: (city, state/province, postal code, country). VAT is included in EU prices.
DE_PLACES = (
    ("Berlin", "", "10115", "DE"), ("Hamburg", "", "20249", "DE"), ("München", "", "80331", "DE"),
    ("Köln", "", "50667", "DE"), ("Frankfurt am Main", "", "60311", "DE"), ("Stuttgart", "", "70173", "DE"),
    ("Düsseldorf", "", "40213", "DE"), ("Leipzig", "", "04109", "DE"), ("Dresden", "", "01067", "DE"),
    ("Nürnberg", "", "90402", "DE"), ("Hannover", "", "30159", "DE"), ("Bremen", "", "28195", "DE"),
    ("Freiburg im Breisgau", "", "79098", "DE"), ("Münster", "", "48143", "DE"), ("Lübeck", "", "23552", "DE"),
    ("Göttingen", "", "37073", "DE"), ("Würzburg", "", "97070", "DE"), ("Regensburg", "", "93047", "DE"),
)
AT_PLACES = (
    ("Wien", "", "1070", "AT"), ("Graz", "", "8010", "AT"), ("Linz", "", "4020", "AT"),
    ("Salzburg", "", "5020", "AT"), ("Innsbruck", "", "6020", "AT"),
)
LU_PLACES = (("Luxembourg", "", "1611", "LU"),)
ES_PLACES = (
    ("Madrid", "Madrid", "28013", "ES"), ("Barcelona", "Barcelona", "08012", "ES"),
    ("Valencia", "Valencia", "46004", "ES"), ("Sevilla", "Sevilla", "41003", "ES"),
    ("Málaga", "Málaga", "29012", "ES"), ("Zaragoza", "Zaragoza", "50001", "ES"),
    ("Bilbao", "Bizkaia", "48001", "ES"), ("A Coruña", "A Coruña", "15003", "ES"),
    ("Córdoba", "Córdoba", "14002", "ES"), ("Logroño", "La Rioja", "26001", "ES"),
    ("Cádiz", "Cádiz", "11001", "ES"), ("Alicante", "Alicante", "03001", "ES"),
    ("Palma", "Illes Balears", "07001", "ES"), ("Valladolid", "Valladolid", "47001", "ES"),
    ("San Sebastián", "Gipuzkoa", "20004", "ES"),
)
PT_PLACES = (("Lisboa", "Lisboa", "1100-148", "PT"), ("Porto", "Porto", "4000-322", "PT"))
VAT_BP = {"DE": 1900, "AT": 2000, "LU": 1700, "ES": 2100, "PT": 2300}

US_ORDER_PREFIXES = ("111", "112", "113", "114")
EU_ORDER_PREFIXES = ("302", "303", "304", "305", "306", "402", "403", "404", "405", "406", "407", "408")


# --------------------------------------------------------------------------------------------
# The scenario table: every feedback, A-to-z claim and chargeback in the sample, by hand.
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Feedback:
    on: str  # the day the buyer left it (YYYY-MM-DD)
    rating: int
    comment: str
    response: str = ""


@dataclass(frozen=True)
class Claim:
    on: str
    type: str  # "Not Received" | "Materially Different"
    status: str
    comment: str


@dataclass(frozen=True)
class Chargeback:
    on: str
    reason: str  # "Item not received" | "Not as described" | "Unauthorized transaction" (fraud)
    status: str  # "Action required" | "Responded" | "Closed"


Event = Feedback | Claim | Chargeback


@dataclass(frozen=True)
class Case:
    key: str  # the label README.md uses
    order_id: str
    ordered: str  # purchase date, UTC
    market: str
    channel: str
    skus: tuple[str, ...]
    events: tuple[Event, ...]
    at: str | None = None  # pin the purchase time of day (window-edge cases)
    service: str | None = None
    in_orders_export: bool = True


# Amazon's strike-through text for FBA delivery feedback (the rating no longer counts).
STRUCK_THROUGH = "This item was fulfilled by Amazon, and we take responsibility for this fulfillment experience."

CASES: tuple[Case, ...] = (
    # ---- US seller-fulfilled, counted in the window 2026-09-06 .. 2026-11-04 (18 orders) ----
    Case("U01", "113-5260181-5908301", "2026-09-06", "US", "MFN", ("BW-HM-0341",), (
        Feedback("2026-09-14", 1, "never arrived. tracking hasnt updated since it left the facility 8 days ago",
                 "We are sorry your order did not arrive. A full refund has been issued and a replacement "
                 "is on its way at no charge."),
    ), at="00:12:45"),
    Case("U02", "114-6613186-0913909", "2026-09-09", "US", "MFN", ("BW-KT-0142",), (
        Feedback("2026-09-16", 2, "came smashed. glass teapot in a thin poly mailer with zero bubble wrap, "
                                  "what did you think would happen"),
        Claim("2026-09-19", "Materially Different", "Granted - Seller funded",
              "Teapot arrived broken, glass everywhere. I requested a return and the seller did not respond "
              "in 2 days."),
    )),
    Case("U03", "112-9603082-4628194", "2026-09-12", "US", "MFN", ("BW-GD-0433",), (
        Claim("2026-09-29", "Not Received", "Granted - Amazon funded",
              "Tracking says delivered but nothing here. Checked with my neighbors and the leasing office."),
    )),
    Case("U04", "111-8219935-1819093", "2026-09-15", "US", "MFN", ("BW-KT-0163",), (
        Feedback("2026-09-24", 1, "box was crushed and the glass broke, oil bottle in pieces. sent pics to "
                                  "the seller and heard nothing back"),
    )),
    # All three kinds on one order: one defective order, one count in each component.
    Case("U05", "113-7865797-5432319", "2026-09-18", "US", "MFN", ("BW-KT-0204", "BW-KT-0247"), (
        Feedback("2026-09-28", 1, "paid for expedited and never got it. seller doesnt answer. disputing with my bank"),
        Claim("2026-09-30", "Not Received", "Granted - Seller funded",
              "Never arrived. Tracking stuck on label created for 10 days, seller not answering messages."),
        Chargeback("2026-10-05", "Item not received", "Closed"),
    ), service="Expedited"),
    Case("U06", "114-4875749-1186252", "2026-09-21", "US", "MFN", ("BW-KT-0252",), (
        Feedback("2026-09-30", 2, 'not what i ordered. listing says "4.5 qt" and i got a tiny 2 qt pot'),
    )),
    Case("U07", "112-7601895-5597971", "2026-09-24", "US", "MFN", ("BW-HM-0328",), (
        Feedback("2026-10-19", 1, "returned it on 10/2 and still waiting for my refund. 3 emails and no answer"),
    )),
    Case("U08", "114-1471049-7465075", "2026-09-27", "US", "MFN", ("BW-HM-0305",), (
        Claim("2026-10-08", "Materially Different", "Refunded by seller",
              "Sent the wrong colour, ordered sage green and got bright red ones. Seller wants me to pay "
              "the return shipping."),
    )),
    Case("U09", "113-2917034-2366712", "2026-10-01", "US", "MFN", ("BW-GD-0426",), (
        Feedback("2026-10-12", 1, "late AND broken, seller never replied"),
    )),
    Case("U10", "111-7684268-4656321", "2026-10-04", "US", "MFN", ("BW-KT-0219",), (
        Feedback("2026-10-11", 1, "terrible. never again"),
    )),
    # A claim comment with a line break inside the quoted CSV field.
    Case("U11", "113-2233079-2440268", "2026-10-07", "US", "MFN", ("BW-KT-0233",), (
        Claim("2026-10-26", "Not Received", "Withdrawn after decision",
              "Order shows delivered on 10/12 but I never received it.\n"
              "I have asked the seller twice and got no response."),
    )),
    Case("U12", "114-5995289-0786666", "2026-10-10", "US", "MFN", ("BW-KT-0219",), (
        Feedback("2026-10-18", 2, "rec'd the knife set but the paring knife was missing and the tip of the "
                                  "chef knife is chipped",
                 "Hello, we are very sorry about this. We have sent the missing paring knife and a new chef "
                 "knife, tracking is in your messages."),
    )),
    # Negative feedback counts; the denied claim on the same order does not.
    Case("U13", "112-1760313-7215901", "2026-10-13", "US", "MFN", ("BW-GD-0407",), (
        Feedback("2026-10-23", 1, "didnt get it in time for my moms birthday, seller shipped it 5 days after i ordered"),
        Claim("2026-10-24", "Not Received", "Denied", "It did not come on time and the seller is ignoring me"),
    )),
    Case("U14", "111-0928159-0139624", "2026-10-16", "US", "MFN", ("BW-KT-0252",), (
        Chargeback("2026-11-03", "Not as described", "Responded"),
    ), service="Expedited"),
    Case("U15", "113-5957117-7774121", "2026-10-20", "US", "MFN", ("BW-KT-0204",), (
        Feedback("2026-11-06", 1, "item came used, scratches all over the glass top and someone elses hair in "
                                  "the box. returned it 2 weeks ago still no refund"),
        Claim("2026-11-10", "Materially Different", "Pending",
              "Item was used and scratched, not new as described. I returned it, tracking shows you got it "
              "on 11/2, no refund yet."),
    )),
    Case("U16", "114-5472803-8528084", "2026-10-24", "US", "MFN", ("BW-HM-0341",), (
        Feedback("2026-11-02", 2, "one of the lids was missing. seller never answered my emails about it"),
    )),
    Case("U17", "112-1485253-8885393", "2026-10-29", "US", "MFN", ("BW-GD-0433",), (
        Claim("2026-11-12", "Not Received", "Granted - Seller funded",
              "Paid for 2 day shipping, it has been over 10 days and still nothing, seller just says wait"),
    ), service="SecondDay"),
    Case("U18", "114-3633875-0047439", "2026-11-04", "US", "MFN", ("BW-GD-0426",), (
        Feedback("2026-11-11", 1, "package showed up soaking wet and the planter was in 3 pieces. no packing "
                                  "material in the box at all"),
    ), at="23:41:07"),

    # ---- US seller-fulfilled, in the window, nothing that counts ----
    Case("X1", "113-5755131-3735379", "2026-09-30", "US", "MFN", ("BW-GD-0412",), (
        Feedback("2026-10-14", 3, "arrived a week late but the tools are fine i guess"),
    )),
    # Entirely a product review: Amazon removed it (the ledger says feedback_removed).
    Case("X2", "111-9075116-3726516", "2026-10-09", "US", "MFN", ("BW-HM-0341",), (
        Feedback("2026-10-17", 2, "lids dont seal airtight like it says, my coffee went stale in a week. "
                                  "product is junk"),
    )),
    Case("X3", "113-7612220-2972997", "2026-10-14", "US", "MFN", ("BW-KT-0171",), (
        Claim("2026-10-30", "Not Received", "Closed - Buy Shipping protected",
              "tracking says delivered but nothing here, I have looked everywhere"),
    )),
    Case("X4", "114-5288200-1826330", "2026-10-18", "US", "MFN", ("BW-KT-0188",), (
        Claim("2026-10-29", "Materially Different", "Denied",
              "Mats are thinner than the ones in the photos and smell like chemicals"),
    )),
    Case("X5", "112-4348395-4862057", "2026-10-22", "US", "MFN", ("BW-HM-0356",), (
        Claim("2026-11-02", "Not Received", "Withdrawn before decision", "Package never arrived. Expected 10/28."),
    )),
    Case("X6", "111-9868282-8807290", "2026-10-27", "US", "MFN", ("BW-KT-0252",), (
        Chargeback("2026-11-09", "Unauthorized transaction", "Closed"),
    )),
    # In Amazon's V2 figures (US MFN, in the window) but in no orders export: odr cannot place it.
    Case("M1", "113-2227918-0588871", "2026-10-12", "US", "MFN", ("BW-KT-0142",), (
        Feedback("2026-10-25", 1, "paid for expedited, took 2 weeks to show up and the box was half open. "
                                  "wont order from this seller again"),
    ), service="Expedited", in_orders_export=False),

    # ---- US FBA ----
    Case("A1", "114-8033401-8780175", "2026-09-19", "US", "AFN", ("BW-KT-0157",), (
        Feedback("2026-09-26", 1, "cheap plastic not stainless like the pics, handle snapped the first time i used it"),
    )),
    Case("A2", "112-9898347-8878384", "2026-10-21", "US", "AFN", ("BW-HM-0341",), (
        Claim("2026-11-01", "Materially Different", "Granted - Amazon funded",
              "Listing says set of 3, the box only had 2 jars in it and one lid."),
    )),
    Case("A3", "114-8372616-7513613", "2026-10-05", "US", "AFN", ("BW-GD-0433",), (
        Feedback("2026-10-13", 1, STRUCK_THROUGH),
    )),

    # ---- DE ----
    Case("D1", "302-1916146-1003307", "2026-09-08", "DE", "MFN", ("BW-KT-0142",), (
        Feedback("2026-09-21", 1, "Paket nie angekommen. Verkäufer antwortet nicht auf meine Nachrichten, "
                                  "Sendungsverfolgung seit 10 Tagen ohne Update"),
    )),
    Case("D2", "403-9262243-9332836", "2026-10-02", "DE", "MFN", ("BW-KT-0163",), (
        Feedback("2026-10-08", 2, "Ölflasche kam kaputt an, alles voller Öl und Scherben. Schlecht verpackt!!",
                 "Es tut uns sehr leid. Wir haben Ihnen den vollen Betrag erstattet und unsere Verpackung "
                 "verbessert."),
        Claim("2026-10-10", "Materially Different", "Granted - Seller funded",
              "Flasche zerbrochen angekommen, Verkäufer hat auf meine Rücksendeanfrage nicht reagiert."),
    )),
    Case("D3", "304-2310077-2837832", "2026-10-30", "DE", "MFN", ("BW-KT-0252",), (
        Feedback("2026-11-09", 1, "falsche Größe geliefert. bestellt 4,3 Liter, gekommen ist ein kleiner "
                                  "2 Liter Topf. Rücksendung beantragt, keine Reaktion"),
    )),
    Case("D4", "402-1139309-5597297", "2026-10-11", "DE", "AFN", ("BW-HM-0312",), (
        Feedback("2026-10-20", 2, "Sieht billig aus. Edelstahl?? Das ist Plastik mit Metalloptik, nicht wie beschrieben"),
    )),
    Case("D5", "305-6616630-4940326", "2026-09-25", "DE", "MFN", ("BW-HM-0305",), (
        Feedback("2026-10-07", 3, "Ware ok, Lieferung hat aber fast 2 Wochen gedauert."),
    )),

    # ---- ES ----
    Case("E1", "303-6661934-5145061", "2026-09-14", "ES", "MFN", ("BW-KT-0142",), (
        Feedback("2026-09-23", 1, "llegó roto, la tetera venía en una bolsa sin ninguna protección. una pena",
                 "Lo sentimos mucho. Le hemos enviado una tetera nueva con un embalaje mejor."),
    )),
    Case("E2", "406-1240234-4834782", "2026-10-17", "ES", "AFN", ("BW-KT-0247",), (
        Feedback("2026-10-24", 1, "no es lo que pedí, el juego era de 6 cucharas y solo vienen 4. y no son magnéticas"),
    )),
    Case("E4", "405-0435205-6174833", "2026-10-26", "ES", "AFN", ("BW-HM-0356",), (
        Feedback("2026-11-03", 3, "bien el producto pero tardó más de lo previsto"),
    )),

    # ---- orders placed before the window (2026-08-21 .. 2026-09-05) ----
    Case("B1", "111-2686563-5515058", "2026-09-05", "US", "MFN", ("BW-KT-0171",), (
        Feedback("2026-09-12", 1, "tracking says delivered but nothing here. porch camera shows nobody came all day",
                 "We have opened a trace with the carrier and refunded your order in full."),
    ), at="23:58:10"),
    Case("B2", "113-7877893-2879217", "2026-08-24", "US", "MFN", ("BW-KT-0204",), (
        Claim("2026-09-10", "Not Received", "Granted - Seller funded", "never arrived, 2 weeks past the delivery date"),
    )),
    Case("B3", "306-9910237-4095461", "2026-09-01", "DE", "MFN", ("BW-GD-0426",), (
        Feedback("2026-09-10", 1, "Karton völlig zerdrückt, zwei von drei Töpfen in Scherben. Nie wieder."),
    )),
    Case("E3", "404-7916011-0843646", "2026-08-29", "ES", "MFN", ("BW-HM-0328",), (
        Feedback("2026-09-15", 1, "no ha llegado y el vendedor no contesta a los mensajes. quiero mi dinero"),
    )),

    # ---- orders placed after the window (2026-11-05 .. 2026-11-18) ----
    Case("L1", "114-4218096-7929081", "2026-11-05", "US", "MFN", ("BW-HM-0341",), (
        Feedback("2026-11-13", 1, "outer box caved in, 2 of the 3 jars shattered. wrapping was one sheet of paper lol"),
    ), at="00:03:51"),
    Case("L2", "112-0033907-5793834", "2026-11-09", "US", "MFN", ("BW-GD-0407",), (
        Claim("2026-11-17", "Not Received", "Pending",
              "Estimated delivery was Nov 13, still not here and no tracking update since Nov 10."),
    )),
    Case("L3", "408-0201462-0168493", "2026-11-07", "DE", "MFN", ("BW-KT-0219",), (
        Feedback("2026-11-16", 2, "Sehr enttäuscht. Nie wieder."),
    )),
    Case("L4", "111-7017468-1453840", "2026-11-10", "US", "AFN", ("BW-KT-0157",), (
        Chargeback("2026-11-18", "Not as described", "Action required"),
    )),
)

# The seller's remediation ledger (design §8): one row per order, about half of the defective
# orders. Exactly one `feedback_removed` (X2); no `claim_reversed`. "{photo}" becomes
# photos/<order id>.jpg.
LEDGER: tuple[tuple[str, str, str, str, str, str], ...] = (
    # case, status, action_date, action, note, evidence
    ("B1", "resolved", "2026-09-14", "Refunded in full", "Carrier trace opened, package never found", "UPS 1Z4F82W70385519026"),
    ("U01", "refunded", "2026-09-15", "Refunded in full and reshipped", "Replacement sent by UPS Ground", "UPS 1Z4F82W70312458831"),
    ("U02", "refunded", "2026-09-22", "Refunded after A-to-z decision",
     "Teapots now ship double boxed with bubble wrap", "{photo}"),
    ("E1", "replaced", "2026-09-25", "Sent replacement teapot", "New packaging: double box, foam corners",
     "Correos PQ4B3K0712345680108001R"),
    ("U04", "replaced", "2026-09-26", "Sent replacement set", "Buyer photos show crushed outer box, bottles not wrapped", "{photo}"),
    ("A1", "contacted", "2026-09-29", "Messaged buyer, offered refund",
     "FBA order. Listing photos updated: the handle is plastic, only the press is steel", ""),
    ("U05", "chargeback_represented", "2026-10-08", "Represented chargeback",
     "Buyer was already refunded through the A-to-z claim, sent refund proof to the bank", "UPS 1Z4F82W70398127744"),
    ("U08", "return_authorized", "2026-10-09", "Prepaid return label sent", "Refund issued in full, picker sent red instead of sage", "{photo}"),
    ("D2", "refunded", "2026-10-12", "Full refund (EUR)", "Oil bottles now wrapped separately", "DHL 00340434161094015902"),
    ("U09", "contacted", "2026-10-13", "Messaged buyer offering replacement or refund", "No reply yet", ""),
    ("U12", "replaced", "2026-10-19", "Shipped missing paring knife and a new chef knife", "", "UPS 1Z4F82W70366120574"),
    ("U07", "refunded", "2026-10-20", "Refunded in full",
     "Return was checked in on 10/6, refund was never triggered. Apologised to buyer", "UPS 1Z4F82W79043318260"),
    ("X2", "feedback_removed", "2026-10-24", "Amazon removed the feedback",
     "Removed as a product review, case 17829346611", "case 17829346611"),
    ("U11", "claim_responded", "2026-10-27", "Sent proof of delivery", "Delivery scan with GPS location at buyer address",
     "USPS 9400111899223345126871"),
    ("U16", "feedback_removal_requested", "2026-11-04", "Sent missing lid, asked buyer to reconsider feedback", "", ""),
    ("U14", "chargeback_represented", "2026-11-05", "Responded to chargeback", "Sent listing screenshots and invoice", "{photo}"),
    ("D3", "return_authorized", "2026-11-10", "Return label sent", "Wrong size picked in the warehouse", "DHL 00340434161094027114"),
    ("U18", "open", "2026-11-12", "", "Carrier damage claim still to be filed", ""),
    ("U17", "claim_appealed", "2026-11-14", "Appealed the A-to-z decision",
     "Carrier shows delivered 11/3 to front door, photo on file", "UPS 1Z4F82W70247731169"),
)

# What Amazon's V2 report says for 2026-09-06 .. 2026-11-04, derived by hand (README.md):
# (orderCount, orderWithDefects, claims, chargebacks, negativeFeedback). All statuses counted.
# US MFN: 14/day x 60 days = 840 in the export, plus order M1 that Amazon has and the export lacks.
AMAZON_ODR: dict[tuple[str, str], tuple[int, int, int, int, int]] = {
    ("US", "MFN"): (841, 19, 7, 2, 14),
    ("US", "AFN"): (540, 2, 1, 0, 1),
    ("DE", "MFN"): (360, 3, 1, 0, 3),
    ("DE", "AFN"): (300, 1, 0, 0, 1),
    ("ES", "MFN"): (180, 1, 0, 0, 1),
    ("ES", "AFN"): (120, 1, 0, 0, 1),
}
ACCOUNT_STATUS = {"US": "AT_RISK", "DE": "NORMAL", "ES": "NORMAL"}
AHR = {"US": ("WARNED", 172), "DE": ("GREAT", 436), "ES": ("GREAT", 418)}
# Hand-set counts for the other seller-fulfilled metrics; their denominators come from the orders.
LATE_SHIPMENTS = {"US": 14, "DE": 2, "ES": 0}
NO_VALID_TRACKING = {"US": 9, "DE": 1, "ES": 0}
LATE_DELIVERIES = {"US": 31, "DE": 4, "ES": 1}
LATE_UNITS = {"US": 17}
# Most cancellations in the sample are buyer-requested; the cancel-rate metric counts only these.
SELLER_CANCELLATIONS = {"US": 1, "DE": 0, "ES": 0}

ORDERS_HEADER = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name",
    "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
    "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount",
    "ship-city", "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
    "purchase-order-number", "price-designation", "is-sold-by-ab",
)
FEEDBACK_HEADER = {
    "US": ("Date", "Rating", "Comments", "Response", "Order ID", "Rater Email"),
    "DE": ("Datum", "Bewertung", "Kommentar", "Ihre Antwort", "Transaktionsnummer", "E-Mail des Bewertenden"),
    "ES": ("Date", "Rating", "Comentarios", "Response", "Número de pedido", "E-mail del cliente"),
}
CLAIMS_HEADER = ("Order ID", "Claim Date", "Claim Type", "Claim Status", "Claim Amount", "Currency", "Buyer Comments")
CHARGEBACKS_HEADER = ("Order ID", "Chargeback Date", "Reason", "Status", "Amount", "Currency")
LEDGER_HEADER = ("order_id", "status", "action_date", "action", "note", "evidence")

ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
ASIN = re.compile(r"B0[A-Z0-9]{8}")


# --------------------------------------------------------------------------------------------
# Orders
# --------------------------------------------------------------------------------------------

@dataclass
class Line:
    product: Product
    quantity: int


@dataclass
class Order:
    order_id: str
    market: str
    channel: str
    purchased: datetime
    last_updated: datetime
    status: str  # Shipped | Cancelled | Pending
    service: str
    lines: list[Line]
    city: str
    state: str
    postal: str
    country: str
    tax_bp: int  # US sales tax, basis points
    business: bool
    po_number: str
    price_designation: str
    priced_rows: list[dict[str, int]] | None = None  # filled by price_rows()


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    total = sum(weight for _, weight in weighted)
    roll = rng.randrange(total)
    for value, weight in weighted:
        if roll < weight:
            return value
        roll -= weight
    raise AssertionError("unreachable")


def new_order_id(rng: random.Random, market: str, taken: set[str]) -> str:
    prefixes = US_ORDER_PREFIXES if market == "US" else EU_ORDER_PREFIXES
    while True:
        order_id = f"{rng.choice(prefixes)}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
        if order_id not in taken:
            taken.add(order_id)
            return order_id


SERVICE_LEVELS = {
    ("US", "MFN"): (("Standard", 80), ("Expedited", 15), ("SecondDay", 5)),
    ("US", "AFN"): (("Standard", 45), ("Expedited", 15), ("SecondDay", 40)),
    ("EU", "MFN"): (("Standard", 88), ("Expedited", 12)),
    ("EU", "AFN"): (("Standard", 70), ("Expedited", 30)),
}


def stream_statuses(day_index: int, per_day: int) -> list[str]:
    statuses = []
    for slot in range(per_day):
        number = day_index * per_day + slot + 1  # 1-based order number within the stream
        if number % CANCEL_EVERY == 0:
            statuses.append("Cancelled")
        elif day_index >= DAYS - 2 and slot == per_day - 1:
            statuses.append("Pending")  # the last order of the day on 11-17 and 11-18 is still pending
        else:
            statuses.append("Shipped")
    return statuses


def make_order(rng: random.Random, market: str, channel: str, day: date, status: str,
               case: Case | None, taken: set[str]) -> Order:
    order_id = case.order_id if case else new_order_id(rng, market, taken)
    seconds = rng.randrange(86400)
    if case and case.at:
        hh, mm, ss = (int(part) for part in case.at.split(":"))
        seconds = hh * 3600 + mm * 60 + ss
    purchased = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)

    if status == "Shipped":
        delta = rng.randrange(4 * 3600, 72 * 3600) if channel == "MFN" else rng.randrange(2 * 3600, 40 * 3600)
    elif status == "Cancelled":
        delta = rng.randrange(600, 20 * 3600)
    else:
        delta = rng.randrange(60, 3600)
    last_updated = purchased + timedelta(seconds=delta)
    if last_updated > LAST_MOMENT:  # nothing in the inputs is later than the download day
        last_updated = purchased + timedelta(seconds=int((LAST_MOMENT - purchased).total_seconds()) // 2)

    service = pick(rng, SERVICE_LEVELS[("US" if market == "US" else "EU", channel)])
    if case and case.service:
        service = case.service

    count = int(pick(rng, (("1", 78), ("2", 17), ("3", 5))))
    products = rng.sample(CATALOG, count)
    lines = [Line(p, int(pick(rng, (("1", 88), ("2", 10), ("3", 2))))) for p in products]
    if case:
        lines = [Line(PRODUCT[sku], 1) for sku in case.skus]

    tax_bp = 0
    if market == "US":
        city, state, zip5, tax_bp = rng.choice(US_PLACES)
        postal = zip5 if rng.randrange(2) else f"{zip5}-{rng.randrange(1, 10000):04d}"
        country = "US"
    elif market == "DE":
        places = {"DE": DE_PLACES, "AT": AT_PLACES, "LU": LU_PLACES}[pick(rng, (("DE", 90), ("AT", 8), ("LU", 2)))]
        city, state, postal, country = rng.choice(places)
    else:
        places = ES_PLACES if pick(rng, (("ES", 96), ("PT", 4))) == "ES" else PT_PLACES
        city, state, postal, country = rng.choice(places)

    business = rng.randrange(100) < (5 if market == "US" else 3)
    po_number = ""
    price_designation = ""
    if business:
        if rng.randrange(10) < 4:
            po_number = f"PO-{rng.randrange(10000, 100000):05d}"
        if rng.randrange(2):
            price_designation = "BusinessPrice"

    return Order(order_id, market, channel, purchased, last_updated, status, service, lines, city, state,
                 postal, country, tax_bp, business, po_number, price_designation)


def included_vat(gross: int, rate_bp: int) -> int:
    """VAT contained in a VAT-inclusive amount, in cents, rounded half up."""
    return (gross * rate_bp * 2 + 10000 + rate_bp) // (2 * (10000 + rate_bp))


def price_rows(order: Order) -> list[dict[str, int]]:
    """Cents per item row: item price and tax, shipping (on the first row) and its tax."""
    rows = []
    subtotal = sum((line.product.usd if order.market == "US" else line.product.eur) * line.quantity
                   for line in order.lines)
    if order.channel == "AFN":
        shipping = 0
    elif order.market == "US":
        shipping = {"Standard": 0 if subtotal >= 2500 else 499, "Expedited": 899, "SecondDay": 1299}[order.service]
    else:
        shipping = {"Standard": 0 if subtotal >= 2900 else 399, "Expedited": 699}[order.service]
    for index, line in enumerate(order.lines):
        unit = line.product.usd if order.market == "US" else line.product.eur
        item = unit * line.quantity
        ship = shipping if index == 0 else 0
        if order.market == "US":
            item_tax = (item * order.tax_bp + 5000) // 10000
            ship_tax = 0
        else:
            item_tax = included_vat(item, VAT_BP[order.country])
            ship_tax = included_vat(ship, VAT_BP[order.country])
        rows.append({"item": item, "item_tax": item_tax, "ship": ship, "ship_tax": ship_tax})
    return rows


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def order_total(order: Order) -> int:
    """What the buyer paid, in cents: US tax is added to the price, EU VAT is included in it."""
    assert order.priced_rows is not None
    if order.market == "US":
        return sum(sum(row.values()) for row in order.priced_rows)
    return sum(row["item"] + row["ship"] for row in order.priced_rows)


def order_rows(order: Order) -> list[list[str]]:
    market = MARKETPLACES[order.market]
    item_status = {"Shipped": "Shipped", "Cancelled": "Cancelled", "Pending": "Unshipped"}[order.status]
    # Cancelled rows carry quantity 0 and no amounts; a pending seller-fulfilled order shows no price.
    priced = order.status == "Shipped" or (order.status == "Pending" and order.channel == "AFN")
    rows = []
    assert order.priced_rows is not None
    for line, cents in zip(order.lines, order.priced_rows, strict=False):
        amounts = [market.currency, money(cents["item"]), money(cents["item_tax"]), money(cents["ship"]),
                   money(cents["ship_tax"]), "0.00", "0.00", "0.00", "0.00"] if priced else [""] * 9
        rows.append([
            order.order_id, "", stamp(order.purchased), stamp(order.last_updated), order.status,
            FULFILLMENT_CHANNEL[order.channel], market.sales_channel, "", "", order.service,
            line.product.name(order.market), line.product.sku, line.product.asin, item_status,
            "0" if order.status == "Cancelled" else str(line.quantity), *amounts,
            order.city, order.state, order.postal, order.country, "",
            "true" if order.business else "false", order.po_number, order.price_designation, "false",
        ])
    return rows


def generate_orders(rng: random.Random) -> list[Order]:
    taken = {case.order_id for case in CASES}
    placed: dict[tuple[str, str, date], list[Case]] = {}
    for case in CASES:
        if case.in_orders_export:
            placed.setdefault((case.market, case.channel, date.fromisoformat(case.ordered)), []).append(case)

    orders = []
    for day_index in range(DAYS):
        day = FIRST_DAY + timedelta(days=day_index)
        for market, channel, per_day in STREAMS:
            statuses = stream_statuses(day_index, per_day)
            free = [slot for slot, status in enumerate(statuses) if status == "Shipped"]
            case_at: dict[int, Case] = {}
            for case in placed.pop((market, channel, day), []):
                slot = rng.choice(free)
                free.remove(slot)
                case_at[slot] = case
            for slot, status in enumerate(statuses):
                orders.append(make_order(rng, market, channel, day, status, case_at.get(slot), taken))
    assert not placed, f"cases outside the 90 days: {placed}"
    for order in orders:
        order.priced_rows = price_rows(order)
    return orders


def orders_file(orders: list[Order]) -> bytes:
    rows = []
    for order in sorted(orders, key=lambda o: (o.purchased, o.order_id)):
        rows.extend(order_rows(order))
    return tsv([ORDERS_HEADER, *rows], "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Defect files
# --------------------------------------------------------------------------------------------

def feedback_date(market: str, day: date) -> str:
    yy = day.year % 100
    if market == "US":
        return f"{day.month}/{day.day}/{yy:02d}"
    if market == "DE":
        return f"{day.day}.{day.month}.{yy:02d}"
    return f"{day.day}/{day.month}/{yy:02d}"


def rater_email(rng: random.Random, market: str) -> str:
    local = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(15))
    return f"{local}@marketplace.amazon.{MARKETPLACES[market].feedback_domain}"


def feedback_files(rng: random.Random) -> dict[str, bytes]:
    rows: dict[str, list[tuple[date, str, list[str]]]] = {"US": [], "DE": [], "ES": []}
    for case in CASES:
        for event in case.events:
            if isinstance(event, Feedback):
                day = date.fromisoformat(event.on)
                rows[case.market].append((day, case.order_id, [
                    feedback_date(case.market, day), str(event.rating), event.comment, event.response,
                    case.order_id, rater_email(rng, case.market)]))
    files = {}
    for market, name, newline, encoding in (
        ("US", "feedback_amazon_com.txt", "\n", "utf-8"),
        ("DE", "feedback_amazon_de.txt", "\r\n", "cp1252"),  # as the DE download comes: Windows-1252, CRLF
        ("ES", "feedback_amazon_es.txt", "\n", "utf-8"),
    ):
        # Feedback Manager lists the newest feedback first.
        ordered = sorted(rows[market], key=lambda r: (-r[0].toordinal(), r[1]))
        files[name] = tsv([FEEDBACK_HEADER[market], *(r[2] for r in ordered)], newline).encode(encoding)
    return files


def claims_file(by_id: dict[str, Order]) -> bytes:
    rows = []
    for case in CASES:
        for event in case.events:
            if isinstance(event, Claim):
                order = by_id[case.order_id]
                rows.append([case.order_id, event.on, event.type, event.status, money(order_total(order)),
                             MARKETPLACES[case.market].currency, event.comment])
    rows.sort(key=lambda r: (r[1], r[0]))
    return csv_bytes([CLAIMS_HEADER, *rows], "\r\n")


def chargebacks_file(by_id: dict[str, Order]) -> bytes:
    rows = []
    for case in CASES:
        for event in case.events:
            if isinstance(event, Chargeback):
                order = by_id[case.order_id]
                rows.append([case.order_id, event.on, event.reason, event.status, money(order_total(order)),
                             MARKETPLACES[case.market].currency])
    rows.sort(key=lambda r: (r[1], r[0]))
    return csv_bytes([CHARGEBACKS_HEADER, *rows], "\r\n")


def ledger_file() -> bytes:
    by_key = {case.key: case for case in CASES}
    rows = []
    for key, status, action_date, action, note, evidence in LEDGER:
        order_id = by_key[key].order_id
        rows.append([order_id, status, action_date, action, note,
                     evidence.replace("{photo}", f"photos/{order_id}.jpg")])
    rows.sort(key=lambda r: (r[2], r[0]))
    return csv_bytes([LEDGER_HEADER, *rows], "\n")


# --------------------------------------------------------------------------------------------
# GET_V2_SELLER_PERFORMANCE_REPORT
# --------------------------------------------------------------------------------------------

def date_range(first: date, last: date) -> dict[str, str]:
    return {"reportingDateFrom": f"{first.isoformat()}T00:00:00Z", "reportingDateTo": f"{last.isoformat()}T23:59:59Z"}


def days_back(days: int, last: date = LAST_DAY) -> tuple[date, date]:
    return last - timedelta(days=days - 1), last


def odr_metric(market: str, channel: str) -> dict[str, object]:
    order_count, defective, claims, chargebacks, negative = AMAZON_ODR[(market, channel)]
    status = "BAD" if defective / order_count >= 0.01 else "GOOD"
    return {
        "reportingDateRange": date_range(WINDOW_START, WINDOW_END),
        "orderCount": order_count,
        "orderWithDefects": {"count": defective, "status": status},
        "claims": {"count": claims, "status": "NONE"},
        "chargebacks": {"count": chargebacks, "status": "NONE"},
        "negativeFeedback": {"count": negative, "status": "NONE"},
        "fulfillmentType": channel.lower(),
        "status": status,
        "rate": round(defective / order_count, 4),
        "targetValue": 0.01,
        "targetCondition": "LESS_THAN",
    }


def rate_metric(first: date, last: date, counts: dict[str, int], numerator: int, denominator: int,
                target: float, condition: str) -> dict[str, object]:
    rate = round(numerator / denominator, 4) if denominator else 0
    if not denominator:
        status = "NONE"
    elif condition == "LESS_THAN":
        status = "GOOD" if rate < target else "BAD"
    else:
        status = "GOOD" if rate > target else "BAD"
    return {"reportingDateRange": date_range(first, last), **counts, "status": status, "rate": rate,
            "targetValue": target, "targetCondition": condition}


POLICY_METRICS = (
    "listingPolicyViolations", "productAuthenticityCustomerComplaints", "productConditionCustomerComplaints",
    "productSafetyCustomerComplaints", "receivedIntellectualPropertyComplaints",
    "restrictedProductPolicyViolations", "suspectedIntellectualPropertyViolations",
    "foodAndProductSafetyIssues", "otherPolicyViolations", "documentRequests",
)


def performance_file(orders: list[Order]) -> bytes:
    # Check the hand-written Amazon denominators against the per-day constants.
    missing = {(c.market, c.channel) for c in CASES
               if not c.in_orders_export and WINDOW_START <= date.fromisoformat(c.ordered) <= WINDOW_END}
    for market, channel, per_day in STREAMS:
        expected = per_day * WINDOW_DAYS + (1 if (market, channel) in missing else 0)
        assert AMAZON_ODR[(market, channel)][0] == expected, (market, channel)

    def mfn(market: str, first: date, last: date, statuses: tuple[str, ...]) -> list[Order]:
        return [o for o in orders if o.market == market and o.channel == "MFN" and o.status in statuses
                and first <= o.purchased.date() <= last]

    metrics = []
    for market in ("US", "DE", "ES"):
        lsr_first, lsr_last = days_back(30)
        lsr_orders = len(mfn(market, lsr_first, lsr_last, ("Shipped",)))
        cancel_first, cancel_last = days_back(7)
        cancel_orders = mfn(market, cancel_first, cancel_last, ("Shipped", "Cancelled", "Pending"))
        cancelled = SELLER_CANCELLATIONS[market]
        assert cancelled <= sum(1 for o in cancel_orders if o.status == "Cancelled")
        vtr_first, vtr_last = days_back(30, date(2026, 11, 11))  # by promised delivery date, a week behind
        shipments = len(mfn(market, vtr_first, vtr_last, ("Shipped",)))
        valid = shipments - NO_VALID_TRACKING[market]
        on_time = valid - LATE_DELIVERIES[market]
        unit_first, unit_last = days_back(14, date(2026, 11, 11))
        units = sum(line.quantity for o in mfn(market, unit_first, unit_last, ("Shipped",)) for line in o.lines)
        invoice_first, invoice_last = days_back(7, date(2026, 11, 11))
        b2b = 0 if market == "US" else sum(
            1 for o in orders if o.market == market and o.business and o.status == "Shipped"
            and invoice_first <= o.purchased.date() <= invoice_last)
        ahr_status, ahr_score = AHR[market]
        policy_range = date_range(*days_back(180))

        entry: dict[str, object] = {
            "marketplaceId": MARKETPLACES[market].marketplace_id,
            "orderDefectRate": {"mfn": odr_metric(market, "MFN"), "afn": odr_metric(market, "AFN")},
            "lateShipmentRate": rate_metric(
                lsr_first, lsr_last, {"orderCount": lsr_orders, "lateShipmentCount": LATE_SHIPMENTS[market]},
                LATE_SHIPMENTS[market], lsr_orders, 0.04, "LESS_THAN"),
            "preFulfillmentCancellationRate": rate_metric(
                cancel_first, cancel_last, {"orderCount": len(cancel_orders), "cancellationCount": cancelled},
                cancelled, len(cancel_orders), 0.025, "LESS_THAN"),
            "validTrackingRate": rate_metric(
                vtr_first, vtr_last, {"shipmentCount": shipments, "validTrackingCount": valid},
                valid, shipments, 0.95, "GREATER_THAN"),
            "onTimeDeliveryRate": rate_metric(
                vtr_first, vtr_last, {"shipmentCountWithValidTracking": valid, "onTimeDeliveryCount": on_time},
                on_time, valid, 0.97, "GREATER_THAN"),
        }
        if market == "US":  # unit on-time delivery is a US metric
            late_units = LATE_UNITS[market]
            entry["unitOnTimeDeliveryRate"] = rate_metric(
                unit_first, unit_last, {"unitOnTimeDeliveryCount": units - late_units, "totalUnitCount": units},
                units - late_units, units, 0.9, "GREATER_THAN")
        else:
            entry["unitOnTimeDeliveryRate"] = rate_metric(
                unit_first, unit_last, {"unitOnTimeDeliveryCount": 0, "totalUnitCount": 0}, 0, 0, 0.9, "GREATER_THAN")
        invoice_counts = {"orderCount": b2b, "invoiceDefect": {"count": 0, "status": "NONE"},
                          "missingInvoice": {"count": 0, "status": "NONE"},
                          "lateInvoice": {"count": 0, "status": "NONE"}}
        entry["invoiceDefectRate"] = rate_metric(invoice_first, invoice_last, invoice_counts, 0, b2b, 0.05, "LESS_THAN")
        entry["accountHealthRating"] = {"ahrStatus": ahr_status, "ahrScore": ahr_score, "reportingDateRange": policy_range}
        entry["warningStates"] = []
        for name in POLICY_METRICS:
            entry[name] = {"reportingDateRange": policy_range, "defectsCount": 0, "status": "GOOD",
                           "targetValue": 0, "targetCondition": "EQUALS"}
        metrics.append(entry)

    document = {
        "accountStatuses": [{"marketplaceId": MARKETPLACES[m].marketplace_id, "status": ACCOUNT_STATUS[m]}
                            for m in ("US", "DE", "ES")],
        "performanceMetrics": metrics,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

def tsv(rows: list, newline: str) -> str:
    for row in rows:
        for value in row:
            assert not any(ch in value for ch in "\t\r\n"), value
    return "".join("\t".join(row) + newline for row in rows)


def csv_bytes(rows: list, newline: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def check_cases() -> None:
    keys = [case.key for case in CASES]
    ids = [case.order_id for case in CASES]
    assert len(set(keys)) == len(keys) and len(set(ids)) == len(ids)
    for case in CASES:
        ordered = date.fromisoformat(case.ordered)
        assert FIRST_DAY <= ordered <= LAST_DAY, case.key
        assert ORDER_ID.fullmatch(case.order_id), case.key
        assert case.order_id.startswith("11") == (case.market == "US"), case.key
        for event in case.events:
            assert ordered <= date.fromisoformat(event.on) <= LAST_DAY, case.key
            if isinstance(event, Feedback):
                assert event.rating in (1, 2, 3), case.key  # Amazon's report holds neutral and negative only
    ledger_keys = [row[0] for row in LEDGER]
    assert len(set(ledger_keys)) == len(ledger_keys)
    assert [row[1] for row in LEDGER].count("feedback_removed") == 1
    for product in CATALOG:
        assert ASIN.fullmatch(product.asin), product.sku


def build() -> dict[str, bytes]:
    check_cases()
    rng = random.Random(SEED)
    orders = generate_orders(rng)
    by_id = {order.order_id: order for order in orders}
    assert len(by_id) == len(orders) == sum(n for _, _, n in STREAMS) * DAYS
    files = {
        "orders_amazon_com.txt": orders_file([o for o in orders if o.market == "US"]),
        "orders_amazon_eu.txt.gz": gzip_bytes(orders_file([o for o in orders if o.market != "US"])),
    }
    files.update(feedback_files(rng))
    files["atoz_claims.csv"] = claims_file(by_id)
    files["chargebacks.csv"] = chargebacks_file(by_id)
    files["seller_performance.json"] = performance_file(orders)
    files["remediation_ledger.csv"] = ledger_file()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="folder to write into (default: the folder of this script)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(build().items()):
        (args.out / name).write_bytes(content)
        print(f"{name}\t{len(content)} bytes", file=sys.stderr)
    return 0


def gzip_bytes(data: bytes) -> bytes:
    """A gzip member with mtime 0 and no file name: the same input gives the same content."""
    return gzip.compress(data, compresslevel=9, mtime=0)


if __name__ == "__main__":
    sys.exit(main())
