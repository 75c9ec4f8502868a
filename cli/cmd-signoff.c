/* mrm signoff: not built yet (placeholder so the command table links). */
#include "cli/cmd.h"

int cmd_signoff(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_usage_error(c, "'mrm signoff' is not implemented yet");
}
