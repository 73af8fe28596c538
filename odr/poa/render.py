"""The drafted plan written out: ``plan-of-action.md`` (to edit and paste into Seller
Central), ``plan-of-action.html`` (to read, with the demand checklist first) and
``plan-of-action.json`` (each sentence with the facts it was made from). Buyer text is
untrusted: escaped in HTML (autoescape) and in Markdown; each file is written atomically."""

from __future__ import annotations

import json
import re
from pathlib import Path

from odr.fileio import replace_atomically
from odr.poa.draft import Plan

FILES = {"md": "plan-of-action.md", "html": "plan-of-action.html", "json": "plan-of-action.json"}
# Only what would make a buyer's words into Markdown structure, a link or HTML; underscores
# (return_authorized) are left alone, so the text pastes as written.
_MARKDOWN = re.compile(r"([\\`*\[\]<>#|])")


def md(text: str) -> str:
    """Text as Markdown shows it literally: no emphasis, link, heading or HTML of a buyer's."""
    return _MARKDOWN.sub(r"\\\1", text)


def to_markdown(plan: Plan) -> str:
    out = [f"# Plan of Action{': ' + md(plan.seller) if plan.seller else ''}", "",
           f"Draft from the exports: {md(plan.scope)} orders placed from {plan.window}. "
           "Lines starting with ✎ are gaps only you can fill.", ""]
    for n, s in enumerate(plan.sections, start=1):
        out += [f"## {n}. {md(s.title)}", ""]
        if s.demands:
            out += [f"Answers the letter's line{'s' if len(s.demands) > 1 else ''} {', '.join(map(str, s.demands))}.", ""]
        for p in s.parts:
            out += [f"### {p.title}", ""]
            out += [f"- {md(x.text)}" for x in p.sentences]
            out += [f"- ✎ To fill: {md(m)}" for m in p.missing]
            out.append("")
    if plan.unexplained:
        out += ["## Orders whose cause the exports do not tell", "",
                f"- ✎ To fill: {len(plan.unexplained)} defective order{'s' if len(plan.unexplained) != 1 else ''} "
                f"({', '.join(plan.unexplained)}): say what happened to each.", ""]
    out += ["## Files to attach", ""] + [f"- {md(f)}" for f in plan.attach] + [""]
    return "\n".join(out)


def to_html(plan: Plan) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("odr.poa", "templates"), autoescape=select_autoescape(["html"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("plan.html").render(plan=plan, plan_causes={s.cause for s in plan.sections})


def to_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, ensure_ascii=False)


def write_plan(plan: Plan, out: str | Path) -> dict[str, Path]:
    """Write the three files into `out` (made if missing); returns them by format."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, render in (("md", to_markdown), ("html", to_html), ("json", to_json)):
        path = out / FILES[kind]
        replace_atomically(path, render(plan).encode("utf-8"))
        written[kind] = path
    return written
