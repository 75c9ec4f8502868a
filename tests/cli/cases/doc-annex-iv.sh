# mrm doc annex-iv: the EU AI Act Annex IV skeleton, filled from the store, with every item
# mrm has nothing for marked MISSING and how to add it.
. "$MRM_TOP/tests/cli/doc-store.sh"
t doc annex-iv credit-pd
t doc annex-iv support-assistant
