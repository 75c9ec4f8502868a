/* mrm import: not built yet (placeholder so the command table links). */
#include "cli/cmd.h"

int cmd_import(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_usage_error(c, "'mrm import' is not implemented yet");
}
