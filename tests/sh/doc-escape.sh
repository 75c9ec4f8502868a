#!/bin/sh
# Documents as files: every kind in HTML and Markdown, from the demo-like store of
# tests/cli/doc-store.sh plus a model whose every text is hostile (HTML tags, Markdown
# markup, table pipes, line breaks, list and heading markers). The HTML must be one
# self-contained page (no scripts, no external resources, balanced tags, a print
# stylesheet) with all text escaped; the Markdown must carry no raw HTML, no markup from the
# data, and tables whose rows keep their column count. See docs/documents.md.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export MRM_DB="$work/test.db" MRM_USER=ana
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

. "$MRM_TOP/tests/cli/doc-store.sh" >setup.log 2>&1
[ -s setup.log ] && { notok "build the store: $(cat setup.log)"; exit 0; }

nl='
'
name='Evil <script>alert(1)</script> & "co" '"'x'"
purpose="*bold* _it_ [link](javascript:alert(1)) | pipe${nl}# injected heading"
q --as olivia model add evil --name "$name" --owner olivia --purpose "$purpose" \
	--intended-use "1. not a list" --population "- not a bullet" --out-of-scope-use "    code block?" \
	--data-source '<img src=x onerror=alert(1)>' --data-source '`tick` | pipe' --data-source '1. first source' \
	--vendor '</td></tr><tr><td>'
q --as olivia model version add evil '<v1>'
q --as olivia tier assess evil --answers "$MRM_TOP/tests/data/tier-credit-pd.yaml"
q --as vera finding add evil --severity high --category fairness --title "</td><td>x | y${nl}## z" \
	--description "<b>bold</b>"
q --as paul accept evil --finding F-3 --rationale "<i>why</i>${nl}- item" --expires 2027-01-31 \
	--controls '[x](http://example.com)' --trigger '<script>t</script>'
[ -s setup.log ] && { notok "build the hostile model: $(cat setup.log)"; exit 0; }

fail=0
for spec in "model-card credit-pd" "mra credit-pd" "validation credit-pd" "acceptance A-1" \
	"annex-iv support-assistant" "model-card evil" "mra evil" "annex-iv evil" "acceptance A-2"; do
	set -- $spec
	base="doc-$1-$2"
	for ext in html md; do
		if ! "$MRM" doc "$1" "$2" -o "$base.$ext" >/dev/null 2>err; then
			notok "mrm doc $1 $2 -o $base.$ext: $(cat err)"
			fail=1
		fi
	done
done
[ "$fail" = 0 ] && ok "every document written in HTML and Markdown"

check=$(python3 - doc-*.html <<'PY'
import sys
from html.parser import HTMLParser
VOID = {'meta', 'br', 'hr', 'wbr'}
BANNED = {'script', 'iframe', 'img', 'link', 'object', 'embed', 'svg', 'form', 'input', 'base', 'a'}
for f in sys.argv[1:]:
    class P(HTMLParser):
        def __init__(s):
            super().__init__(convert_charrefs=True)
            s.stack, s.err, s.styles, s.text = [], [], 0, []
        def handle_starttag(s, t, attrs):
            if t in BANNED: s.err.append('<%s>' % t)
            if t == 'style': s.styles += 1
            for k, v in attrs:
                if k.startswith('on') or k in ('src', 'href', 'srcset', 'action') or (k == 'style'):
                    s.err.append('attribute %s' % k)
            if t not in VOID: s.stack.append(t)
        def handle_endtag(s, t):
            if t in VOID: return
            if not s.stack or s.stack[-1] != t: s.err.append('</%s> closes %s' % (t, s.stack[-1:]))
            else: s.stack.pop()
        def handle_data(s, d): s.text.append(d)
    src = open(f, encoding='utf-8').read()
    p = P(); p.feed(src); p.close()
    if p.stack: p.err.append('unclosed %s' % p.stack)
    if p.styles != 1: p.err.append('%d style elements' % p.styles)
    if '@media print' not in src: p.err.append('no print stylesheet')
    if 'url(' in src or '@import' in src: p.err.append('an external resource in CSS')
    if not src.startswith('<!DOCTYPE html>'): p.err.append('no doctype')
    if f.endswith('model-card-evil.html'):
        text = ''.join(p.text)
        for needle in ('Evil <script>alert(1)</script> & "co" \'x\'', '<img src=x onerror=alert(1)>',
                       '</td></tr><tr><td>'):
            if needle not in text: p.err.append('text %r not shown as text' % needle)
    print('%s %s' % (f, 'ok' if not p.err else '; '.join(p.err[:4])))
PY
)
bad=$(echo "$check" | grep -v ' ok$')
[ -z "$bad" ] && ok "HTML: self-contained, balanced, escaped, with a print stylesheet ($(echo "$check" | wc -l) pages)" ||
	notok "HTML checks: $bad"

