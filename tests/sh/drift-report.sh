#!/bin/sh
# mrm drift --html and the drift report page (docs/drift.md, "HTML report"): the page is well
# formed to Python's HTML parser, self-contained (no scripts, no URL but in-page anchors, no
# src), lists the columns in the terminal table's order with a threshold drawn for each, and
# escapes hostile names; the flag keeps the exit codes and the --json output; an unwritable path
# fails with exit 3 and no report. Hand-made documents (tests/data/drift-report) carry the keys
# the drift engine adds later (histograms, quality, windows).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
render="$MRM_BUILD/tests/tools/report-render"
docs="$MRM_TOP/tests/data/drift-report"
cp "$MRM_TOP/tests/data/drift-cli/bike-jan.csv" "$MRM_TOP/tests/data/drift-cli/bike-feb.csv" .
COLS=temp,atemp,hum,windspeed,weathersit,casual,registered,cnt

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# page FILE [COLUMN...]: checks the page; with columns, that the table lists exactly those, in order.
page() {
	python3 - "$@" <<'PY'
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}
ALLOWED = {"html", "head", "meta", "title", "style", "body", "main", "header", "nav", "a",
           "section", "h1", "h2", "h3", "p", "ul", "li", "span", "strong", "code", "table",
           "thead", "tbody", "tr", "th", "td", "div", "dl", "dt", "dd", "figure", "figcaption",
           "footer", "svg", "desc", "defs", "pattern", "line", "text", "rect", "path", "circle",
           "g"}


class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.in_columns = self.in_row_head = False
        self.columns, self.sparks, self.thr_lines, self.rows = [], 0, 0, 0
        self.text = []

    def err(self, msg):
        self.errors.append("%s at line %d" % (msg, self.getpos()[0]))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ALLOWED:
            self.err("element <%s>" % tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.err("event handler %s" % k)
            if k in ("src", "xlink:href") or (k == "href" and not (v or "").startswith("#")):
                self.err("external reference %s=%r" % (k, v))
            if "javascript:" in (v or "").lower() or "url(http" in (v or "").lower():
                self.err("script or remote URL in %s" % k)
        if tag == "svg" and a.get("role") != "img":
            self.err("svg without role=img")
        if tag == "section" and a.get("id") == "columns":
            self.in_columns = True
        if self.in_columns and tag == "tr":
            self.rows += 1
        if self.in_columns and tag == "th" and a.get("scope") == "row":
            self.in_row_head = True
            self.text = []
        if self.in_columns and tag == "svg" and "spark" in a.get("class", ""):
            self.sparks += 1
        if self.in_columns and tag == "line" and a.get("class") == "thr":
            self.thr_lines += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.err("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag == "th" and self.in_row_head:
            self.in_row_head = False
            self.columns.append("".join(self.text))
        if tag == "section":
            self.in_columns = False

    def handle_data(self, data):
        if self.in_row_head:
            self.text.append(data)


path, want = sys.argv[1], sys.argv[2:]
raw = open(path, encoding="utf-8").read()
c = Check()
c.feed(raw)
c.close()
if c.stack:
    c.err("unclosed %s" % c.stack)
low = raw.lower()
for bad in ("<script", "http://", "https://", "@import"):
    if bad in low:
        c.err("contains %r" % bad)
if not raw.startswith("<!DOCTYPE html>"):
    c.err("no doctype")
if want and c.columns != want:
    c.err("columns %s, want %s" % (c.columns, want))
if c.sparks and c.thr_lines != c.sparks:
    c.err("%d score charts but %d threshold lines" % (c.sparks, c.thr_lines))
for e in c.errors[:10]:
    print("#", e)
print("# columns:", ", ".join(c.columns), "; charts with a threshold:", c.thr_lines)
sys.exit(1 if c.errors else 0)
PY
}

# The terminal table's column order (first word of each row between the header and the blank line).
terminal_order() {
	awk '/^column +type/ { on = 1; next } on && /^$/ { exit } on { print $1 }' "$1"
}

"$MRM" drift --reference bike-jan.csv --current bike-feb.csv --columns $COLS --html bike.html \
	> bike.out 2> bike.err
rc=$?
[ "$rc" = 1 ] && ok "drift --html: exit 1 on dataset drift, as without the flag" ||
	notok "drift --html: exit $rc, want 1"
grep -q '^report: bike.html$' bike.out && [ -s bike.html ] &&
	ok "drift --html: the page is written and named on stdout" ||
	notok "drift --html: no report line or no page"
# shellcheck disable=SC2046
if out=$(page bike.html $(terminal_order bike.out)); then
	ok "bike page: well formed, self-contained, the columns in the terminal's order"
else
	notok "bike page"
	echo "$out"
fi
[ "$(grep -o '<line class="thr" x1="66.0"' bike.html | wc -l)" = 8 ] &&
	ok "bike page: one score-against-threshold chart per column" ||
	notok "bike page: threshold lines $(grep -o '<line class="thr" x1="66.0"' bike.html | wc -l), want 8"

"$MRM" --json drift --reference bike-jan.csv --current bike-feb.csv --columns cnt,temp \
	--html both.html > both.json 2> both.err
rc=$?
if [ "$rc" = 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["dataset_drift"] is True' both.json &&
	page both.html cnt temp > /dev/null; then
	ok "--json --html: stdout is the JSON document alone, the page is written"
else
	notok "--json --html: exit $rc, or stdout not JSON, or no page"
fi

"$MRM" drift --reference bike-jan.csv --current bike-jan.csv --columns $COLS --html same.html \
	> same.out 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q 'No dataset drift' same.html &&
	ok "no drift: exit 0 and the page says so" || notok "no drift: exit $rc"

"$MRM" drift --reference bike-jan.csv --current bike-feb.csv --html missing/dir/r.html \
	> bad.out 2> bad.err
rc=$?
if [ "$rc" = 3 ] && grep -q '^mrm: missing/dir/r.html.tmp-[0-9]*: cannot create: No such file or directory$' bad.err &&
	! grep -q '^report:' bad.out && [ ! -e missing ]; then
	ok "unwritable --html path: exit 3, the path named, no report"
else
	notok "unwritable --html path: exit $rc: $(cat bad.err)"
fi

"$render" -k drift -o full.html "$docs/full.json" &&
	out=$(page full.html income region channel "<script>alert('x')</script>" age 'a&b "q"' score notes) &&
	ok "full document: well formed, severity order, a threshold per decided column" ||
	{ notok "full document"; echo "$out"; }
for k in time quality details; do
	grep -q "<section id=\"$k\">" full.html && ok "full document: section $k" ||
		notok "full document: no section $k"
done

"$render" -k drift "$docs/hostile.json" > hostile.html &&
	out=$(page hostile.html) && ! grep -q '<img\|<b>\|<i>' hostile.html &&
	ok "hostile document: escaped, well formed" || { notok "hostile document"; echo "$out"; }

"$render" -k drift "$docs/empty.json" > empty.html && page empty.html > /dev/null &&
	ok "empty document renders" || notok "empty document"
echo '[1, 2]' > array.json
"$render" -k drift array.json > /dev/null 2> array.err
rc=$?
[ "$rc" = 3 ] && grep -q 'drift result: expected a JSON object' array.err &&
	ok "not an object: exit 3" || notok "not an object: exit $rc"
