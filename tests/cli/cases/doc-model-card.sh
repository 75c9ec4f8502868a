# mrm doc model-card: the model card of a demo-like store (tests/cli/doc-store.sh) as
# Markdown on stdout; a model with gaps shows them as MISSING.
. "$MRM_TOP/tests/cli/doc-store.sh"
t doc model-card credit-pd
t doc model-card support-assistant