check=$(python3 - doc-*.md <<'PY'
import re, sys
for f in sys.argv[1:]:
    err = []
    lines = open(f, encoding='utf-8').read().split('\n')
    headings = [l for l in lines if re.match(r'#{1,6} ', l)]
    if not headings or not headings[0].startswith('# ') or sum(1 for l in headings if l.startswith('# ')) != 1:
        err.append('headings %r' % headings[:3])
    for l in lines:
        l = re.sub(r'`[^`]*`', '`code`', l)  # code spans show their text as is
        if re.search(r'(?<!\\)<', l): err.append('raw < in %r' % l[:60])
        if re.search(r'(?<!\\)\[[^\]]*(?<!\\)\]\(', l): err.append('a link in %r' % l[:60])
        if re.match(r'\s{4}', l): err.append('an indented code block %r' % l[:60])
        if re.match(r'(#{2,6} )(injected|z)', l): err.append('a heading from the data %r' % l)
    cols = None
    for l in lines:
        if l.startswith('|'):
            n = len(re.findall(r'(?<!\\)\|', l))
            if cols is None: cols = n
            elif n != cols: err.append('table row with %d pipes, header %d: %r' % (n, cols, l[:60]))
        else:
            cols = None
    print('%s %s' % (f, 'ok' if not err else '; '.join(err[:4])))
PY
)
bad=$(echo "$check" | grep -v ' ok$')
[ -z "$bad" ] && ok "Markdown: no raw HTML, links or headings from the data; tables keep their columns" ||
	notok "Markdown checks: $bad"

# The hostile texts are there, escaped, not dropped.
grep -qF 'Evil \<script\>alert(1)\</script\> \& "co"' doc-model-card-evil.md &&
	grep -qF '\*bold\* \_it\_ \[link\](javascript:alert(1)) \| pipe \# injected heading' doc-model-card-evil.md &&
	grep -qF -- '- 1\. first source' doc-model-card-evil.md &&
	grep -qF -- '- \<img src=x onerror=alert(1)\>' doc-model-card-evil.md &&
	ok "Markdown escapes the hostile texts instead of dropping them" ||
	notok "Markdown escapes: $(grep -n 'Evil\|bold\|first\|img' doc-model-card-evil.md | head -5)"
grep -q 'Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot; &#39;x&#39;' doc-model-card-evil.html &&
	! grep -q '<script' doc-model-card-evil.html doc-mra-evil.html doc-annex-iv-evil.html doc-acceptance-A-2.html &&
	ok "HTML escapes the hostile texts (no <script anywhere)" || notok "HTML escapes"

# The same content in both formats: every section heading of the Markdown is in the HTML.
missing=$(for f in doc-*.md; do
	sed -n 's/^## //p' "$f" | while read -r h; do
		grep -qF ">$h</h2>" "${f%.md}.html" || echo "$f: $h"
	done
done)
[ -z "$missing" ] && ok "HTML and Markdown have the same sections" || notok "sections differ: $missing"

# Printable: the print stylesheet hides nothing a reader needs and keeps colours of status words.
grep -q 'print-color-adjust:exact' doc-mra-credit-pd.html && ok "status colours are kept in print" ||
	notok "print colours"
