# mrm controls: the built-in catalogue, one control, and its coverage of each framework.
# No store is needed.
t controls list
t controls list --framework nist-ai-600-1
t controls show MRM-RT-01
t controls show MRM-EVD-01
t --json controls show MRM-SIGN-01
t controls coverage
t --json controls coverage --framework nist-ai-600-1
t --json controls list --framework sr-11-7
# errors
t controls show MRM-NOPE-01
t controls list --framework iso
t controls coverage --framework
t controls
t controls audit
t controls show
t controls list extra
